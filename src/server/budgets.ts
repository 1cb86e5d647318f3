/**
 * Budgets for what anyone may ask without a token (heartbeat pings, the status page, artifacts):
 * a token bucket per source address and a cap on such requests in flight at once. A flood from
 * one address runs out its own bucket; a flood from many runs into the cap; either way /metrics,
 * /-/healthy, the token holders' API and, above all, the probes keep their share of the loop.
 * Answers past a budget are 429 with Retry-After, as rate-limited APIs answer prismwatch itself.
 *
 * The bucket table is bounded: past MAX_SOURCES the least recently seen source is forgotten
 * (Map keeps insertion order; a source is re-inserted on each request), so a spray of source
 * addresses costs memory in proportion to the cap, not to the spray.
 */

export interface BudgetLimits {
  /** Requests per second one source may sustain. */
  readonly ratePerSecond: number;
  /** Requests one source may make in a burst above the rate. */
  readonly burst: number;
  /** Budgeted requests being answered at once, from all sources together. */
  readonly maxInFlight: number;
}

export const DEFAULT_BUDGET_LIMITS: BudgetLimits = { ratePerSecond: 20, burst: 60, maxInFlight: 64 };

const MAX_SOURCES = 10_000;

export type BudgetRefusal = { readonly reason: 'rate' | 'concurrency'; readonly retryAfterSeconds: number };

interface Bucket {
  tokens: number;
  at: number;
}

export class RequestBudget {
  private readonly buckets = new Map<string, Bucket>();
  private inFlight = 0;

  constructor(
    readonly limits: BudgetLimits,
    private readonly now: () => number = Date.now,
  ) {}

  /** Takes one request's worth for `source`: a release function, or why it is refused. */
  take(source: string): (() => void) | BudgetRefusal {
    const now = this.now();
    const bucket = this.buckets.get(source) ?? { tokens: this.limits.burst, at: now };
    this.buckets.delete(source);
    bucket.tokens = Math.min(
      this.limits.burst,
      bucket.tokens + ((now - bucket.at) / 1000) * this.limits.ratePerSecond,
    );
    bucket.at = now;
    this.buckets.set(source, bucket);
    if (this.buckets.size > MAX_SOURCES) this.buckets.delete(this.buckets.keys().next().value!);
    if (bucket.tokens < 1) {
      const wait = (1 - bucket.tokens) / this.limits.ratePerSecond;
      return { reason: 'rate', retryAfterSeconds: Math.max(1, Math.ceil(wait)) };
    }
    if (this.inFlight >= this.limits.maxInFlight) return { reason: 'concurrency', retryAfterSeconds: 1 };
    bucket.tokens -= 1;
    this.inFlight += 1;
    let released = false;
    return () => {
      if (released) return;
      released = true;
      this.inFlight -= 1;
    };
  }

  /** Requests under this budget being answered now. */
  get active(): number {
    return this.inFlight;
  }

  /** Sources with a bucket remembered. */
  get sources(): number {
    return this.buckets.size;
  }
}
