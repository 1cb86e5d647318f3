/**
 * Probing on worker threads (`--probe-workers N`, N ≥ 2): the main thread keeps scheduling,
 * recording, rules, notification, the server and /metrics; the workers run the probers. A run is
 * a message out and a result back, both batched per turn (messages.ts). Each probe goes to one
 * worker (by its id), so its keep-alive connection and the like stay with it.
 *
 * Kinds that share something across the process say `thread: 'main'` and run where they always
 * did. A worker that dies (a native crash, an out-of-memory) fails its runs in flight as
 * `internal` with the reason, is replaced, and is given the specs again: probing goes on. One
 * that keeps dying (more than five times a minute) is given up, and its probes run on the main
 * thread, as with one worker: slower, never stopped.
 */
import { Worker } from 'node:worker_threads';
import type { Logger } from 'pino';
import type { ProbeResult, ProbeSpec } from '../../model/probe.js';
import { compiledWorker } from '../../util/compiled-worker.js';
import { toTransferable } from '../../util/transferable.js';
import { proberFor } from '../index.js';
import { internalResult } from '../run-probe.js';
import { BATCH_WINDOW_MS, type FromWorker, type SpecEntry, type ToWorker } from './messages.js';

/** The compiled worker, also when this module runs from TypeScript sources (util/compiled-worker.ts). */
export const probeWorkerFile = () =>
  compiledWorker(import.meta.url, 'probers/pool/probe-worker.js', './probe-worker.js');

/** Whether a probe of this kind runs on a worker when there are workers. */
export const runsOnWorker = (spec: Pick<ProbeSpec, 'kind'>) => proberFor(spec.kind)?.thread !== 'main';

interface Pending {
  readonly resolve: (outcome: { result: ProbeResult; internalError: boolean }) => void;
  readonly startedAt: number;
}

/** A worker that ends this often within a minute is given up: its probes run on the main thread. */
const MAX_RESTARTS_A_MINUTE = 5;

class ProbeWorker {
  worker!: Worker;
  readonly pending = new Map<number, Pending>();
  private queued: Array<readonly [number, number, number]> = [];
  /** When it was replaced, newest last (the last minute's). */
  private restarts: number[] = [];
  /** Given up on: it kept ending (a module that cannot load, a native crash at every run). */
  broken = false;

  constructor(
    private readonly file: string,
    private readonly options: WorkerPoolOptions,
    private readonly onExit: (self: ProbeWorker, reason: string) => void,
  ) {
    this.start();
  }

  start(): void {
    const worker = new Worker(this.file, {
      workerData: { logLevel: this.options.log.level },
      // Its stdout/stderr are the daemon's (a prober that writes there directly is a bug anyway).
      stdout: false,
      stderr: false,
    });
    this.worker = worker;
    worker.on('message', (message: FromWorker) => this.receive(message));
    worker.on('error', (error) => this.options.log.error({ err: error }, 'A probe worker failed'));
    worker.on('exit', (code) => {
      if (this.worker === worker) this.onExit(this, `the probe worker exited with code ${code}`);
    });
  }

  post(message: ToWorker): void {
    this.worker.postMessage(message);
  }

  run(
    runId: number,
    specId: number,
    startedAt: number,
  ): Promise<{ result: ProbeResult; internalError: boolean }> {
    return new Promise((resolve) => {
      this.pending.set(runId, { resolve, startedAt });
      if (this.queued.length === 0) setTimeout(() => this.flush(), BATCH_WINDOW_MS);
      this.queued.push([runId, specId, startedAt]);
    });
  }

  /** One message for the runs the scheduler started in the last few milliseconds. */
  private flush(): void {
    const runs = this.queued;
    this.queued = [];
    if (runs.length > 0) this.post({ type: 'runs', runs });
  }

  private receive(message: FromWorker): void {
    if (message.type === 'results') {
      for (const [runId, result, internalError] of message.outcomes) {
        const pending = this.pending.get(runId);
        this.pending.delete(runId);
        pending?.resolve({ result, internalError });
      }
      return;
    }
    const logger =
      Object.keys(message.bindings).length > 0 ? this.options.log.child(message.bindings) : this.options.log;
    if (message.message === undefined) logger[message.level](message.fields);
    else logger[message.level](message.fields, message.message);
  }

  /** Notes a replacement; false once it has ended too often to be worth another. */
  mayRestart(now: number): boolean {
    this.restarts = [...this.restarts.filter((at) => now - at < 60_000), now];
    if (this.restarts.length > MAX_RESTARTS_A_MINUTE) this.broken = true;
    return !this.broken;
  }

  /** Fails every run in flight: the worker that had them is gone. */
  failPending(reason: string): number {
    const now = Date.now();
    const failed = this.pending.size;
    for (const { resolve, startedAt } of this.pending.values())
      resolve({
        result: internalResult(startedAt, Math.max(startedAt, now), `${reason}; the run was lost with it`),
        internalError: true,
      });
    this.pending.clear();
    return failed;
  }
}

export interface WorkerPoolOptions {
  readonly workers: number;
  readonly log: Logger;
  /**
   * A worker died (its runs in flight come back as internal errors); `replaced` is false when it
   * ended too often and its probes now run on the main thread.
   */
  readonly onWorkerLost?: (reason: string, runsLost: number, replaced: boolean) => void;
}

export class ProbeWorkerPool {
  private readonly workers: ProbeWorker[];
  private readonly ids = new WeakMap<ProbeSpec, number>();
  /** The specs the workers hold, by id (the ids of the specs configured now). */
  private held = new Map<number, ProbeSpec>();
  private nextSpecId = 1;
  private nextRunId = 1;
  private stopped = false;

  constructor(
    file: string,
    private readonly options: WorkerPoolOptions,
  ) {
    this.workers = Array.from(
      { length: options.workers },
      () => new ProbeWorker(file, options, (w, r) => this.lost(w, r)),
    );
  }

  /** The workers hold exactly these specs (those whose kind runs on a worker). */
  sync(specs: readonly ProbeSpec[]): void {
    const next = new Map<number, ProbeSpec>();
    const upsert: SpecEntry[][] = this.workers.map(() => []);
    for (const spec of specs) {
      if (!runsOnWorker(spec)) continue;
      let id = this.ids.get(spec);
      if (id === undefined) {
        id = this.nextSpecId++;
        this.ids.set(spec, id);
        upsert[id % this.workers.length]!.push([id, toTransferable(spec)]);
      }
      next.set(id, spec);
    }
    const remove: number[][] = this.workers.map(() => []);
    for (const id of this.held.keys()) if (!next.has(id)) remove[id % this.workers.length]!.push(id);
    this.held = next;
    this.workers.forEach((worker, index) => {
      if (upsert[index]!.length > 0 || remove[index]!.length > 0)
        worker.post({ type: 'specs', upsert: upsert[index]!, remove: remove[index]! });
    });
  }

  /**
   * Runs a probe on its worker; undefined when this spec is not one the workers hold (its kind
   * runs on the main thread, or a reload replaced it before its run started).
   */
  run(
    spec: ProbeSpec,
    startedAt: number,
  ): Promise<{ result: ProbeResult; internalError: boolean }> | undefined {
    const id = this.ids.get(spec);
    if (id === undefined || !this.held.has(id) || this.stopped) return undefined;
    const worker = this.workers[id % this.workers.length]!;
    return worker.broken ? undefined : worker.run(this.nextRunId++, id, startedAt);
  }

  /** Cuts every run in flight off (they come back as aborted runs, then the workers end). */
  abort(): void {
    for (const worker of this.workers) worker.post({ type: 'abort' });
  }

  async stop(): Promise<void> {
    this.stopped = true;
    await Promise.all(
      this.workers.map(async (worker) => {
        const running = worker.worker;
        await running.terminate();
        worker.failPending('prismwatch stopped');
      }),
    );
  }

  private lost(worker: ProbeWorker, reason: string): void {
    const runsLost = worker.failPending(reason);
    if (this.stopped) return;
    const replaced = worker.mayRestart(Date.now());
    this.options.onWorkerLost?.(reason, runsLost, replaced);
    if (!replaced) return;
    worker.start();
    // The new thread holds nothing yet: give it its share of the specs again.
    const index = this.workers.indexOf(worker);
    const upsert: SpecEntry[] = [];
    for (const [id, spec] of this.held)
      if (id % this.workers.length === index) upsert.push([id, toTransferable(spec)]);
    worker.post({ type: 'specs', upsert, remove: [] });
  }
}
