/**
 * Recent results per probe, in memory and bounded: a compact ring of samples (what windows and the
 * status page read) plus the last full result and the last failure (what an operator asks for).
 * Shared typed-array columns (HistoryColumns) keep 10,000 probes × hundreds of samples in tens
 * of megabytes, without an object per probe per column.
 */

import type { FailureCode } from '../model/failure.js';
import type { ProbeResult } from '../model/probe.js';
import { FACTS, FAILURE_CODES } from '../probers/index.js';
import { retainedResult } from '../probers/retain.js';
import { grown, RowSlots } from './row-slots.js';
import { Uptime, type UptimeSnapshot, UptimeTable } from './uptime.js';

/** How far back each probe's samples reach by default (`--history.retention`); the daemon keeps at least the longest rule window. */
export const DEFAULT_HISTORY_RETENTION_MS = 30 * 60_000;
const MIN_HISTORY_CAPACITY = 16;
const MAX_HISTORY_CAPACITY = 2_048;

/** Samples needed to cover `retentionMs` at `intervalMs` (cron probes: assume one a minute). */
function historyCapacity(intervalMs: number | undefined, retentionMs = DEFAULT_HISTORY_RETENTION_MS): number {
  const wanted = Math.ceil(retentionMs / (intervalMs ?? 60_000));
  return Math.min(MAX_HISTORY_CAPACITY, Math.max(MIN_HISTORY_CAPACITY, wanted));
}

export interface Sample {
  readonly at: number;
  readonly ok: boolean;
  readonly durationMs: number;
  readonly failure?: FailureCode;
  /** HTTP status, 0 when there was none. */
  readonly status: number;
}

const NO_FAILURE = 255;

/** Sections that give a sample its status code (HTTP's), found once rather than at every run. */
const STATUS_SECTIONS = FACTS.filter((section) => section.sampleStatus);

/** The status code a sample records: the first facts section that has one, else 0. */
function sampleStatus(result: ProbeResult): number {
  for (const section of STATUS_SECTIONS) {
    const facts = result.facts[section.key];
    if (facts !== undefined) return section.sampleStatus!(facts as never);
  }
  return 0;
}

/**
 * The sample rings of every probe with the same capacity, as rows of four shared columns
 * (8 + 4 + 2 + 1 bytes a sample). Probes with one interval share one set (row-slots.ts).
 */
export class HistoryColumns {
  at: Float64Array;
  duration: Float32Array;
  status: Uint16Array;
  failure: Uint8Array;
  private readonly slots: RowSlots;

  constructor(
    readonly capacity: number,
    rows = 16,
  ) {
    this.at = new Float64Array(rows * capacity);
    this.duration = new Float32Array(rows * capacity);
    this.status = new Uint16Array(rows * capacity);
    this.failure = new Uint8Array(rows * capacity);
    this.slots = new RowSlots(rows, (more) => {
      this.at = grown(this.at, more * capacity);
      this.duration = grown(this.duration, more * capacity);
      this.status = grown(this.status, more * capacity);
      this.failure = grown(this.failure, more * capacity);
    });
  }

  take(): number {
    return this.slots.take();
  }

  give(row: number): void {
    this.slots.give(row);
  }

  get inUse(): number {
    return this.slots.inUse;
  }

  reserve(rows: number): void {
    this.slots.reserve(rows);
  }
}

export class ProbeHistory {
  /** Where this probe's ring starts in the columns (its row times the capacity). */
  private readonly base: number;
  private readonly row: number;
  private next = 0;
  private count = 0;
  last?: ProbeResult;
  lastFailure?: ProbeResult;
  /** The path to the target, traced when the probe last went down (diagnostics/path-evidence.ts). */
  path?: { readonly at: number; readonly text: string };

  constructor(
    readonly capacity: number,
    private readonly columns = new HistoryColumns(capacity, 1),
  ) {
    this.row = columns.take();
    this.base = this.row * capacity;
  }

  /** Gives the row back: the history is dropped (probe removed, or its ring resized). */
  release(): void {
    this.columns.give(this.row);
  }

  notePath(at: number, text: string | undefined): void {
    this.path = text === undefined ? undefined : { at, text };
  }

  /** Records a run; returns the result as kept (retain.ts), for others to share. */
  record(result: ProbeResult): ProbeResult {
    const i = this.base + this.next;
    const { columns } = this;
    columns.at[i] = result.startedAt;
    columns.duration[i] = result.durationMs;
    columns.failure[i] = result.failure ? FAILURE_CODES.indexOf(result.failure.code) : NO_FAILURE;
    columns.status[i] = sampleStatus(result);
    this.next = (i + 1) % this.capacity;
    this.count = Math.min(this.count + 1, this.capacity);
    const kept = retainedResult(result);
    this.last = kept;
    if (!result.ok) this.lastFailure = kept;
    return kept;
  }

  /** Samples oldest first, optionally only those started at or after `since` (epoch ms). */
  /**
   * Epoch ms of the oldest run this history reaches back to, or -Infinity once the ring is full
   * (it then spans its whole retention, at least the longest rule window); undefined when empty.
   */
  reachesBackTo(): number | undefined {
    if (this.count === 0) return undefined;
    if (this.count === this.capacity) return Number.NEGATIVE_INFINITY;
    return this.columns.at[this.base + ((this.next - this.count + this.capacity) % this.capacity)]!;
  }

  samples(since = Number.NEGATIVE_INFINITY): Sample[] {
    const out: Sample[] = [];
    const { columns } = this;
    for (let k = 0; k < this.count; k++) {
      const i = this.base + ((this.next - this.count + k + this.capacity) % this.capacity);
      const at = columns.at[i]!;
      if (at < since) continue;
      const code = columns.failure[i]!;
      out.push({
        at,
        ok: code === NO_FAILURE,
        durationMs: columns.duration[i]!,
        ...(code === NO_FAILURE ? {} : { failure: FAILURE_CODES[code] }),
        status: columns.status[i]!,
      });
    }
    return out;
  }
}

export type ProbeState = 'up' | 'down' | 'unknown';

/** What the last result says: up, down, or unknown before the first run. */
export function probeState(last: ProbeResult | undefined): ProbeState {
  return last === undefined ? 'unknown' : last.ok ? 'up' : 'down';
}

/** All probes' histories, keyed by probe name; a reload keeps the histories of probes that stay. */
export class ResultStore {
  private readonly histories = new Map<string, ProbeHistory>();
  /** The sample columns, one set per ring capacity in use. */
  private readonly columns = new Map<number, HistoryColumns>();
  /** Kept apart from the sample rings: a changed interval resizes the ring, not the uptime. */
  private readonly uptimes = new Map<string, Uptime>();
  private readonly uptimeTable = new UptimeTable();

  private retentionMs: number;

  constructor(retentionMs = DEFAULT_HISTORY_RETENTION_MS) {
    this.retentionMs = retentionMs;
  }

  /**
   * How far back samples reach from now on: a probe's ring is resized (and its samples dropped)
   * at its next run when its capacity changes. Each sample costs 15 bytes: at a 10 s interval,
   * 30 minutes are 180 samples, 2.7 KB a probe, 27 MB at 10,000 probes.
   */
  setRetention(retentionMs: number): void {
    this.retentionMs = retentionMs;
  }

  /**
   * Records a run of a probe; returns the result as history keeps it (no response headers). A run
   * `inMaintenance` (a window that leaves uptime out) is kept in history but not in the uptime ratio.
   */
  record(
    spec: { name: string; intervalMs?: number },
    result: ProbeResult,
    inMaintenance = false,
  ): ProbeResult {
    let history = this.histories.get(spec.name);
    const capacity = historyCapacity(spec.intervalMs, this.retentionMs);
    if (!history || history.capacity !== capacity) {
      if (history) this.drop(history);
      history = new ProbeHistory(capacity, this.columnsOf(capacity));
      this.histories.set(spec.name, history);
    }
    const kept = history.record(result);
    this.uptimeOf(spec.name).record(result.startedAt, result.ok, inMaintenance);
    return kept;
  }

  get(probe: string): ProbeHistory | undefined {
    return this.histories.get(probe);
  }

  /** Drops histories of probes no longer configured. */
  /** The probe's 24 h / 30 d uptime counts, created on first use. */
  uptimeOf(name: string): Uptime {
    let uptime = this.uptimes.get(name);
    if (!uptime) {
      uptime = new Uptime(this.uptimeTable);
      this.uptimes.set(name, uptime);
    }
    return uptime;
  }

  uptimeSnapshots(): Array<[string, UptimeSnapshot]> {
    return [...this.uptimes].map(([name, uptime]) => [name, uptime.snapshot()]);
  }

  retain(names: ReadonlySet<string>): void {
    for (const [name, history] of this.histories)
      if (!names.has(name)) {
        this.drop(history);
        this.histories.delete(name);
      }
    for (const [name, uptime] of this.uptimes)
      if (!names.has(name)) {
        this.uptimeTable.give(uptime.row);
        this.uptimes.delete(name);
      }
  }

  /**
   * Makes room for these probes' rings and uptime at once (a config being applied), rather than
   * growing the shared arrays step by step as their first runs arrive.
   */
  reserve(specs: ReadonlyArray<{ readonly name: string; readonly intervalMs?: number }>): void {
    const counts = new Map<number, number>();
    let newUptimes = 0;
    for (const spec of specs) {
      const capacity = historyCapacity(spec.intervalMs, this.retentionMs);
      if (this.histories.get(spec.name)?.capacity !== capacity)
        counts.set(capacity, (counts.get(capacity) ?? 0) + 1);
      if (!this.uptimes.has(spec.name)) newUptimes += 1;
    }
    for (const [capacity, count] of counts) {
      const columns = this.columnsOf(capacity);
      columns.reserve(columns.inUse + count);
    }
    this.uptimeTable.reserve(this.uptimes.size + newUptimes);
  }

  private columnsOf(capacity: number): HistoryColumns {
    let columns = this.columns.get(capacity);
    if (!columns) {
      columns = new HistoryColumns(capacity);
      this.columns.set(capacity, columns);
    }
    return columns;
  }

  /** Gives a history's row back, and the columns with it once no probe has that capacity. */
  private drop(history: ProbeHistory): void {
    history.release();
    const columns = this.columns.get(history.capacity);
    if (columns?.inUse === 0) this.columns.delete(history.capacity);
  }
}
