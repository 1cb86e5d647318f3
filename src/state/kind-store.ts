/**
 * What kinds that are pushed to keep (heartbeat pings), in the state store's `kind_state` table:
 * one namespace per kind. Each write commits on its own (a ping is one row). A write that fails
 * (disk full, read-only file system) is reported and the value stays in the kind's memory, as
 * every other state write here: receiving goes on.
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import type { KindStore } from '../probers/definition.js';

export function sqliteKindStore(
  db: Database.Database,
  kind: string,
  onWriteError: (error: unknown) => void,
): KindStore {
  const get = db.prepare('SELECT value FROM kind_state WHERE kind = ? AND key = ?');
  const keys = db.prepare('SELECT key FROM kind_state WHERE kind = ?');
  const put = db.prepare(
    'INSERT INTO kind_state (kind, key, value) VALUES (?, ?, ?) ON CONFLICT (kind, key) DO UPDATE SET value = excluded.value',
  );
  const remove = db.prepare('DELETE FROM kind_state WHERE kind = ? AND key = ?');
  const write = (statement: Database.Statement, ...args: string[]) => {
    try {
      statement.run(kind, ...args);
    } catch (error) {
      onWriteError(error);
    }
  };
  return {
    get: (key) => (get.get(kind, key) as { value: string } | undefined)?.value,
    set: (key, value) => write(put, key, value),
    delete: (key) => write(remove, key),
    keys: () => (keys.all(kind) as Array<{ key: string }>).map((row) => row.key),
  };
}

/**
 * A running daemon's store, opened read-only (`prismwatch probe --kind heartbeat --data-dir`):
 * SQLite's WAL lets it read while the daemon writes. Undefined when the directory holds no store.
 */
export function readKindStore(dataDir: string, kind: string): KindStore | undefined {
  const file = join(dataDir, 'prismwatch.db');
  if (!existsSync(file)) return undefined;
  const db = new Database(file, { readonly: true, fileMustExist: true });
  const hasTable = db
    .prepare("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'kind_state'")
    .get();
  const readOnly = () => {
    throw new Error('this store was opened read-only');
  };
  if (!hasTable) return { get: () => undefined, set: readOnly, delete: readOnly, keys: () => [] };
  return { ...sqliteKindStore(db, kind, readOnly), set: readOnly, delete: readOnly };
}
