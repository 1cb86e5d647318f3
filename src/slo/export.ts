/**
 * The SLOs as Prometheus recording and alerting rules, the way Sloth and Pyrra generate them: one
 * group per SLO, an error-ratio recording rule per window the burn tiers read (and the whole
 * period, with the budget left), and one ErrorBudgetBurn alert per tier. They read
 * prismwatch_slo_events_total, so Prometheus computes the same SLI from the same events and, on
 * the same evaluation, fires where prismwatch fires (test/operations/slo.test.ts checks it with
 * promtool). The thresholds are written as the exact doubles prismwatch compares against.
 */
import { formatDuration } from '../util/duration.js';
import { burnTiers, burnWindowsOf } from './burn-windows.js';
import { firstPageWindowMs, SLO_ALERT } from './engine.js';
import { burnThreshold, errorBudget, type SloSpec } from './model.js';

const RECORD = 'prismwatch_slo:sli_error:ratio_rate';

function errorRatioRule(slo: SloSpec, windowMs: number) {
  const w = formatDuration(windowMs);
  const name = JSON.stringify(slo.name);
  return {
    record: `${RECORD}${w}`,
    expr: `sum by (slo) (increase(prismwatch_slo_events_total{slo=${name},outcome="bad"}[${w}])) / sum by (slo) (increase(prismwatch_slo_events_total{slo=${name}}[${w}]))`,
  };
}

/**
 * "prismwatch has counted this SLO's events for at least `windowMs`": the same coverage the engine
 * waits for, read from the gauge it exports, so a young daemon pages in neither.
 */
function covered(slo: SloSpec, windowMs: number): string {
  return `on (slo) (time() - prismwatch_slo_observed_since_timestamp_seconds{slo=${JSON.stringify(slo.name)}} >= ${windowMs / 1000})`;
}

export function exportSloRuleGroups(slos: readonly SloSpec[]): Array<Record<string, unknown>> {
  return slos.map((slo) => {
    const name = JSON.stringify(slo.name);
    const windows = [...new Set([...burnWindowsOf(slo), slo.windowMs])].sort((a, b) => a - b);
    const period = formatDuration(slo.windowMs);
    const rules: Array<Record<string, unknown>> = windows.map((windowMs) => errorRatioRule(slo, windowMs));
    rules.push({
      record: 'prismwatch_slo:error_budget_remaining:ratio',
      expr: `(1 - ${RECORD}${period}{slo=${name}} / ${errorBudget(slo)}) and ${covered(slo, firstPageWindowMs(slo))}`,
    });
    for (const tier of burnTiers(slo)) {
      const branches = tier.windows.map((window) => {
        const threshold = burnThreshold(slo, window.factor);
        return `(${RECORD}${formatDuration(window.longMs)}{slo=${name}} > ${threshold} and ${RECORD}${formatDuration(window.shortMs)}{slo=${name}} > ${threshold} and ${covered(slo, window.longMs)})`;
      });
      rules.push({
        alert: SLO_ALERT,
        expr: branches.join(' or '),
        labels: { ...slo.labels, severity: tier.severity },
        annotations: {
          runbook_url: `/runbooks/${SLO_ALERT}`,
          summary: `{{ $labels.slo }} is burning its error budget too fast (${tier.kind})`,
          description: `Error ratio {{ $value | humanizePercentage }} against a budget of ${Number((errorBudget(slo) * 100).toPrecision(4))} % (objective ${Number((slo.objective * 100).toPrecision(6))} % over ${period}).`,
        },
      });
    }
    return { name: `prismwatch-slo-${slo.name}`, rules };
  });
}
