/**
 * Uptime over 24 hours and 30 days, per probe, in fixed memory: 24 hourly and 30 daily buckets of
 * (runs, successes), about 650 bytes a probe. The 30-minute sample history is far too short for
 * these windows and keeping every sample for 30 days would cost gigabytes at 10,000 probes.
 * A window's ratio covers the buckets it overlaps, so "24 h" means the current hour and the 23
 * before it. The daemon saves them to the state store every few minutes and on shutdown, so the
 * 30-day figure survives restarts (a crash loses at most the last few minutes of counts).
 */

/** [bucket index, runs, successes] for each bucket in use. */
type BucketSnapshot = Array<[number, number, number]>;

export interface UptimeSnapshot {
  readonly hourly: BucketSnapshot;
  readonly daily: BucketSnapshot;
}
const HOUR = 3_600_000;
const DAY = 24 * HOUR;

class Buckets {
  private readonly index: Float64Array;
  private readonly runs: Uint32Array;
  private readonly ok: Uint32Array;

  constructor(
    private readonly size: number,
    private readonly widthMs: number,
  ) {
    this.index = new Float64Array(size).fill(-1);
    this.runs = new Uint32Array(size);
    this.ok = new Uint32Array(size);
  }

  record(at: number, ok: boolean): void {
    const bucket = Math.floor(at / this.widthMs);
    const slot = bucket % this.size;
    if (this.index[slot] !== bucket) {
      this.index[slot] = bucket;
      this.runs[slot] = 0;
      this.ok[slot] = 0;
    }
    this.runs[slot]! += 1;
    if (ok) this.ok[slot]! += 1;
  }

  snapshot(): BucketSnapshot {
    const out: BucketSnapshot = [];
    for (let slot = 0; slot < this.size; slot++) {
      if (this.index[slot]! >= 0) out.push([this.index[slot]!, this.runs[slot]!, this.ok[slot]!]);
    }
    return out;
  }

  /** Adds saved counts (to a bucket this process has not filled yet, or on top of what it counted). */
  restore(snapshot: BucketSnapshot): void {
    for (const [bucket, runs, ok] of snapshot) {
      const slot = bucket % this.size;
      if (this.index[slot]! > bucket) continue; // a newer bucket already owns the slot
      if (this.index[slot] !== bucket) {
        this.index[slot] = bucket;
        this.runs[slot] = 0;
        this.ok[slot] = 0;
      }
      this.runs[slot]! += runs;
      this.ok[slot]! += ok;
    }
  }

  /** Successes over runs in the buckets of the last `size` widths up to `now`; undefined without runs. */
  ratio(now: number): number | undefined {
    const newest = Math.floor(now / this.widthMs);
    let runs = 0;
    let ok = 0;
    for (let slot = 0; slot < this.size; slot++) {
      const bucket = this.index[slot]!;
      if (bucket < 0 || bucket <= newest - this.size || bucket > newest) continue;
      runs += this.runs[slot]!;
      ok += this.ok[slot]!;
    }
    return runs === 0 ? undefined : ok / runs;
  }
}

export class Uptime {
  private readonly hourly = new Buckets(24, HOUR);
  private readonly daily = new Buckets(30, DAY);

  record(at: number, ok: boolean): void {
    this.hourly.record(at, ok);
    this.daily.record(at, ok);
  }

  last24h(now: number): number | undefined {
    return this.hourly.ratio(now);
  }

  last30d(now: number): number | undefined {
    return this.daily.ratio(now);
  }

  snapshot(): UptimeSnapshot {
    return { hourly: this.hourly.snapshot(), daily: this.daily.snapshot() };
  }

  restore(snapshot: UptimeSnapshot): void {
    this.hourly.restore(snapshot.hourly);
    this.daily.restore(snapshot.daily);
  }
}
