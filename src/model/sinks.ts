/**
 * The interfaces stages hand their output through, passed in at construction: the daemon wires
 * a producer to its consumers once, and no stage calls back into the daemon.
 */
import type { Alert } from './alert.js';
import type { ProbeResult, ProbeSpec } from './probe.js';

/** Takes every probe result that still applies (its probe was not reloaded away meanwhile). */
export interface ResultSink {
  record(spec: ProbeSpec, result: ProbeResult): void;
}

/** Takes every alert after an evaluation has been committed. */
export interface AlertSink {
  afterEvaluation(alerts: readonly Alert[]): void;
}

/**
 * Keeps the evaluator's alerts (and when they were evaluated) across restarts. `derived` alerts
 * (the SLOs', recomputed from their own saved counts) go into the incident history only.
 */
export interface AlertStateSink {
  saveAlerts(alerts: readonly Alert[], evaluatedAt: number, derived?: readonly Alert[]): void;
}
