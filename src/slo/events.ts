/**
 * An SLO's events (probe runs: good or bad) in one-minute buckets over its whole window, so any
 * burn window and the budget's period read from the same counts. 43,200 buckets for 30 days at
 * 12 bytes each: about 520 KB per SLO, whatever the number of probes it covers.
 *
 * Bucket b holds the events in ((b-1) min, b min]: a window of length W ending at t (a whole
 * minute) sums buckets t-W+1 … t, which is what Prometheus's increase() over [W] reads from
 * counters sampled at whole minutes (its range includes both ends in 2.x), so the two agree.
 */

const MINUTE = 60_000;

/** [bucket, total, bad] for every bucket in use. */
export type EventsSnapshot = Array<[number, number, number]>;

export interface WindowCounts {
  readonly total: number;
  readonly bad: number;
}

export class SloEvents {
  private readonly size: number;
  private readonly index: Int32Array;
  private readonly total: Uint32Array;
  private readonly bad: Uint32Array;

  constructor(windowMs: number) {
    this.size = Math.ceil(windowMs / MINUTE);
    this.index = new Int32Array(this.size).fill(-1);
    this.total = new Uint32Array(this.size);
    this.bad = new Uint32Array(this.size);
  }

  private slotFor(bucket: number): number | undefined {
    const slot = bucket % this.size;
    if (this.index[slot]! > bucket) return undefined;
    if (this.index[slot] !== bucket) {
      this.index[slot] = bucket;
      this.total[slot] = 0;
      this.bad[slot] = 0;
    }
    return slot;
  }

  record(at: number, good: boolean): void {
    const slot = this.slotFor(Math.ceil(at / MINUTE));
    if (slot === undefined) return;
    this.total[slot]! += 1;
    if (!good) this.bad[slot]! += 1;
  }

  /** Events in (now - windowMs, now], counted by the minute. */
  counts(now: number, windowMs: number): WindowCounts {
    const newest = Math.ceil(now / MINUTE);
    const oldest = newest - Math.min(this.size, Math.round(windowMs / MINUTE)) + 1;
    let total = 0;
    let bad = 0;
    for (let bucket = Math.max(0, oldest); bucket <= newest; bucket++) {
      const slot = bucket % this.size;
      if (this.index[slot] !== bucket) continue;
      total += this.total[slot]!;
      bad += this.bad[slot]!;
    }
    return { total, bad };
  }

  snapshot(): EventsSnapshot {
    const out: EventsSnapshot = [];
    for (let slot = 0; slot < this.size; slot++)
      if (this.index[slot]! >= 0) out.push([this.index[slot]!, this.total[slot]!, this.bad[slot]!]);
    return out;
  }

  restore(snapshot: EventsSnapshot): void {
    for (const [bucket, total, bad] of snapshot) {
      const slot = this.slotFor(bucket);
      if (slot === undefined) continue;
      this.total[slot]! += total;
      this.bad[slot]! += bad;
    }
  }
}

/** Bad over total, or undefined without events (no events burn no budget). */
export function errorRatio(counts: WindowCounts): number | undefined {
  return counts.total === 0 ? undefined : counts.bad / counts.total;
}
