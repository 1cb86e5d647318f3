/** prismwatch's own health: scheduler, config reloads, build info and the process. */
import { Counter, collectDefaultMetrics, Gauge, Histogram, Registry } from 'prom-client';
import { VERSION } from '../version.js';

export class SelfMetrics {
  readonly registry = new Registry();
  readonly schedulerLag: Histogram;
  readonly schedulerRunning: Gauge;
  readonly schedulerQueued: Gauge;
  readonly probesConfigured: Gauge;
  readonly reloadSuccessful: Gauge;
  readonly reloadSuccessTimestamp: Gauge;
  readonly reloadsTotal: Counter;
  readonly probeInternalErrors: Counter;
  readonly probeWorkers: Gauge;
  readonly probeWorkerRestarts: Counter;
  readonly metricsRenderSeconds: Gauge;
  readonly metricsScrapeSeconds: Gauge;
  readonly ruleEvaluations: Counter;
  readonly ruleEvaluationFailures: Counter;
  readonly ruleEvaluationSeconds: Gauge;
  readonly stateWriteFailures: Counter;
  readonly statePersistent: Gauge;
  readonly stateResets: Counter;
  readonly stateRowsQuarantined: Counter;

  constructor(options: { defaultMetrics?: boolean } = {}) {
    const registers = [this.registry];
    if (options.defaultMetrics !== false) collectDefaultMetrics({ register: this.registry });
    new Gauge({
      name: 'prismwatch_build_info',
      help: 'Always 1; labels carry the prismwatch and Node.js versions.',
      labelNames: ['version', 'nodejs_version'],
      registers,
    }).set({ version: VERSION, nodejs_version: process.version }, 1);
    this.schedulerLag = new Histogram({
      name: 'prismwatch_scheduler_lag_seconds',
      help: 'Actual start minus planned start of probe runs.',
      buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
      registers,
    });
    this.schedulerRunning = new Gauge({
      name: 'prismwatch_scheduler_running_probes',
      help: 'Probe runs in progress.',
      registers,
    });
    this.schedulerQueued = new Gauge({
      name: 'prismwatch_scheduler_queued_probes',
      help: 'Probe runs waiting for a slot under the concurrency cap.',
      registers,
    });
    this.probesConfigured = new Gauge({
      name: 'prismwatch_probes_configured',
      help: 'Configured probes by kind.',
      labelNames: ['kind'],
      registers,
    });
    this.reloadSuccessful = new Gauge({
      name: 'prismwatch_config_last_reload_successful',
      help: 'Whether the last configuration load or reload succeeded (1) or failed (0).',
      registers,
    });
    this.reloadSuccessTimestamp = new Gauge({
      name: 'prismwatch_config_last_reload_success_timestamp_seconds',
      help: 'When the configuration was last loaded successfully, unix seconds.',
      registers,
    });
    this.reloadsTotal = new Counter({
      name: 'prismwatch_config_reloads_total',
      help: 'Configuration reload attempts by result.',
      labelNames: ['result'],
      registers,
    });
    this.reloadsTotal.inc({ result: 'success' }, 0);
    this.reloadsTotal.inc({ result: 'failure' }, 0);
    this.metricsRenderSeconds = new Gauge({
      name: 'prismwatch_metrics_render_seconds',
      help: 'CPU time spent assembling the previous /metrics response (it is streamed in slices).',
      registers,
    });
    this.metricsScrapeSeconds = new Gauge({
      name: 'prismwatch_metrics_scrape_seconds',
      help: 'Wall time from the start to the end of the previous /metrics response.',
      registers,
    });
    this.ruleEvaluations = new Counter({
      name: 'prismwatch_rule_evaluations_total',
      help: 'Evaluations of all alert rules.',
      registers,
    });
    this.ruleEvaluationFailures = new Counter({
      name: 'prismwatch_rule_evaluation_failures_total',
      help: 'Evaluations of alert rules that failed (a prismwatch bug; logged).',
      registers,
    });
    this.ruleEvaluationSeconds = new Gauge({
      name: 'prismwatch_rule_evaluation_duration_seconds',
      help: 'How long the last evaluation of all alert rules took.',
      registers,
    });
    this.stateWriteFailures = new Counter({
      name: 'prismwatch_state_write_failures_total',
      help: 'Alert state writes to the data directory that failed (full or broken disk); see the log.',
      registers,
    });
    this.statePersistent = new Gauge({
      name: 'prismwatch_state_persistent',
      help: 'Whether alert state and notifications are saved to the data directory (1) or kept in memory only (0).',
      registers,
    });
    this.stateRowsQuarantined = new Counter({
      name: 'prismwatch_state_rows_quarantined_total',
      help: 'Rows of the state database that could not be read at start: moved to its quarantine table and skipped; the rest loaded.',
      registers,
    });
    this.stateResets = new Counter({
      name: 'prismwatch_state_resets_total',
      help: 'Times the state database was unreadable at start and replaced by a fresh one (the old file is kept).',
      registers,
    });
    this.probeInternalErrors = new Counter({
      name: 'prismwatch_probe_internal_errors_total',
      help: 'Probe runs that ended in a prismwatch bug (contained, logged with stack).',
      registers,
    });
    this.probeWorkers = new Gauge({
      name: 'prismwatch_probe_workers',
      help: 'Worker threads running probes (--probe-workers); 0 when probes run on the main thread.',
      registers,
    });
    this.probeWorkerRestarts = new Counter({
      name: 'prismwatch_probe_worker_restarts_total',
      help: 'Probe worker threads that ended unexpectedly and were replaced (their runs in flight count as internal errors).',
      registers,
    });
  }
}
