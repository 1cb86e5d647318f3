/**
 * When each probe runs. Interval probes share one min-heap and one timer; cron probes use node-cron.
 * A run still going when the next is due is never overlapped: the new one is skipped and counted.
 * A global cap bounds concurrent runs. Lag (actual start − planned start) is reported per run.
 */

import cron, { type ScheduledTask } from 'node-cron';
import type { ProbeSpec } from '../model/probe.js';
import { preciseNow } from '../util/clock.js';
import { timerDelay } from '../util/timer.js';
import { MinHeap } from './heap.js';
import { Limiter, SHED } from './limiter.js';

import { nextDueAt, phaseOffsetMs } from './offset.js';
import type { SkipReason } from './skip-reasons.js';

/** The least a queued run waits before it is shed, however short its interval. */
const SHED_FLOOR_MS = 10_000;

export interface ScheduledRun {
  readonly spec: ProbeSpec;
  /** Epoch ms the run was due. */
  readonly plannedAt: number;
  /** Epoch ms it actually started (after any wait for a concurrency slot). */
  readonly startedAt: number;
}

interface SchedulerHooks {
  /** Runs the probe; should not throw (the runner contains prober errors). */
  run(run: ScheduledRun): Promise<void>;
  /**
   * `run` threw anyway (a bug past the prober: recording, metrics). The scheduler's last guard:
   * without it the rejection would be unhandled and end the process.
   */
  failed(spec: ProbeSpec, error: unknown): void;
  skipped(spec: ProbeSpec, reason: SkipReason): void;
  started(lagMs: number): void;
}

interface SchedulerOptions {
  readonly now?: () => number;
  readonly maxConcurrency: number;
  readonly hooks: SchedulerHooks;
}

interface IntervalEntry {
  readonly spec: ProbeSpec & { intervalMs: number };
  readonly offsetMs: number;
  due: number;
  /** False until the first run: that one comes early (see FIRST_RUN_SPREAD_MS), off its slot. */
  onSlot: boolean;
  removed: boolean;
}

/**
 * A new probe runs once within this much of being added, whatever its interval, then keeps its
 * hashed slot. Waiting for the slot left an hourly probe "not run yet" for up to an hour after
 * start, and the status page UNKNOWN. The spread (by the same hash) keeps a start with 10,000
 * probes from sending them all in the same millisecond; the concurrency cap does the rest.
 */
const FIRST_RUN_SPREAD_MS = 10_000;

export class Scheduler {
  private readonly now: () => number;
  private readonly heap = new MinHeap<IntervalEntry>((entry) => entry.due);
  private readonly intervals = new Map<string, IntervalEntry>();
  private readonly crons = new Map<string, { spec: ProbeSpec; task: ScheduledTask }>();
  /** Probes with a run in progress or waiting for a slot. */
  private readonly busy = new Map<string, Promise<void>>();
  private readonly limiter: Limiter;
  private timer: NodeJS.Timeout | undefined;
  private timerDue = Number.POSITIVE_INFINITY;
  private started = false;

  constructor(private readonly options: SchedulerOptions) {
    this.now = options.now ?? preciseNow;
    this.limiter = new Limiter(options.maxConcurrency);
  }

  get running(): number {
    return this.limiter.running;
  }

  get queued(): number {
    return this.limiter.queued;
  }

  get size(): number {
    return this.intervals.size + this.crons.size;
  }

  start(): void {
    this.started = true;
    for (const { task } of this.crons.values()) void task.start();
    this.arm();
  }

  /** Makes the scheduled set equal to `specs`; unchanged probes (same object) keep their slot. */
  sync(specs: readonly ProbeSpec[]): void {
    const wanted = new Map(specs.map((spec) => [spec.name, spec]));
    for (const [name, entry] of this.intervals) {
      if (wanted.get(name) !== entry.spec) this.removeInterval(name);
    }
    for (const [name, entry] of this.crons) {
      if (wanted.get(name) !== entry.spec) {
        void entry.task.destroy();
        this.crons.delete(name);
      }
    }
    for (const spec of specs) {
      if (this.intervals.has(spec.name) || this.crons.has(spec.name)) continue;
      if (spec.schedule !== undefined) this.addCron(spec);
      else this.addInterval(spec as IntervalEntry['spec']);
    }
    this.arm();
  }

  private addInterval(spec: IntervalEntry['spec']): void {
    const offsetMs = phaseOffsetMs(spec.name, spec.intervalMs);
    const now = this.now();
    const onSlot = nextDueAt(now, spec.intervalMs, offsetMs);
    const early = now + (offsetMs % Math.min(spec.intervalMs, FIRST_RUN_SPREAD_MS));
    const entry: IntervalEntry = {
      spec,
      offsetMs,
      due: Math.min(onSlot, early),
      onSlot: onSlot <= early,
      removed: false,
    };
    this.intervals.set(spec.name, entry);
    this.heap.push(entry);
  }

  private removeInterval(name: string): void {
    const entry = this.intervals.get(name);
    if (entry) entry.removed = true; // lazily dropped when it reaches the top of the heap
    this.intervals.delete(name);
  }

  private addCron(spec: ProbeSpec): void {
    const task = cron.createTask(spec.schedule!, (context) => this.dispatch(spec, context.date.getTime()), {
      name: `probe:${spec.name}`,
    });
    this.crons.set(spec.name, { spec, task });
    if (this.started) void task.start();
  }

  private arm(): void {
    if (!this.started) return;
    const next = this.heap.peek();
    if (!next) return;
    if (this.timer && next.due >= this.timerDue) return;
    if (this.timer) clearTimeout(this.timer);
    this.timerDue = next.due;
    // A far-off run (an interval of months) is reached in steps: tick() finds nothing due and re-arms.
    this.timer = setTimeout(() => this.tick(), timerDelay(next.due - this.now()));
  }

  private tick(): void {
    this.timer = undefined;
    this.timerDue = Number.POSITIVE_INFINITY;
    const now = this.now();
    for (let entry = this.heap.peek(); entry && entry.due <= now; entry = this.heap.peek()) {
      this.heap.pop();
      if (entry.removed) continue;
      const plannedAt = entry.due;
      if (entry.onSlot) entry.due += entry.spec.intervalMs;
      else {
        // After the early first run, the first slot at least half an interval later: an hourly
        // rate-limit probe must not send its burst twice in a minute.
        entry.due = nextDueAt(plannedAt + entry.spec.intervalMs / 2, entry.spec.intervalMs, entry.offsetMs);
        entry.onSlot = true;
      }
      if (entry.due <= now) {
        // Fell more than a whole interval behind (a suspended process, a blocked loop): run once
        // now and count the slots that passed, rather than firing a burst of catch-up runs.
        const missed = Math.floor((now - plannedAt) / entry.spec.intervalMs);
        for (let i = 0; i < missed; i++) this.options.hooks.skipped(entry.spec, 'missed');
        entry.due = nextDueAt(now + 1, entry.spec.intervalMs, entry.offsetMs);
      }
      this.heap.push(entry);
      this.dispatch(entry.spec, plannedAt);
    }
    this.arm();
  }

  /**
   * Runs a probe now, outside its slots, when something it judges just changed (a heartbeat was
   * pinged); its slots stay as they were. Nothing happens while it is already running.
   */
  runNow(name: string): void {
    const spec = this.intervals.get(name)?.spec ?? this.crons.get(name)?.spec;
    if (spec && !this.busy.has(name)) this.dispatch(spec, this.now());
  }

  private dispatch(spec: ProbeSpec, plannedAt: number): void {
    if (!this.started) return;
    if (this.busy.has(spec.name)) {
      this.options.hooks.skipped(spec, 'overlap');
      return;
    }
    const done = this.limiter
      .run(
        async () => {
          // Held by the limiter (a saturated loop) until after stop(): a run that had not started
          // by then never starts. One that did, with the clock past the shutdown, once wrote a
          // heartbeat's state into the store of a daemon already closing (heartbeat restart test).
          if (!this.started) return;
          const startedAt = this.now();
          this.options.hooks.started(startedAt - plannedAt);
          await this.options.hooks.run({ spec, plannedAt, startedAt });
        },
        // Waiting a whole interval (and at least 10 s), the run is stale and its next slot is due:
        // dropped, counted. The floor keeps a brief saturation from leaving gaps in fast probes'
        // data, which let a firing alert resolve and fire again (the paging scenario, stressed).
        Math.max(SHED_FLOOR_MS, spec.intervalMs ?? spec.timeoutMs),
      )
      .then((outcome) => {
        if (outcome === SHED && this.started) this.options.hooks.skipped(spec, 'shed');
      })
      .catch((error: unknown) => this.options.hooks.failed(spec, error))
      .finally(() => this.busy.delete(spec.name));
    this.busy.set(spec.name, done);
  }

  /** Holds new runs back while the control path answers on a saturated loop (limiter.ts). */
  holdForControl(): () => void {
    return this.limiter.hold();
  }

  /** Stops starting runs; resolves when in-flight runs finish or `graceMs` passes. Returns how many were cut off. */
  async stop(graceMs: number): Promise<number> {
    this.started = false;
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    for (const { task } of this.crons.values()) void task.destroy();
    this.crons.clear();
    const inFlight = [...this.busy.values()];
    if (inFlight.length === 0) return 0;
    let timer: NodeJS.Timeout | undefined;
    const graceOver = new Promise<'timeout'>((resolve) => {
      timer = setTimeout(() => resolve('timeout'), graceMs);
    });
    const outcome = await Promise.race([Promise.allSettled(inFlight).then(() => 'done' as const), graceOver]);
    clearTimeout(timer);
    return outcome === 'done' ? 0 : this.busy.size;
  }
}
