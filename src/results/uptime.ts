/**
 * Uptime over 24 hours, 30 days and 90 days, per probe, in fixed memory: 24 hourly and 90 daily
 * buckets of (runs, successes, runs in maintenance), 1,824 bytes a probe (18 MB at 10,000
 * probes). The sample history is far too short for these windows, and keeping every sample for
 * 90 days would cost gigabytes at 10,000 probes. A window's ratio covers the buckets it overlaps,
 * so "24 h" means the current hour and the 23 before it. The daemon saves them to the state store
 * every few minutes and on shutdown, so the figures survive restarts (a crash loses at most the
 * last few minutes of counts).
 *
 * A run inside a maintenance window that leaves uptime out (muting/maintenance.ts) counts only as
 * a maintenance run: it neither helps nor hurts the ratio, and the day's bar is marked.
 */

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

class Buckets {
  /** Hours or days since the epoch fit in 31 bits for millennia; -1 marks an unused slot. */
  private readonly index: Int32Array;
  private readonly runs: Uint32Array;
  private readonly ok: Uint32Array;
  private readonly maintenance: Uint32Array;

  constructor(
    private readonly size: number,
    private readonly widthMs: number,
  ) {
    this.index = new Int32Array(size).fill(-1);
    this.runs = new Uint32Array(size);
    this.ok = new Uint32Array(size);
    this.maintenance = new Uint32Array(size);
  }

  /** The slot of `bucket`, emptied first when an older bucket held it; undefined for a stale one. */
  private slotFor(bucket: number): number | undefined {
    const slot = bucket % this.size;
    if (this.index[slot]! > bucket) return undefined;
    if (this.index[slot] !== bucket) {
      this.index[slot] = bucket;
      this.runs[slot] = 0;
      this.ok[slot] = 0;
      this.maintenance[slot] = 0;
    }
    return slot;
  }

  record(at: number, ok: boolean, inMaintenance: boolean): void {
    const slot = this.slotFor(Math.floor(at / this.widthMs));
    if (slot === undefined) return;
    if (inMaintenance) this.maintenance[slot]! += 1;
    else {
      this.runs[slot]! += 1;
      if (ok) this.ok[slot]! += 1;
    }
  }

  snapshot(): BucketSnapshot {
    const out: BucketSnapshot = [];
    for (let slot = 0; slot < this.size; slot++) {
      if (this.index[slot]! >= 0)
        out.push([this.index[slot]!, this.runs[slot]!, this.ok[slot]!, this.maintenance[slot]!]);
    }
    return out;
  }

  /** Adds saved counts (to a bucket this process has not filled yet, or on top of what it counted). */
  restore(snapshot: BucketSnapshot): void {
    for (const [bucket, runs, ok, maintenance = 0] of snapshot) {
      const slot = this.slotFor(bucket);
      if (slot === undefined) continue; // a newer bucket already owns the slot
      this.runs[slot]! += runs;
      this.ok[slot]! += ok;
      this.maintenance[slot]! += maintenance;
    }
  }

  /** Successes over runs in the last `span` buckets up to `now`; undefined without runs. */
  ratio(now: number, span = this.size): number | undefined {
    const newest = Math.floor(now / this.widthMs);
    let runs = 0;
    let ok = 0;
    for (let slot = 0; slot < this.size; slot++) {
      const bucket = this.index[slot]!;
      if (bucket < 0 || bucket <= newest - span || bucket > newest) continue;
      runs += this.runs[slot]!;
      ok += this.ok[slot]!;
    }
    return runs === 0 ? undefined : ok / runs;
  }

  /** The counts of bucket `bucket`, zeros when it is not held. */
  counts(bucket: number): { runs: number; ok: number; maintenance: number } {
    const slot = bucket % this.size;
    if (this.index[slot] !== bucket) return { runs: 0, ok: 0, maintenance: 0 };
    return { runs: this.runs[slot]!, ok: this.ok[slot]!, maintenance: this.maintenance[slot]! };
  }
}

export class Uptime {
  private readonly hourly = new Buckets(24, HOUR);
  private readonly daily = new Buckets(UPTIME_DAYS, DAY);

  record(at: number, ok: boolean, inMaintenance = false): void {
    this.hourly.record(at, ok, inMaintenance);
    this.daily.record(at, ok, inMaintenance);
  }

  last24h(now: number): number | undefined {
    return this.hourly.ratio(now);
  }

  last30d(now: number): number | undefined {
    return this.daily.ratio(now, 30);
  }

  last90d(now: number): number | undefined {
    return this.daily.ratio(now);
  }

  /** The ratio over a named window: the hour buckets for 1h and 24h, the day buckets beyond. */
  over(window: UptimeWindow, now: number): number | undefined {
    const { buckets, span } = UPTIME_WINDOWS[window];
    return (buckets === 'hourly' ? this.hourly : this.daily).ratio(now, span);
  }

  /** The last 90 days, oldest first, today last; days without runs have zero counts. */
  days(now: number): UptimeDay[] {
    const today = Math.floor(now / DAY);
    const out: UptimeDay[] = [];
    for (let bucket = today - UPTIME_DAYS + 1; bucket <= today; bucket++)
      out.push({ day: bucket * DAY, ...this.daily.counts(bucket) });
    return out;
  }

  snapshot(): UptimeSnapshot {
    return { hourly: this.hourly.snapshot(), daily: this.daily.snapshot() };
  }

  restore(snapshot: UptimeSnapshot): void {
    this.hourly.restore(snapshot.hourly);
    this.daily.restore(snapshot.daily);
  }
}
