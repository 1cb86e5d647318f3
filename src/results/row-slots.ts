/**
 * Rows of one width in a few large typed arrays shared by every probe, handed out and taken back
 * (a free list). Per-probe typed arrays cost far more than their bytes: each is a JS object and an
 * ArrayBuffer with a backing store of its own — at 10,000 probes the uptime and history rings were
 * about 140,000 such objects and 28 MB of overhead (a heap snapshot, docs/benchmarks.md). Here a
 * probe is a row number. The arrays double when full; the pages of rows never used are never
 * touched, so the kernel does not back them.
 */
export class RowSlots {
  private readonly free: number[] = [];
  private used = 0;

  /** `grow(rows)` makes the owner's arrays hold `rows` rows, keeping what they hold. */
  constructor(
    private rows: number,
    private readonly grow: (rows: number) => void,
  ) {}

  take(): number {
    const reused = this.free.pop();
    if (reused !== undefined) return reused;
    if (this.used === this.rows) {
      this.rows = Math.max(16, this.rows * 2);
      this.grow(this.rows);
    }
    return this.used++;
  }

  /**
   * Room for `rows` rows at least, in one step: a config's probes are reserved as it is applied,
   * so 10,000 probes do not grow the arrays ten times over (each time a copy of everything).
   */
  reserve(rows: number): void {
    if (rows <= this.rows) return;
    this.rows = rows;
    this.grow(rows);
  }

  give(row: number): void {
    this.free.push(row);
  }

  /** Rows handed out and not given back. */
  get inUse(): number {
    return this.used - this.free.length;
  }
}

type TypedArray = Float64Array | Float32Array | Int32Array | Uint16Array | Uint8Array;

/** A copy of `array` `length` long (zeros after the old end). */
export function grown<T extends TypedArray>(array: T, length: number): T {
  const next = new (array.constructor as new (length: number) => T)(length);
  next.set(array);
  return next;
}
