/**
 * Where every result that still applies goes: history (trimmed of what is bulky, such as
 * headers), SLO counts, probe metrics and the transition log all take the same trimmed object, so
 * each run is trimmed once and held once. A run inside a maintenance window that leaves uptime
 * out is recorded as such (the muting stage's windows are an input to uptime, too).
 */

import type { PathEvidence } from '../diagnostics/path-evidence.js';
import type { ProbeMetrics } from '../metrics/probe-metrics.js';
import { type ProbeSpec, probeLabels } from '../model/probe.js';
import type { ResultSink } from '../model/sinks.js';
import type { MaintenanceWindows } from '../muting/maintenance.js';
import type { ResultStore } from '../results/history.js';
import type { TransitionLog } from '../results/transitions.js';
import type { SloEngine } from '../slo/engine.js';
import type { RunSpans } from '../tracing/otlp-spans.js';

export interface ResultSinkParts {
  readonly results: ResultStore;
  readonly slos: SloEngine;
  /** Read at each result: a reload that changes the label set replaces the metrics. */
  readonly probeMetrics: () => ProbeMetrics;
  readonly transitions: TransitionLog;
  /** The maintenance windows, once the state store is open. */
  readonly maintenance: () => Pick<MaintenanceWindows, 'covering'> | undefined;
  /** Traced runs as OTLP spans (`--tracing.otlp-endpoint`), when configured. */
  readonly spans?: Pick<RunSpans, 'record'>;
  /** Traces the path to a target whose probe went down for want of an answer. */
  readonly paths?: Pick<PathEvidence, 'observe'>;
}

export function resultSink(parts: ResultSinkParts): ResultSink {
  return {
    record: (spec: ProbeSpec, result) => {
      const window = parts.maintenance()?.covering(() => probeLabels(spec), result.startedAt);
      const leftOut = window !== undefined && !window.countsInUptime;
      const kept = parts.results.record(spec, result, leftOut);
      parts.slos.record(spec, kept, leftOut);
      parts.probeMetrics().observe(spec, kept);
      parts.transitions.record(spec, kept);
      parts.spans?.record(spec, result);
      parts.paths?.observe(spec, kept);
    },
  };
}
