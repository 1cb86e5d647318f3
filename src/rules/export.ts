/**
 * `prismwatch rules export`: the same rules as Prometheus alerting rules over the series
 * prismwatch exports, for teams that evaluate alerts in Prometheus. A rule selects probes by the
 * labels every probe series carries (`kind`, the configured labels, `probe` for names), so a
 * probe added later is covered without exporting again. Annotations print what prismwatch's
 * own print (value-format.ts; test/rules/export-templates.test.ts runs them through promtool).
 * What PromQL cannot say is reported, not approximated: resolve_threshold (hysteresis) has no
 * equivalent. consecutive_failures and cert_invalid read series exported for them.
 */
import { stringify } from 'yaml';
import type { ProbeSpec } from '../model/probe.js';
import { formatDuration } from '../util/duration.js';
import { type RuleSpec, selects } from './rule.js';
import { factsSignalExpression, quantileOf, WINDOWED } from './signals.js';
import { PLACEHOLDER_RE } from './template.js';
import { formatSignalValue, valueFormat } from './value-format.js';

function escapeRegex(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/** A PromQL string literal (Go's escapes are a superset of JSON's). */
function promString(text: string): string {
  return JSON.stringify(text);
}

/** The rule's probe selection as label matchers, with `extra` matchers after them. */
function selectorOf(rule: RuleSpec): (extra?: string) => string {
  const matchers: string[] = [];
  const { names, kinds, labels } = rule.select;
  const oneOf = (label: string, values: readonly string[]) =>
    values.length === 1
      ? `${label}=${promString(values[0]!)}`
      : `${label}=~${promString(values.map(escapeRegex).join('|'))}`;
  if (names) matchers.push(oneOf('probe', names));
  if (kinds) matchers.push(oneOf('kind', kinds));
  for (const [name, value] of Object.entries(labels ?? {})) matchers.push(`${name}=${promString(value)}`);
  // A selector needs one matcher that does not match the empty string.
  if (!names && !kinds && !Object.values(labels ?? {}).some((value) => value !== ''))
    matchers.unshift('probe!=""');
  return (extra = '') => `{${matchers.join(',')}${extra}}`;
}

/**
 * Runs over the window per probe, from the latency histogram's count: it exists from the probe's
 * registration, so increase() reads it exactly. A failure code's counter is born at the first
 * such failure, mid-window, and increase() extrapolates a young series (1.5 runs for 2): counting
 * runs from it made Prometheus fire HighErrorRate four minutes after prismwatch.
 */
function allRuns(selector: (extra?: string) => string, window: string): string {
  return `increase(prismwatch_probe_duration_seconds_count${selector()}[${window}])`;
}

/** Successful runs over the window: the success counter also exists from registration. */
function successfulRuns(selector: (extra?: string) => string, window: string): string {
  return `sum without (result, failure) (increase(prismwatch_probe_runs_total${selector(',result="success"')}[${window}]))`;
}

/**
 * "The window is covered by data" (rules/rule.ts coverageWaitMs): Prometheus has a sample of the
 * probe's run counter at least one window old (the series exists from the probe's registration),
 * and the window holds min_samples runs.
 */
function enoughRuns(rule: RuleSpec, selector: (extra?: string) => string): string {
  const w = formatDuration(rule.windowMs);
  const covered = `(prismwatch_probe_duration_seconds_count${selector()} offset ${w})`;
  return rule.minSamples > 1 ? `${allRuns(selector, w)} >= ${rule.minSamples} and ${covered}` : covered;
}

/** The PromQL whose value is the rule's signal, per probe; undefined when PromQL cannot express it. */
function signalExpression(rule: RuleSpec, selector: (extra?: string) => string): string | undefined {
  const w = formatDuration(rule.windowMs);
  switch (rule.signal) {
    case 'up':
      return `probe_success${selector()}`;
    case 'error_ratio':
      return `((${allRuns(selector, w)} - ${successfulRuns(selector, w)}) / ${allRuns(selector, w)})`;
    case 'success_ratio':
      return `(${successfulRuns(selector, w)} / ${allRuns(selector, w)})`;
    case 'latency_avg':
      return `(rate(prismwatch_probe_duration_seconds_sum${selector()}[${w}]) / rate(prismwatch_probe_duration_seconds_count${selector()}[${w}]))`;
    case 'latency_p50':
    case 'latency_p90':
    case 'latency_p95':
    case 'latency_p99':
      return `histogram_quantile(${quantileOf(rule.signal)}, rate(prismwatch_probe_duration_seconds_bucket${selector()}[${w}]))`;
    case 'cert_unchecked':
      return `((1 - probe_success${selector()}) unless (prismwatch_tls_certificate_rejected${selector()} == 1))`;
    case 'consecutive_failures':
      return `prismwatch_probe_consecutive_failures${selector()}`;
    default:
      return factsSignalExpression(rule.signal, selector());
  }
}

/**
 * The condition once per probe and location, however many replicas report it (the documented
 * scrape config labels each prismwatch process `replica`): an HA pair is one alert, not two.
 * Any replica seeing it is enough; replicas of one location see the same network.
 */
function acrossReplicas(condition: string): string {
  return `max without (replica) (${condition})`;
}

/** How many locations see the condition, per probe: every label but the location's own kept. */
function locationCount(condition: string): string {
  return `count without (location, instance) (${acrossReplicas(condition)})`;
}

/** The warning about each location that sees a quorum rule's condition while too few others do. */
function locationDegraded(rule: RuleSpec, condition: string, quorum: number): Record<string, unknown> {
  return {
    alert: 'ProbeLocationDegraded',
    expr: `${acrossReplicas(condition)} unless on (probe) (${locationCount(condition)} >= ${quorum})`,
    ...(rule.forMs > 0 ? { for: formatDuration(rule.forMs) } : {}),
    labels: { ...rule.labels, severity: 'warning', quorum_rule: rule.alert },
    annotations: {
      summary: `{{ $labels.probe }}: ${rule.alert} seen from {{ $labels.location }} only (fewer than ${quorum} locations)`,
      description: `Fewer than ${quorum} locations see ${rule.alert} for {{ $labels.probe }}: most likely {{ $labels.location }}'s own network, not the target. It pages as ${rule.alert} when ${quorum} locations agree.`,
    },
  };
}

/** Literal text in a Go template: every "{" printed by an action, so none can open one. */
function goLiteral(text: string): string {
  return text.replace(/\{/g, '{{ "{" }}');
}

/**
 * One placeholder as Prometheus renders it. `$labels` are the series' labels, not the alert's:
 * the rule's own labels, alertname and severity are written in as text, and a probe label a
 * probe may lack is read with `index` (which gives "" where `$labels.x` gives "<no value>").
 */
function placeholder(name: string, rule: RuleSpec, probeLabelNames: ReadonlySet<string>): string {
  switch (name) {
    case 'probe':
      return '{{ $labels.probe }}';
    case 'kind':
      return '{{ $labels.kind }}';
    case 'value':
      return valueFormat(rule.signal).template;
    case 'threshold':
      return goLiteral(formatSignalValue(rule.signal, rule.threshold));
    case 'window':
      return formatDuration(rule.windowMs);
    case 'alert':
      return goLiteral(rule.alert);
    case 'severity':
      return rule.severity;
  }
  const label = name.slice('labels.'.length);
  const fixed: Record<string, string> = { ...rule.labels, alertname: rule.alert, severity: rule.severity };
  if (Object.hasOwn(fixed, label)) return goLiteral(fixed[label]!);
  if (label === 'probe') return '{{ $labels.probe }}';
  if (probeLabelNames.has(label)) return `{{ index $labels ${promString(label)} }}`;
  return '';
}

export function exportTemplate(
  template: string,
  rule: RuleSpec,
  probeLabelNames: ReadonlySet<string>,
): string {
  let out = '';
  let last = 0;
  for (const match of template.matchAll(PLACEHOLDER_RE)) {
    out += goLiteral(template.slice(last, match.index));
    out += placeholder(match[1]!, rule, probeLabelNames);
    last = match.index + match[0].length;
  }
  return out + goLiteral(template.slice(last));
}

interface Exported {
  readonly yaml: string;
  /** Rules left out or changed, with the reason, for stderr. */
  readonly notes: string[];
}

/** `extraGroups` follow the rules' group (the SLOs' recording and alerting rules, slo/export.ts). */
/**
 * `quorum` (`rules export --quorum K`) applies to the critical rules without their own `quorum:`:
 * where several locations (`--location`) report into one Prometheus, a critical fires only when
 * at least K locations see it, and fewer make a ProbeLocationDegraded warning about each
 * location that does — a broken vantage point is not a page about the target.
 */
export function exportPrometheusRules(
  rules: readonly RuleSpec[],
  probes: readonly ProbeSpec[],
  extraGroups: ReadonlyArray<Record<string, unknown>> = [],
  options: { readonly quorum?: number } = {},
): Exported {
  const notes: string[] = [];
  const out: Array<Record<string, unknown>> = [];
  const degraded: Array<Record<string, unknown>> = [];
  const probeLabelNames = new Set(probes.flatMap((probe) => Object.keys(probe.labels)));
  for (const rule of rules) {
    const selector = selectorOf(rule);
    const signal = signalExpression(rule, selector);
    if (!signal) {
      notes.push(
        `${rule.alert} (${rule.severity}): signal ${rule.signal} has no PromQL equivalent; left out`,
      );
      continue;
    }
    if (!probes.some((probe) => selects(rule.select, probe)))
      notes.push(
        `${rule.alert} (${rule.severity}): selects no configured probe yet; exported for probes added later`,
      );
    const coverage = WINDOWED.has(rule.signal) ? ` and ${enoughRuns(rule, selector)}` : '';
    let expr = `${signal} ${rule.op} ${rule.threshold}${coverage}`;
    // Hysteresis as Prometheus can say it: while the alert fires (its ALERTS series from the
    // previous evaluation, the state prismwatch compares against too), the resolve threshold holds it.
    if (rule.resolveThreshold !== undefined)
      expr = `(${expr}) or (${signal} ${rule.op} ${rule.resolveThreshold}${coverage} and ignoring (${['alertname', 'alertstate', 'severity', 'replica', ...Object.keys(rule.labels)].join(', ')}) ALERTS{alertname=${promString(rule.alert)},alertstate="firing"})`;
    const quorum = rule.quorum ?? (rule.severity === 'critical' ? options.quorum : undefined);
    const entry: Record<string, unknown> = {
      alert: rule.alert,
      expr: quorum === undefined ? acrossReplicas(expr) : `${locationCount(expr)} >= ${quorum}`,
    };
    if (rule.forMs > 0) entry.for = formatDuration(rule.forMs);
    if (rule.keepFiringForMs > 0) entry.keep_firing_for = formatDuration(rule.keepFiringForMs);
    if (quorum !== undefined) degraded.push(locationDegraded(rule, expr, quorum));
    entry.labels = { ...rule.labels, severity: rule.severity };
    if (Object.keys(rule.annotations).length > 0) {
      entry.annotations = Object.fromEntries(
        Object.entries(rule.annotations).map(([key, template]) => [
          key,
          exportTemplate(template, rule, probeLabelNames),
        ]),
      );
    }
    out.push(entry);
  }
  out.push(...degraded);
  const header =
    '# Generated by `prismwatch rules export` from alerts/*.yaml (rules and slos); edit those, not this file.\n';
  return {
    yaml:
      header + stringify({ groups: [{ name: 'prismwatch', rules: out }, ...extraGroups] }, { lineWidth: 0 }),
    notes,
  };
}
