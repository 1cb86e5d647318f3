/**
 * The probing half of the daemon, which exists from construction: the scheduler runs probes,
 * each result that still applies goes through the result sink into history, SLO counts, probe
 * metrics and the transition log. A config's share is its probes (schedule, series, retention)
 * and SLOs; the control plane reads what is recorded here.
 */
import { setMaxListeners } from 'node:events';
import { join } from 'node:path';
import type { Logger } from 'pino';
import type { Config } from '../config/load.js';
import type { ProbeDiff } from '../config/probe-diff.js';
import { PathEvidence } from '../diagnostics/path-evidence.js';
import { ProbeMetricsSlot } from '../metrics/probe-metrics-slot.js';
import type { SelfMetrics } from '../metrics/self-metrics.js';
import type { ProbeResult, ProbeSpec } from '../model/probe.js';
import type { ResultSink } from '../model/sinks.js';
import type { MaintenanceWindows } from '../muting/maintenance.js';
import type { KindInbox } from '../probers/definition.js';
import { ProbeWorkerPool, probeWorkerFile } from '../probers/pool/worker-pool.js';
import { runProbe } from '../probers/run-probe.js';
import { Artifacts } from '../results/artifacts.js';
import { DEFAULT_HISTORY_RETENTION_MS, ResultStore } from '../results/history.js';
import { TransitionLog } from '../results/transitions.js';
import { AlertEvaluator } from '../rules/evaluator.js';
import { durationBuckets } from '../rules/latency-buckets.js';
import { type ScheduledRun, Scheduler } from '../scheduler/scheduler.js';
import { SloEngine } from '../slo/engine.js';
import { SloMetrics } from '../slo/slo-metrics.js';
import type { RunSpans } from '../tracing/otlp-spans.js';
import { resultSink } from './result-sink.js';

export const DEFAULT_MAX_CONCURRENCY = 2_000;

export interface ProbePlaneOptions {
  readonly log: Logger;
  readonly now: () => number;
  readonly selfMetrics: SelfMetrics;
  readonly maxConcurrency?: number;
  /** Worker threads that run probes (probers/pool); 1 or unset: the main thread runs them. */
  readonly probeWorkers?: number;
  readonly historyRetentionMs?: number;
  /** Screenshots and the like go to <data dir>/artifacts (kept a few per probe, served). */
  readonly dataDir?: string;
  /** Whether a finished run's spec is still configured (a reload may have replaced it meanwhile). */
  readonly isCurrent: (spec: ProbeSpec) => boolean;
  /** Parts of the control plane a run reads, once it exists. */
  readonly maintenance: () => Pick<MaintenanceWindows, 'covering'> | undefined;
  readonly inboxOf: (kind: string) => KindInbox | undefined;
  /** Traced runs as OTLP spans, when `--tracing.otlp-endpoint` is given. */
  readonly spans?: Pick<RunSpans, 'record'>;
}

export class ProbePlane {
  readonly results: ResultStore;
  readonly evaluator = new AlertEvaluator();
  readonly probeMetrics = new ProbeMetricsSlot();
  readonly artifacts: Artifacts;
  private readonly paths: PathEvidence;
  readonly slos: SloEngine;
  readonly scheduler: Scheduler;
  private readonly transitions: TransitionLog;
  private readonly sink: ResultSink;
  private readonly shutdown = new AbortController();
  /**
   * Undefined when probes run on the main thread. Made with the first config, not before: a
   * daemon that refuses its config at start must not leave worker threads holding it open.
   */
  private pool: ProbeWorkerPool | undefined;
  private poolMade = false;

  constructor(private readonly options: ProbePlaneOptions) {
    const { log, selfMetrics } = options;
    // Every in-flight run listens on the shutdown signal; thousands at once is by design.
    setMaxListeners(0, this.shutdown.signal);
    this.results = new ResultStore(options.historyRetentionMs);
    this.artifacts = new Artifacts(
      options.dataDir ? join(options.dataDir, 'artifacts') : undefined,
      Date.now,
      (error) => log.error({ err: error }, 'Could not keep a probe artifact (screenshot)'),
    );
    this.transitions = new TransitionLog(log);
    this.paths = new PathEvidence({ results: this.results, log: log.child({ component: 'paths' }) });
    this.slos = new SloEngine(new SloMetrics(selfMetrics.registry));
    const sink = resultSink({
      results: this.results,
      slos: this.slos,
      probeMetrics: () => this.probeMetrics.current,
      transitions: this.transitions,
      maintenance: options.maintenance,
      ...(options.spans ? { spans: options.spans } : {}),
      paths: this.paths,
    });
    this.sink = sink;
    this.scheduler = new Scheduler({
      now: options.now,
      maxConcurrency: options.maxConcurrency ?? DEFAULT_MAX_CONCURRENCY,
      hooks: {
        run: async (run) => {
          const result = await this.execute(run);
          if (result) sink.record(run.spec, result);
        },
        skipped: (spec, reason) => this.probeMetrics.current.skip(spec, reason),
        started: (lagMs) => selfMetrics.schedulerLag.observe(Math.max(0, lagMs) / 1000),
        failed: (spec, error) => {
          selfMetrics.probeInternalErrors.inc();
          log.error(
            { err: error, probe: spec.name },
            'Recording a probe run failed (a prismwatch bug); probing continues',
          );
        },
      },
    });
  }

  /**
   * A result an agent sent for one of its location's copies of a probe: the same way into history,
   * SLO counts, metrics and the transition log as a run of this daemon's own.
   */
  record(spec: ProbeSpec, result: ProbeResult): void {
    this.sink.record(spec, result);
  }

  /** What the server shows of this plane. */
  parts() {
    return { results: this.results, evaluator: this.evaluator, slos: this.slos, artifacts: this.artifacts };
  }

  /** Runs totalled over all probes since start (or since their last change). */
  totals(): { runs: number; failures: number; skipped: number } {
    return this.probeMetrics.current.totals();
  }

  /** The probes' share of a new config; unchanged probes keep their spec objects (and slots). */
  apply(config: Config, diff: ProbeDiff): void {
    const { probes } = config;
    const edges = durationBuckets(config.rules, config.slos);
    this.probeMetrics.configure(probes, [...diff.removed, ...diff.replaced], edges);
    for (const spec of diff.removed) this.transitions.forget(spec.name);
    this.results.retain(new Set(probes.map((spec) => spec.name)));
    // Windowed rules read the samples: never keep fewer than the longest window asks for.
    const windows = config.rules.map((rule) => rule.windowMs);
    const retention = this.options.historyRetentionMs ?? DEFAULT_HISTORY_RETENTION_MS;
    this.results.setRetention(Math.max(retention, ...windows));
    // Room for the new probes' rows in one step (those that have theirs are passed over).
    this.results.reserve(probes);
    this.slos.configure(config.slos, probes, this.options.now());
    // Agents run their locations' copies; this daemon keeps their results, not their schedule.
    const own = probes.filter((spec) => !spec.agent);
    // The workers hold the new specs before the scheduler can start a run of one.
    if (!this.poolMade) {
      this.poolMade = true;
      this.pool = this.makePool();
    }
    this.pool?.sync(own);
    this.scheduler.sync(own);
    this.options.selfMetrics.probesConfigured.reset();
    for (const spec of probes) this.options.selfMetrics.probesConfigured.inc({ kind: spec.kind });
  }

  /** A run's result, or undefined when it no longer applies (shutdown cut it off, or a reload). */
  private async execute(run: ScheduledRun) {
    const { spec } = run;
    const onWorker = this.pool?.run(spec, run.startedAt);
    const result = onWorker
      ? await this.fromWorker(onWorker)
      : await runProbe(spec, {
          inbox: this.options.inboxOf(spec.kind),
          artifacts: this.artifacts,
          log: this.options.log,
          now: this.options.now,
          signal: this.shutdown.signal,
          startedAt: run.startedAt,
          onInternalError: () => this.options.selfMetrics.probeInternalErrors.inc(),
        });
    // Cut off by shutdown is not a fact about the target.
    if (this.shutdown.signal.aborted || !this.options.isCurrent(spec)) return undefined;
    return result;
  }

  private makePool(): ProbeWorkerPool | undefined {
    const { log } = this.options;
    // The environment variable here, not only in the CLI: `PRISMWATCH_PROBE_WORKERS=2 npm test`
    // runs every daemon of the suite on workers (one must behave as the other).
    const probeWorkers = this.options.probeWorkers ?? (Number(process.env.PRISMWATCH_PROBE_WORKERS) || 1);
    if (probeWorkers < 2) return undefined;
    const file = probeWorkerFile();
    if (!file) {
      log.warn(
        { probe_workers: probeWorkers },
        'No compiled probe worker next to this build; probes run on the main thread',
      );
      return undefined;
    }
    log.info({ probe_workers: probeWorkers }, 'Probes run on worker threads');
    this.options.selfMetrics.probeWorkers.set(probeWorkers);
    return new ProbeWorkerPool(file, {
      workers: probeWorkers,
      log,
      // Its lost runs come back as internal failures, and are counted as those.
      onWorkerLost: (reason, runsLost, replaced) => {
        if (!replaced) {
          this.options.selfMetrics.probeWorkers.dec();
          log.error(
            { reason, runs_lost: runsLost },
            'A probe worker kept ending (more than 5 times a minute); its probes run on the main thread from now on',
          );
          return;
        }
        this.options.selfMetrics.probeWorkerRestarts.inc();
        log.error(
          { reason, runs_lost: runsLost },
          'A probe worker ended; it was replaced and probing goes on',
        );
      },
    });
  }

  private async fromWorker(outcome: NonNullable<ReturnType<ProbeWorkerPool['run']>>) {
    const { result, internalError } = await outcome;
    if (internalError) this.options.selfMetrics.probeInternalErrors.inc();
    return result;
  }

  /** Lets in-flight runs finish within the grace period, then cuts the rest off. */
  async stop(graceMs: number): Promise<void> {
    const cutOff = await this.scheduler.stop(graceMs);
    this.paths.stop();
    this.shutdown.abort(new DOMException('prismwatch is shutting down', 'AbortError'));
    this.pool?.abort();
    await this.pool?.stop();
    if (cutOff > 0)
      this.options.log.warn(
        { cut_off: cutOff },
        'Shutdown grace period over; in-flight probes were abandoned',
      );
  }
}
