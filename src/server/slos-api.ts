/** /api/v1/slos (read-only): every SLO with its objective, the ratio and budget left over its window, burn rates and firing tiers. */
import type { SloStatus } from '../slo/engine.js';
import { formatDuration, formatWait } from '../util/duration.js';
import type { ApiCollection } from './api-input.js';

export function sloAsJson(status: SloStatus) {
  const { slo } = status;
  return {
    name: slo.name,
    ...(slo.description ? { description: slo.description } : {}),
    objective: slo.objective,
    window: formatDuration(slo.windowMs),
    sli: slo.latencyMs === undefined ? 'availability' : `latency <= ${formatDuration(slo.latencyMs)}`,
    probes: status.probes,
    state: status.state,
    observedSince: new Date(status.observedSince).toISOString(),
    ...(status.insufficientForMs === undefined
      ? {}
      : { insufficientDataFor: formatWait(status.insufficientForMs) }),
    events: status.events,
    ...(status.ratio === undefined ? {} : { ratio: status.ratio }),
    ...(status.budgetRemaining === undefined ? {} : { errorBudgetRemaining: status.budgetRemaining }),
    burnRates: Object.fromEntries(
      status.burnRates
        .filter((entry) => entry.rate !== undefined)
        .map((entry) => [formatDuration(entry.windowMs), entry.rate]),
    ),
    firing: status.firing,
  };
}

export function slosApi(statuses: () => readonly SloStatus[]): ApiCollection {
  return { list: () => ({ status: 200, body: { slos: statuses().map(sloAsJson) } }) };
}
