/**
 * Opens the state database so that losing state never costs monitoring. A database that is
 * corrupt, truncated or written by something else is moved aside (kept, for a person to look
 * at) and a fresh one started; a data directory that cannot be written leaves the daemon running
 * on an in-memory store. Both are loud: a log line naming the file, a metric, and an alert
 * (state-alerts.ts). Before, either case refused to start, naming no file: no monitoring at all.
 */
import { accessSync, constants, existsSync, mkdirSync, renameSync } from 'node:fs';
import { join } from 'node:path';
import type { UptimeSnapshot } from '../results/uptime.js';
import { StateStore, type StoredState } from './store.js';

const STATE_FILE = 'prismwatch.db';

/** What a database held when it was opened: reading it all is how it is proven readable. */
interface SavedState {
  readonly state: StoredState;
  readonly uptime: Array<[string, UptimeSnapshot]>;
}

/**
 * `unconfigured`: no data directory was given, state lives in memory by choice. `memory`: one was
 * given and could not be used. `persistent` and `reset` save to disk.
 */
export type StoreOpening =
  | { readonly status: 'unconfigured'; readonly store: StateStore }
  | {
      readonly status: 'persistent';
      readonly store: StateStore;
      readonly file: string;
      readonly saved: SavedState;
    }
  | {
      readonly status: 'reset';
      readonly store: StateStore;
      readonly file: string;
      /** Where the unreadable database now is. */
      readonly movedTo: string;
      readonly reason: string;
    }
  | { readonly status: 'memory'; readonly store: StateStore; readonly file: string; readonly reason: string }
  /** The working copy of a shared database (state/shared/): `url` with its password masked. */
  | { readonly status: 'shared'; readonly store: StateStore; readonly url: string };

function errorText(error: unknown): string {
  const code = (error as { code?: unknown })?.code;
  const message = error instanceof Error ? error.message : String(error);
  return typeof code === 'string' && !message.includes(code) ? `${message} (${code})` : message;
}

/** A store that was opened and read back end to end (what it held), or the reason it could not be. */
function tryOpen(dataDir: string): { store: StateStore; saved: SavedState } | { error: unknown } {
  let store: StateStore | undefined;
  try {
    store = new StateStore(dataDir);
    const check = store.db.pragma('quick_check', { simple: true });
    if (check !== 'ok') throw new Error(`integrity check failed: ${String(check)}`);
    // Reading every row also proves the JSON in it parses; the daemon restores from this read.
    return { store, saved: { state: store.load(), uptime: store.loadUptime() } };
  } catch (error) {
    try {
      store?.close();
    } catch {
      // Already broken; the reason that matters is the first one.
    }
    return { error };
  }
}

function isWriteRefusal(error: unknown): boolean {
  const code = String((error as { code?: unknown })?.code ?? '');
  return ['EROFS', 'EACCES', 'EPERM', 'SQLITE_READONLY', 'SQLITE_CANTOPEN', 'SQLITE_READONLY_DBMOVED'].some(
    (refusal) => code.startsWith(refusal),
  );
}

/** Moves the database and its WAL and shared-memory files aside; returns the new main file name. */
function moveAside(file: string, now: number): string {
  const stamp = new Date(now).toISOString().replace(/[:.]/g, '-');
  const target = `${file}.corrupt-${stamp}`;
  for (const suffix of ['', '-wal', '-shm']) {
    if (existsSync(`${file}${suffix}`)) renameSync(`${file}${suffix}`, `${target}${suffix}`);
  }
  return target;
}

export function openStateStore(dataDir: string | undefined, now: () => number = Date.now): StoreOpening {
  if (!dataDir) return { status: 'unconfigured', store: new StateStore() };
  const file = join(dataDir, STATE_FILE);
  const memory = (reason: string): StoreOpening => ({
    status: 'memory',
    store: new StateStore(),
    file,
    reason,
  });
  try {
    mkdirSync(dataDir, { recursive: true });
    accessSync(dataDir, constants.W_OK);
  } catch (error) {
    return memory(`the data directory ${dataDir} cannot be written: ${errorText(error)}`);
  }
  const first = tryOpen(dataDir);
  if ('store' in first) return { status: 'persistent', store: first.store, file, saved: first.saved };
  if (isWriteRefusal(first.error)) return memory(`${file} cannot be written: ${errorText(first.error)}`);
  const reason = errorText(first.error);
  let movedTo: string;
  try {
    movedTo = moveAside(file, now());
  } catch (error) {
    return memory(`${file} is unreadable (${reason}) and could not be moved aside: ${errorText(error)}`);
  }
  const fresh = tryOpen(dataDir);
  if ('error' in fresh) return memory(`a fresh ${file} could not be started: ${errorText(fresh.error)}`);
  return { status: 'reset', store: fresh.store, file, movedTo, reason };
}
