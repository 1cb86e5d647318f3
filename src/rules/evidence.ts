/**
 * The evidence an alert carries to the person it wakes: what was measured, over how many runs,
 * the probe's failure and when the trouble began. Pure, from the probe's history at `now`.
 */
import type { Alert } from '../model/alert.js';
import type { ProbeHistory, Sample } from '../results/history.js';
import { formatDuration } from '../util/duration.js';
import type { RuleSpec } from './rule.js';
import { LATENCY, WINDOWED } from './signals.js';
import { formatSignalValue } from './value-format.js';

type Evidence = Pick<Alert, 'evidence' | 'failure' | 'firstFailureAt'>;

/** When the current trouble began: the start of the trailing failed runs, else the window's first failure. */
function firstFailure(samples: readonly Sample[]): number | undefined {
  let streakStart: number | undefined;
  for (let i = samples.length - 1; i >= 0 && !samples[i]!.ok; i--) streakStart = samples[i]!.at;
  return streakStart ?? samples.find((sample) => !sample.ok)?.at;
}

export function alertEvidence(
  rule: RuleSpec,
  value: number,
  history: ProbeHistory | undefined,
  now: number,
): Evidence {
  const windowed = WINDOWED.has(rule.signal);
  const samples = history?.samples(windowed ? now - rule.windowMs : Number.NEGATIVE_INFINITY) ?? [];
  const window = formatDuration(rule.windowMs);
  let evidence: string;
  if (rule.signal === 'error_ratio' || rule.signal === 'success_ratio') {
    const failed = samples.filter((sample) => !sample.ok).length;
    evidence = `${failed} of ${samples.length} runs failed (${formatSignalValue('error_ratio', failed / Math.max(1, samples.length))}) over ${window}`;
  } else if (LATENCY.has(rule.signal)) {
    const name = rule.signal === 'latency_avg' ? 'average' : rule.signal.slice('latency_'.length);
    evidence = `${name} ${formatSignalValue(rule.signal, value)} over ${samples.length} runs in ${window}`;
  } else if (rule.signal === 'up') {
    const last = history?.last;
    evidence =
      last?.ok === false
        ? `the last run failed${last.failure ? ` (${last.failure.code})` : ''}`
        : 'the last run succeeded';
  } else if (rule.signal === 'consecutive_failures') {
    evidence = `${value} failed runs in a row`;
  } else {
    evidence = `${rule.signal} ${formatSignalValue(rule.signal, value)}`;
  }
  const lastFailure = history?.lastFailure;
  // The path traced when this failing streak began (diagnostics/path-evidence.ts); a recovery
  // clears it, so a path here is this streak's.
  const path = history?.last?.ok === false ? history.path?.text : undefined;
  const since = windowed ? now - rule.windowMs : (history?.last?.startedAt ?? now);
  const failure =
    lastFailure?.failure && lastFailure.startedAt >= since
      ? {
          code: lastFailure.failure.code,
          message: lastFailure.failure.message,
          // The failed request's W3C trace id (probers/http-client/trace-context.ts), to find the
          // backend's own trace of it.
          ...(lastFailure.traceId ? { traceId: lastFailure.traceId } : {}),
          ...(path ? { path } : {}),
        }
      : undefined;
  const first = firstFailure(samples);
  return {
    evidence,
    ...(failure ? { failure } : {}),
    ...(first !== undefined ? { firstFailureAt: first } : {}),
  };
}
