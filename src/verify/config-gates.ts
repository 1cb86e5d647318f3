/**
 * The checklist's monitoring items that the configuration itself answers, as gates: are response
 * times and error rates watched (a latency and an error-ratio rule over probes that exist), are
 * the checklist's four thresholds configured, and do critical alerts reach someone (an integration
 * that is switched on, besides the log). What is not configured is `no_data` with the reason, not
 * a failure: verify judges the deployment, and a config without an email server is not a broken
 * release. `--notify-test` proves the integrations answer.
 */
import type { Config } from '../config/load.js';
import { matchRoutes } from '../notify/routing/route.js';
import { type RuleSpec, selects } from '../rules/rule.js';
import type { Gate } from './gates.js';

/** The Alert Configuration section's thresholds, as rules that implement them. */
const THRESHOLDS: ReadonlyArray<{ item: string; matches: (rule: RuleSpec) => boolean }> = [
  {
    item: 'error rate > 5 % (critical)',
    matches: (rule) =>
      rule.signal === 'error_ratio' &&
      rule.severity === 'critical' &&
      rule.op.startsWith('>') &&
      rule.threshold <= 0.05,
  },
  {
    item: 'response time > 2 s (warning)',
    matches: (rule) => rule.signal.startsWith('latency_') && rule.op.startsWith('>') && rule.threshold <= 2,
  },
  {
    item: 'memory > 80 % (warning)',
    matches: (rule) =>
      rule.signal === 'memory_used_ratio' && rule.op.startsWith('>') && rule.threshold <= 0.8,
  },
  {
    item: 'disk free < 20 % (warning)',
    matches: (rule) => rule.signal === 'disk_free_ratio' && rule.op.startsWith('<') && rule.threshold >= 0.2,
  },
];

function gate(
  id: string,
  title: string,
  checklist: string[],
  problem: string | undefined,
  evidence: string,
): Gate {
  return {
    id: `config:${id}`,
    type: 'config',
    title,
    probe: 'config',
    kind: 'config',
    status: problem ? 'no_data' : 'pass',
    runs: 0,
    evidence: problem ?? evidence,
    checklist,
    measures: {},
  };
}

/** Rules of `config` that select at least one of its probes. */
function liveRules(config: Config): RuleSpec[] {
  return config.rules.filter((rule) => config.probes.some((probe) => selects(rule.select, probe)));
}

export function configGates(config: Config): Gate[] {
  const rules = liveRules(config);
  const names = (list: readonly RuleSpec[]) => [...new Set(list.map((rule) => rule.alert))].join(', ');
  const latency = rules.filter((rule) => rule.signal.startsWith('latency_'));
  const errors = rules.filter((rule) => rule.signal === 'error_ratio');
  const missing = THRESHOLDS.filter((threshold) => !rules.some(threshold.matches)).map(
    (threshold) => threshold.item,
  );
  const critical = matchRoutes(config.notify.route, { severity: 'critical', alertname: 'ProbeDown' });
  const reached = critical.flatMap((route) =>
    (config.notify.receivers.get(route.receiver)?.integrations ?? []).filter(
      (integration) => !integration.disabled && integration.type !== 'log',
    ),
  );
  const forwarded = critical.flatMap((route) =>
    (config.notify.receivers.get(route.receiver)?.forwards ?? []).filter((target) => !target.disabled),
  );
  return [
    gate(
      'latency',
      'response times are watched by a latency rule',
      ['Response times monitored', 'Performance monitoring active'],
      latency.length === 0 ? 'no latency rule selects a configured probe' : undefined,
      `${names(latency)} over ${config.probes.filter((probe) => latency.some((rule) => selects(rule.select, probe))).length} probe(s)`,
    ),
    gate(
      'errors',
      'error rates are watched by an error-ratio rule',
      ['Error rates tracked'],
      errors.length === 0 ? 'no error_ratio rule selects a configured probe' : undefined,
      `${names(errors)} over ${config.probes.filter((probe) => errors.some((rule) => selects(rule.select, probe))).length} probe(s)`,
    ),
    gate(
      'thresholds',
      "the checklist's alert thresholds are configured",
      ['Alert thresholds configured'],
      missing.length > 0 ? `no rule for: ${missing.join('; ')}` : undefined,
      `${THRESHOLDS.map((threshold) => threshold.item).join('; ')}: ${names(rules.filter((rule) => THRESHOLDS.some((t) => t.matches(rule))))}`,
    ),
    gate(
      'notifications',
      'critical alerts reach someone',
      ['Monitoring systems configured'],
      reached.length + forwarded.length === 0
        ? 'critical alerts reach only the log: configure an email, webhook or paging integration'
        : undefined,
      `critical alerts go to ${[...reached.map((integration) => integration.id), ...forwarded.map((target) => target.id)].join(', ')}`,
    ),
  ];
}
