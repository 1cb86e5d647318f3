/**
 * Annotation templates: `{{probe}}`, `{{value}}`, `{{threshold}}`, `{{window}}`, `{{alert}}`,
 * `{{severity}}`, `{{labels.NAME}}`. Placeholders are checked when the config loads, so a typo is a
 * config error rather than a literal "{{vaule}}" in someone's pager at 3 a.m.
 */
import { formatDuration } from '../util/duration.js';
import type { RuleSpec } from './rule.js';
import type { Signal } from './signals.js';
import { formatSignalValue } from './value-format.js';

export const PLACEHOLDER_RE = /\{\{\s*([a-z_.A-Z0-9]+)\s*\}\}/g;
const FIXED = new Set(['probe', 'value', 'threshold', 'window', 'alert', 'severity', 'kind']);

export function unknownPlaceholders(template: string): string[] {
  const unknown: string[] = [];
  for (const [, name] of template.matchAll(PLACEHOLDER_RE)) {
    if (!FIXED.has(name!) && !/^labels\.[a-zA-Z_][a-zA-Z0-9_]*$/.test(name!)) unknown.push(name!);
  }
  return unknown;
}

interface TemplateContext {
  readonly probe: string;
  readonly kind: string;
  readonly alert: string;
  readonly severity: string;
  readonly signal: Signal;
  readonly value: number;
  readonly threshold: number;
  readonly windowMs: number;
  readonly labels: Readonly<Record<string, string>>;
}

export function renderTemplate(template: string, context: TemplateContext): string {
  return template.replace(PLACEHOLDER_RE, (whole, name: string) => {
    switch (name) {
      case 'probe':
        return context.probe;
      case 'kind':
        return context.kind;
      case 'alert':
        return context.alert;
      case 'severity':
        return context.severity;
      case 'value':
        return formatSignalValue(context.signal, context.value);
      case 'threshold':
        return formatSignalValue(context.signal, context.threshold);
      case 'window':
        return formatDuration(context.windowMs);
      default:
        return name.startsWith('labels.') ? (context.labels[name.slice(7)] ?? '') : whole;
    }
  });
}

/** Every annotation of a rule for one probe at `value`; `labels` are the alert's. */
export function renderAnnotations(
  rule: RuleSpec,
  probe: { readonly name: string; readonly kind: string; readonly agent?: { readonly probe: string } },
  value: number,
  labels: Readonly<Record<string, string>>,
): Record<string, string> {
  return Object.fromEntries(
    Object.entries(rule.annotations).map(([key, template]) => [
      key,
      renderTemplate(template, {
        // An agent's copy reads as the probe it copies: "checkout", not "checkout@eu-1".
        probe: probe.agent?.probe ?? probe.name,
        kind: probe.kind,
        alert: rule.alert,
        severity: rule.severity,
        signal: rule.signal,
        value,
        threshold: rule.threshold,
        windowMs: rule.windowMs,
        labels,
      }),
    ]),
  );
}

/** A rule's condition as people read it, in notifications and verify reports: "> 5%", "> 2s". */
export function describeThreshold(rule: Pick<RuleSpec, 'op' | 'signal' | 'threshold'>): string {
  return `${rule.op} ${formatSignalValue(rule.signal, rule.threshold)}`;
}
