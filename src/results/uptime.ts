/**
 * Uptime over 24 hours, 30 days and 90 days, per probe, in fixed memory: 24 hourly and 90 daily
 * buckets of (runs, successes, runs in maintenance), 1,824 bytes a probe (18 MB at 10,000
 * probes), every probe a row of one shared table (row-slots.ts). The sample history is far too short for these windows, and keeping every sample for
 * 90 days would cost gigabytes at 10,000 probes. A window's ratio covers the buckets it overlaps,
 * so "24 h" means the current hour and the 23 before it. The daemon saves them to the state store
 * every few minutes and on shutdown, so the figures survive restarts (a crash loses at most the
 * last few minutes of counts).
 *
 * A run inside a maintenance window that leaves uptime out (muting/maintenance.ts) counts only as
 * a maintenance run: it neither helps nor hurts the ratio, and the day's bar is marked.
 */

import { grown, RowSlots } from './row-slots.js';

/** [bucket index, runs, successes, maintenance runs] for each bucket in use (older saves lack the last). */
type BucketSnapshot = Array<[number, number, number, number?]>;

export interface UptimeSnapshot {
  readonly hourly: BucketSnapshot;
  readonly daily: BucketSnapshot;
}

/** One day of a probe, for the status page's 90-day bars. */
export interface UptimeDay {
  /** Epoch ms of the day's start (UTC). */
  readonly day: number;
  readonly runs: number;
  readonly ok: number;
  readonly maintenance: number;
}

/** The windows a ratio can be asked for (badges, and the URLs Gatus users paste). */
export const UPTIME_WINDOWS = {
  '1h': { buckets: 'hourly', span: 1 },
  '24h': { buckets: 'hourly', span: 24 },
  '7d': { buckets: 'daily', span: 7 },
  '30d': { buckets: 'daily', span: 30 },
  '90d': { buckets: 'daily', span: 90 },
} as const;
export type UptimeWindow = keyof typeof UPTIME_WINDOWS;

const HOUR = 3_600_000;
const DAY = 24 * HOUR;
export const UPTIME_DAYS = 90;

/** The four numbers of a bucket slot: which bucket it holds (-1: none), runs, successes, runs in maintenance. */
const INDEX = 0;
const RUNS = 1;
const OK = 2;
const MAINTENANCE = 3;
const FIELDS = 4;

/**
 * A ring of `size` buckets `widthMs` wide, at `offset` within a probe's row of the table. Counts
 * fit in 31 bits (a day at 100 ms is 864,000 runs), so one Int32Array holds index and counts.
 * Hours or days since the epoch fit in 31 bits for millennia.
 */
class BucketRing {
  constructor(
    readonly offset: number,
    readonly size: number,
    private readonly widthMs: number,
  ) {}

  private cell(base: number, slot: number, field: number): number {
    return base + this.offset + slot * FIELDS + field;
  }

  clear(cells: Int32Array, base: number): void {
    for (let slot = 0; slot < this.size; slot++) {
      const at = this.cell(base, slot, 0);
      cells[at + INDEX] = -1;
      cells[at + RUNS] = 0;
      cells[at + OK] = 0;
      cells[at + MAINTENANCE] = 0;
    }
  }

  /** The cell offset of `bucket`'s slot, emptied first when an older bucket held it; undefined for a stale one. */
  private slotFor(cells: Int32Array, base: number, bucket: number): number | undefined {
    const at = this.cell(base, bucket % this.size, 0);
    if (cells[at + INDEX]! > bucket) return undefined;
    if (cells[at + INDEX] !== bucket) {
      cells[at + INDEX] = bucket;
      cells[at + RUNS] = 0;
      cells[at + OK] = 0;
      cells[at + MAINTENANCE] = 0;
    }
    return at;
  }

  record(cells: Int32Array, base: number, at: number, ok: boolean, inMaintenance: boolean): void {
    const slot = this.slotFor(cells, base, Math.floor(at / this.widthMs));
    if (slot === undefined) return;
    if (inMaintenance) cells[slot + MAINTENANCE]! += 1;
    else {
      cells[slot + RUNS]! += 1;
      if (ok) cells[slot + OK]! += 1;
    }
  }

  snapshot(cells: Int32Array, base: number): BucketSnapshot {
    const out: BucketSnapshot = [];
    for (let slot = 0; slot < this.size; slot++) {
      const at = this.cell(base, slot, 0);
      if (cells[at + INDEX]! >= 0)
        out.push([cells[at + INDEX]!, cells[at + RUNS]!, cells[at + OK]!, cells[at + MAINTENANCE]!]);
    }
    return out;
  }

  /** Adds saved counts (to a bucket this process has not filled yet, or on top of what it counted). */
  restore(cells: Int32Array, base: number, snapshot: BucketSnapshot): void {
    for (const [bucket, runs, ok, maintenance = 0] of snapshot) {
      const slot = this.slotFor(cells, base, bucket);
      if (slot === undefined) continue; // a newer bucket already owns the slot
      cells[slot + RUNS]! += runs;
      cells[slot + OK]! += ok;
      cells[slot + MAINTENANCE]! += maintenance;
    }
  }

  /** Successes over runs in the last `span` buckets up to `now`; undefined without runs. */
  ratio(cells: Int32Array, base: number, now: number, span = this.size): number | undefined {
    const newest = Math.floor(now / this.widthMs);
    let runs = 0;
    let ok = 0;
    for (let slot = 0; slot < this.size; slot++) {
      const at = this.cell(base, slot, 0);
      const bucket = cells[at + INDEX]!;
      if (bucket < 0 || bucket <= newest - span || bucket > newest) continue;
      runs += cells[at + RUNS]!;
      ok += cells[at + OK]!;
    }
    return runs === 0 ? undefined : ok / runs;
  }

  /** The counts of bucket `bucket`, zeros when it is not held. */
  counts(cells: Int32Array, base: number, bucket: number): { runs: number; ok: number; maintenance: number } {
    const at = this.cell(base, bucket % this.size, 0);
    if (cells[at + INDEX] !== bucket) return { runs: 0, ok: 0, maintenance: 0 };
    return { runs: cells[at + RUNS]!, ok: cells[at + OK]!, maintenance: cells[at + MAINTENANCE]! };
  }
}

const HOURLY = new BucketRing(0, 24, HOUR);
const DAILY = new BucketRing(24 * FIELDS, UPTIME_DAYS, DAY);
const ROW_CELLS = (HOURLY.size + DAILY.size) * FIELDS;

/** Every probe's buckets in one Int32Array, a row of 1,824 bytes each (row-slots.ts). */
export class UptimeTable {
  cells: Int32Array;
  private readonly slots: RowSlots;

  constructor(rows = 16) {
    this.cells = new Int32Array(rows * ROW_CELLS);
    this.slots = new RowSlots(rows, (more) => {
      this.cells = grown(this.cells, more * ROW_CELLS);
    });
  }

  /** A new probe's row, empty. */
  take(): number {
    const row = this.slots.take();
    HOURLY.clear(this.cells, row * ROW_CELLS);
    DAILY.clear(this.cells, row * ROW_CELLS);
    return row;
  }

  give(row: number): void {
    this.slots.give(row);
  }

  reserve(rows: number): void {
    this.slots.reserve(rows);
  }
}

/**
 * One probe's uptime: a row of the table. A short-lived view — ask the result store for it when
 * needed rather than keeping it, since a removed probe's row goes to the next probe added.
 */
export class Uptime {
  private readonly base: number;

  constructor(
    private readonly table = new UptimeTable(1),
    readonly row = table.take(),
  ) {
    this.base = row * ROW_CELLS;
  }

  record(at: number, ok: boolean, inMaintenance = false): void {
    HOURLY.record(this.table.cells, this.base, at, ok, inMaintenance);
    DAILY.record(this.table.cells, this.base, at, ok, inMaintenance);
  }

  last24h(now: number): number | undefined {
    return HOURLY.ratio(this.table.cells, this.base, now);
  }

  last30d(now: number): number | undefined {
    return DAILY.ratio(this.table.cells, this.base, now, 30);
  }

  last90d(now: number): number | undefined {
    return DAILY.ratio(this.table.cells, this.base, now);
  }

  /** The ratio over a named window: the hour buckets for 1h and 24h, the day buckets beyond. */
  over(window: UptimeWindow, now: number): number | undefined {
    const { buckets, span } = UPTIME_WINDOWS[window];
    return (buckets === 'hourly' ? HOURLY : DAILY).ratio(this.table.cells, this.base, now, span);
  }

  /** The last 90 days, oldest first, today last; days without runs have zero counts. */
  days(now: number): UptimeDay[] {
    const today = Math.floor(now / DAY);
    const out: UptimeDay[] = [];
    for (let bucket = today - UPTIME_DAYS + 1; bucket <= today; bucket++)
      out.push({ day: bucket * DAY, ...DAILY.counts(this.table.cells, this.base, bucket) });
    return out;
  }

  snapshot(): UptimeSnapshot {
    return {
      hourly: HOURLY.snapshot(this.table.cells, this.base),
      daily: DAILY.snapshot(this.table.cells, this.base),
    };
  }

  restore(snapshot: UptimeSnapshot): void {
    HOURLY.restore(this.table.cells, this.base, snapshot.hourly);
    DAILY.restore(this.table.cells, this.base, snapshot.daily);
  }
}
