/**
 * A FIFO concurrency cap that also holds back new runs while the event loop is saturated.
 *
 * The cap (`--max-concurrency`, default 2,000) must be high: runs against stalled targets hold
 * their slots until their timeouts, and 1,000 stalled of 10,000 probes must not starve the rest.
 * But when the loop itself is the bottleneck, starting more runs only lengthens every run: more
 * objects survive young-generation GCs and get promoted, and GC then takes the CPU the probes
 * needed. So when `floor` runs started in the last `youngMs` are still going, a new run starts
 * only while the loop's utilisation over the last 20 ms is below `busyRatio`, which raised the
 * saturation throughput by a fifth. Runs older than that are waiting on a slow or stalled target,
 * cost the loop nothing, and do not count: counting every run in flight held healthy probes back
 * behind stalled ones whenever a scrape kept the loop busy for a moment. The figures and the
 * sweep the defaults come from: docs/benchmarks.md, "Figures behind the code".
 *
 * The control path comes first. While a scrape or an API request is being answered on a saturated
 * loop, no new run starts (`hold()`): every turn of the loop the answer yields to is otherwise
 * filled with new runs' callbacks, and a 20 MB scrape that yields a few hundred times took two
 * minutes (bench:control-path). And a run that waited in the queue longer than it may (its
 * interval) is shed, not started late: its next slot is due anyway, and an ever-longer queue
 * is what starved the loop. Shed runs are counted (prismwatch_probe_skipped_total{reason="shed"}).
 */
import { performance } from 'node:perf_hooks';
import { loopPressure } from '../util/loop-pressure.js';

interface LimiterOptions {
  /** Young runs in flight above which a saturated loop holds new runs back. */
  readonly floor?: number;
  /** How long a run counts as young (working the loop rather than waiting on its target). */
  readonly youngMs?: number;
  /** Event-loop utilisation (0–1) at or above which the loop counts as saturated. */
  readonly busyRatio?: number;
}

const SAMPLE_MS = 20;

/** What `run` resolves with when the run waited past its `maxWaitMs` and was dropped. */
export const SHED = Symbol('shed');

interface Waiter {
  /** Called with true to start the run, false to shed it. */
  readonly go: (start: boolean) => void;
  readonly deadline: number;
}

/** The longest a control request holds new runs back: a slow reader must not pause probing. */
const MAX_HOLD_MS = 2_000;

interface Started {
  readonly at: number;
  young: boolean;
}
const RECHECK_MS = 5;

export class Limiter {
  private active = 0;
  private readonly waiting: Waiter[] = [];
  private holds = 0;
  private readonly floor: number;
  private readonly busyRatio: number;
  private readonly youngMs: number;
  /** Runs in start order, from `head`; each leaves the young count on completion or when it ages. */
  private started: Started[] = [];
  private head = 0;
  private young = 0;
  private lastSample = performance.eventLoopUtilization();
  private lastSampleAt = performance.now();
  private saturated = false;
  private recheck: NodeJS.Timeout | undefined;

  constructor(
    readonly max: number,
    options: LimiterOptions = {},
  ) {
    this.floor = options.floor ?? 64;
    this.busyRatio = options.busyRatio ?? 0.7;
    this.youngMs = options.youngMs ?? 250;
  }

  get running(): number {
    return this.active;
  }

  get queued(): number {
    return this.waiting.length;
  }

  /**
   * Runs `task` as soon as a slot is free, in arrival order; resolves with SHED instead when it
   * waited longer than `maxWaitMs`.
   */
  async run<T>(task: () => Promise<T>, maxWaitMs = Number.POSITIVE_INFINITY): Promise<T | typeof SHED> {
    if (this.waiting.length > 0 || !this.mayStart()) {
      // release() counts the slot as taken when it lets this run go.
      const start = await new Promise<boolean>((resolve) => {
        this.waiting.push({ go: resolve, deadline: performance.now() + maxWaitMs });
        this.armRecheck();
      });
      if (!start) return SHED;
    } else {
      this.active += 1;
    }
    const started: Started = { at: performance.now(), young: true };
    this.started.push(started);
    this.young += 1;
    try {
      return await task();
    } finally {
      this.active -= 1;
      if (started.young) {
        started.young = false;
        this.young -= 1;
      }
      this.release();
    }
  }

  /**
   * Holds new runs back while the loop is saturated, until the returned function is called (at the
   * latest after 2 s): the daemon calls it as a scrape or an API request arrives and ends it once
   * the answer is written.
   */
  hold(): () => void {
    this.holds += 1;
    let ended = false;
    const end = () => {
      if (ended) return;
      ended = true;
      clearTimeout(timer);
      this.holds -= 1;
      this.release();
    };
    const timer = setTimeout(end, MAX_HOLD_MS);
    timer.unref();
    return end;
  }

  private mayStart(): boolean {
    if (this.active >= this.max) return false;
    // A hold on a loop that is not saturated holds nothing back: scrapes add no scheduling lag.
    if (this.holds > 0 && this.loopSaturated()) return false;
    return this.youngRuns() < this.floor || !this.loopSaturated();
  }

  private youngRuns(): number {
    const oldest = performance.now() - this.youngMs;
    while (this.head < this.started.length) {
      const first = this.started[this.head]!;
      if (first.young && first.at >= oldest) break;
      if (first.young) {
        first.young = false;
        this.young -= 1;
      }
      this.head += 1;
    }
    if (this.head > 1_024 && this.head * 2 > this.started.length) {
      this.started = this.started.slice(this.head);
      this.head = 0;
    }
    return this.young;
  }

  private release(): void {
    this.shedExpired();
    while (this.waiting.length > 0 && this.mayStart()) {
      this.active += 1;
      this.waiting.shift()!.go(true);
    }
    this.armRecheck();
  }

  /** Drops the runs at the head of the queue that waited past their deadline (FIFO: the oldest). */
  private shedExpired(): void {
    const now = performance.now();
    while (this.waiting.length > 0 && this.waiting[0]!.deadline <= now) this.waiting.shift()!.go(false);
  }

  /** Runs held back for saturation wait for a completion or, if none comes, this timer. */
  private armRecheck(): void {
    // Only a hold for saturation needs the timer; a full cap is released by completions.
    if (this.recheck || this.waiting.length === 0 || this.active >= this.max) return;
    this.recheck = setTimeout(() => {
      this.recheck = undefined;
      this.release();
    }, RECHECK_MS);
    this.recheck.unref();
  }

  private loopSaturated(): boolean {
    const now = performance.now();
    if (now - this.lastSampleAt >= SAMPLE_MS) {
      const sample = performance.eventLoopUtilization();
      this.saturated =
        performance.eventLoopUtilization(sample, this.lastSample).utilization >= this.busyRatio;
      loopPressure.saturated = this.saturated;
      this.lastSample = sample;
      this.lastSampleAt = now;
    }
    return this.saturated;
  }
}
