/**
 * `prismwatch rules export`: the same rules as Prometheus alerting rules over the series
 * prismwatch exports, for teams that evaluate alerts in Prometheus. Selections by kind or label
 * are resolved against the loaded probes into `probe=~"…"` (kinds are not a series label).
 * What PromQL cannot say is reported, not approximated: consecutive_failures has no exact
 * equivalent, and resolve_threshold (hysteresis) has none at all.
 */
import { stringify } from 'yaml';
import type { ProbeSpec } from '../model/probe.js';
import { formatDuration } from '../util/duration.js';
import { type RuleSpec, selects } from './rule.js';
import { factsSignalExpression, LATENCY, type Signal, WINDOWED } from './signals.js';

function escapeRegex(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\\\$&');
}

function selector(names: readonly string[], extra = ''): string {
  const probe = `probe=~"${names.map(escapeRegex).join('|')}"`;
  return `{${probe}${extra}}`;
}

function quantileOf(signal: Signal): number {
  return Number(signal.slice('latency_p'.length)) / 100;
}

/** The PromQL whose value is the rule's signal, per probe; undefined when PromQL cannot express it. */
function signalExpression(rule: RuleSpec, names: readonly string[]): string | undefined {
  const w = formatDuration(rule.windowMs);
  const runs = (extra = '') =>
    `sum by (probe) (increase(prismwatch_probe_runs_total${selector(names, extra)}[${w}]))`;
  switch (rule.signal) {
    case 'up':
      return `probe_success${selector(names)}`;
    case 'error_ratio':
      return `(${runs(',result="failure"')} / ${runs()})`;
    case 'success_ratio':
      return `(${runs(',result="success"')} / ${runs()})`;
    case 'latency_avg':
      return `(sum by (probe) (rate(prismwatch_probe_duration_seconds_sum${selector(names)}[${w}])) / sum by (probe) (rate(prismwatch_probe_duration_seconds_count${selector(names)}[${w}])))`;
    case 'latency_p50':
    case 'latency_p90':
    case 'latency_p95':
    case 'latency_p99':
      return `histogram_quantile(${quantileOf(rule.signal)}, sum by (probe, le) (rate(prismwatch_probe_duration_seconds_bucket${selector(names)}[${w}])))`;
    case 'consecutive_failures':
      return undefined;
    default:
      return factsSignalExpression(rule.signal, selector(names));
  }
}

function annotation(template: string, rule: RuleSpec): string {
  const value = rule.signal.endsWith('_ratio')
    ? '{{ $value | humanizePercentage }}'
    : LATENCY.has(rule.signal)
      ? '{{ $value | humanizeDuration }}'
      : '{{ $value }}';
  return template.replace(/\{\{\s*([a-zA-Z_.0-9]+)\s*\}\}/g, (_whole, name: string) => {
    if (name === 'probe') return '{{ $labels.probe }}';
    if (name === 'value') return value;
    if (name === 'threshold') return String(rule.threshold);
    if (name === 'window') return formatDuration(rule.windowMs);
    if (name === 'alert') return rule.alert;
    if (name === 'severity') return rule.severity;
    if (name.startsWith('labels.')) return `{{ $labels.${name.slice(7)} }}`;
    return '';
  });
}

interface Exported {
  readonly yaml: string;
  /** Rules left out or changed, with the reason, for stderr. */
  readonly notes: string[];
}

export function exportPrometheusRules(rules: readonly RuleSpec[], probes: readonly ProbeSpec[]): Exported {
  const notes: string[] = [];
  const out: Array<Record<string, unknown>> = [];
  for (const rule of rules) {
    const names = probes.filter((probe) => selects(rule.select, probe)).map((probe) => probe.name);
    if (names.length === 0) {
      notes.push(`${rule.alert} (${rule.severity}): selects no configured probe; left out`);
      continue;
    }
    const signal = signalExpression(rule, names);
    if (!signal) {
      notes.push(
        `${rule.alert} (${rule.severity}): signal ${rule.signal} has no PromQL equivalent; left out`,
      );
      continue;
    }
    if (rule.resolveThreshold !== undefined)
      notes.push(
        `${rule.alert} (${rule.severity}): resolve_threshold (hysteresis) cannot be expressed; dropped`,
      );
    let expr = `${signal} ${rule.op} ${rule.threshold}`;
    // min_samples holds for windowed signals only: the others read the last result.
    if (rule.minSamples > 1 && WINDOWED.has(rule.signal)) {
      expr += ` and sum by (probe) (increase(prismwatch_probe_runs_total${selector(names)}[${formatDuration(rule.windowMs)}])) >= ${rule.minSamples}`;
    }
    const entry: Record<string, unknown> = { alert: rule.alert, expr };
    if (rule.forMs > 0) entry.for = formatDuration(rule.forMs);
    if (rule.keepFiringForMs > 0) entry.keep_firing_for = formatDuration(rule.keepFiringForMs);
    entry.labels = { ...rule.labels, severity: rule.severity };
    if (Object.keys(rule.annotations).length > 0) {
      entry.annotations = Object.fromEntries(
        Object.entries(rule.annotations).map(([key, template]) => [key, annotation(template, rule)]),
      );
    }
    out.push(entry);
  }
  const header = '# Generated by `prismwatch rules export` from alerts/*.yaml; edit those, not this file.\n';
  return {
    yaml: header + stringify({ groups: [{ name: 'prismwatch', rules: out }] }, { lineWidth: 0 }),
    notes,
  };
}
