/**
 * The ping endpoint's side of heartbeats: what each monitor's job has reported, kept in the
 * daemon's state store so pings and states survive restarts.
 *
 *   GET|POST|HEAD /ping/<token>            success (the job finished)
 *                 /ping/<token>/start      the job started (run time is measured from here)
 *                 /ping/<token>/fail       the job failed
 *                 /ping/<token>/<0-255>    the job's exit status: 0 success, anything else failure
 *   or /ping/<probe name>/… with `Authorization: Bearer <token>`, for URLs that end up in logs.
 * A POST body's first 1,000 characters (a job's last lines of output) are kept with the ping.
 */
import { timingSafeEqual } from 'node:crypto';
import type { ProbeSpec } from '../../model/probe.js';
import { decodeComponent } from '../../util/uri.js';
import type { InboxAnswer, InboxRequest, KindInbox, KindStore } from '../definition.js';
import type { HeartbeatSettings } from './config.js';
import type { HeartbeatState, PingRecord } from './evaluate.js';

const MAX_MESSAGE_CHARS = 1_000;
const RECEIVING_SINCE_KEY = 'meta:receiving_since';
const recordKey = (probe: string) => `probe:${probe}`;
/**
 * The state a run evaluated, apart from the pings: with instances sharing state, pings are
 * written by whichever instance received them and the state by the leader, and neither write
 * may overwrite the other's. (A record from before this split carries its state inside.)
 */
const stateKey = (probe: string) => `state:${probe}`;

type PingKind = 'success' | 'start' | 'fail';

function sameSecret(presented: string, expected: string): boolean {
  const a = Buffer.from(presented);
  const b = Buffer.from(expected);
  return a.length === b.length && timingSafeEqual(a, b);
}

function bearer(headers: InboxRequest['headers']): string | undefined {
  const value = headers.authorization;
  const text = Array.isArray(value) ? value[0] : value;
  return text?.startsWith('Bearer ') ? text.slice(7).trim() : undefined;
}

/** The action a path's second segment asks for, or undefined for none we know. */
function pingKind(action: string | undefined): { kind: PingKind; exitStatus?: number } | undefined {
  if (action === undefined || action === '') return { kind: 'success' };
  if (action === 'start') return { kind: 'start' };
  if (action === 'fail') return { kind: 'fail' };
  if (/^\d{1,3}$/.test(action) && Number(action) <= 255) {
    const exitStatus = Number(action);
    return { kind: exitStatus === 0 ? 'success' : 'fail', exitStatus };
  }
  return undefined;
}

/** Printable text only: the message ends up in alerts and on the status page. */
function cleanMessage(body: string): string | undefined {
  const text = body
    .slice(0, MAX_MESSAGE_CHARS)
    .replace(/[\u0000-\u0008\u000b-\u001f\u007f]/g, '')
    .trim();
  return text === '' ? undefined : text;
}

export class HeartbeatInbox implements KindInbox {
  /** When this prismwatch started receiving pings (persisted, so a reader of the store knows it too). */
  readonly receivingSince: number;
  private readonly cache = new Map<string, PingRecord | undefined>();

  constructor(
    private readonly store: KindStore,
    private readonly now: () => number,
    private readonly receiving: boolean,
  ) {
    if (receiving) {
      this.receivingSince = now();
      store.set(RECEIVING_SINCE_KEY, String(this.receivingSince));
    } else {
      this.receivingSince = Number(store.get(RECEIVING_SINCE_KEY) ?? 0);
    }
  }

  record(probe: string): PingRecord | undefined {
    if (!this.cache.has(probe)) {
      const text = this.store.get(recordKey(probe));
      const state = this.store.get(stateKey(probe));
      const record = text === undefined ? undefined : (JSON.parse(text) as PingRecord);
      this.cache.set(
        probe,
        record && state !== undefined ? { ...record, ...(JSON.parse(state) as Partial<PingRecord>) } : record,
      );
    }
    return this.cache.get(probe);
  }

  /** Another instance wrote pings or states (shared state): they are read again at the next run. */
  reread(): void {
    this.cache.clear();
  }

  /** Pings only: the evaluated state has its own key (noteState). */
  private save(probe: string, record: PingRecord): void {
    this.cache.set(probe, record);
    const { state, stateSince, ...pings } = record;
    // A record from before the split carried its state: it moves to its own key first.
    if (state !== undefined && this.store.get(stateKey(probe)) === undefined)
      this.store.set(stateKey(probe), JSON.stringify({ state, stateSince }));
    this.store.set(recordKey(probe), JSON.stringify(pings));
  }

  /** Keeps the state a run evaluated, when it changed: after a restart, a known outage stays one. */
  noteState(probe: string, state: HeartbeatState, at: number): void {
    if (!this.receiving) return;
    const record = this.record(probe);
    if (!record || record.state === state) return;
    this.cache.set(probe, { ...record, state, stateSince: at });
    this.store.set(stateKey(probe), JSON.stringify({ state, stateSince: at }));
  }

  handle(request: InboxRequest): InboxAnswer {
    if (!['GET', 'POST', 'HEAD'].includes(request.method))
      return { status: 405, body: 'method not allowed\n' };
    const [first = '', action, ...rest] = request.path.split('/');
    const ping = rest.length === 0 ? pingKind(action) : undefined;
    const id = decodeComponent(first);
    if (!ping || !id) return { status: 404, body: 'not found\n' };
    const spec = this.find(id, request);
    if (spec === 'unauthorized') return { status: 401, body: 'a valid bearer token is required\n' };
    if (!spec) return { status: 404, body: 'not found\n' };
    this.ping(spec.name, ping.kind, request.now, ping.exitStatus, cleanMessage(request.body));
    return { status: 200, body: 'OK\n', rerun: spec.name };
  }

  /** By the token in the URL, or by name with the token as a Bearer header. */
  private find(id: string, request: InboxRequest): ProbeSpec | 'unauthorized' | undefined {
    const probes = request.probes as ReadonlyArray<ProbeSpec<HeartbeatSettings>>;
    const byToken = probes.find((spec) => sameSecret(id, spec.settings.token));
    if (byToken) return byToken;
    const byName = probes.find((spec) => spec.name === id);
    if (!byName) return undefined;
    const token = bearer(request.headers);
    return token !== undefined && sameSecret(token, byName.settings.token) ? byName : 'unauthorized';
  }

  private ping(probe: string, kind: PingKind, at: number, exitStatus?: number, message?: string): void {
    const previous = this.record(probe) ?? {};
    const next: Record<string, unknown> = { ...previous, exitStatus, message };
    if (kind === 'start') next.lastStart = at;
    if (kind === 'fail') next.lastFail = at;
    if (kind === 'success') {
      next.lastSuccess = at;
      const started = previous.lastStart;
      if (started !== undefined && started > (previous.lastSuccess ?? Number.NEGATIVE_INFINITY))
        next.lastRunMs = at - started;
    }
    this.save(probe, next as PingRecord);
  }
}
