/**
 * `quorum: K` evaluated by prismwatch itself, over the copies of a probe that agents run at their
 * locations (`<probe>@<location>`): the same answers as the exported rules give in Prometheus
 * (export.ts), on the same timeline.
 * - The rule's alert, without a `location` label, is active while K or more locations see the
 *   condition; its value is the worst location's, and annotation `locations` names those that see it.
 * - Each location that sees it while fewer than K do is a `ProbeLocationDegraded` warning with
 *   labels `location` and `quorum_rule`: most likely that location's own network, not the target.
 * Both follow the rule's `for` and `keep_firing_for`. A location without current data (its agent
 * is down or replaying a backlog) counts neither way; while no location has data, the alerts stay
 * as they are, as for any rule without data.
 */
import type { ProbeSpec } from '../model/probe.js';
import type { ProbeHistory } from '../results/history.js';
import { compare, type RuleSpec } from './rule.js';

export const LOCATION_DEGRADED = 'ProbeLocationDegraded';

export interface Observation {
  /** The signal's value; undefined without data to judge by. */
  readonly value: number | undefined;
  readonly history: ProbeHistory | undefined;
}

/** Whether `value` meets the rule (its resolve_threshold while the alert fires). */
export function isActive(rule: RuleSpec, value: number | undefined, firing: boolean): boolean {
  if (value === undefined) return false;
  const threshold = firing && rule.resolveThreshold !== undefined ? rule.resolveThreshold : rule.threshold;
  return compare(value, rule.op, threshold);
}

/** The probe as configured, for the alert about all its locations: its own name, no `location`. */
export function baseOf(copy: ProbeSpec): ProbeSpec {
  if (!copy.agent) return copy;
  const { location: _location, ...labels } = copy.labels;
  const { agent: _agent, ...rest } = copy;
  return { ...rest, name: copy.agent.probe, labels };
}

/** Probes agents run, by the probe they are copies of; the rest as they are. */
export function locationGroups(probes: readonly ProbeSpec[]): {
  single: ProbeSpec[];
  byProbe: Map<string, ProbeSpec[]>;
} {
  const single: ProbeSpec[] = [];
  const byProbe = new Map<string, ProbeSpec[]>();
  for (const probe of probes) {
    if (!probe.agent) {
      single.push(probe);
      continue;
    }
    const copies = byProbe.get(probe.agent.probe) ?? [];
    copies.push(probe);
    byProbe.set(probe.agent.probe, copies);
  }
  return { single, byProbe };
}

interface Judged {
  readonly rule: RuleSpec;
  readonly probe: ProbeSpec;
  readonly labels: Record<string, string>;
  readonly observation: Observation & { readonly active: boolean };
  readonly annotations: Record<string, string>;
}

/** The derived rule of ProbeLocationDegraded for a quorum rule: made once per rule object. */
const degradedRules = new WeakMap<RuleSpec, RuleSpec>();

function degradedRule(rule: RuleSpec): RuleSpec {
  let derived = degradedRules.get(rule);
  if (!derived) {
    const quorum = rule.quorum!;
    derived = {
      ...rule,
      alert: LOCATION_DEGRADED,
      severity: 'warning',
      resolveThreshold: undefined,
      labels: { ...rule.labels, severity: 'warning', quorum_rule: rule.alert },
      annotations: {
        summary: `{{probe}}: ${rule.alert} seen from {{labels.location}} only (fewer than ${quorum} locations)`,
        description: `Fewer than ${quorum} locations see ${rule.alert} for {{probe}}: most likely {{labels.location}}'s own network, not the target. It pages as ${rule.alert} when ${quorum} locations agree.`,
      },
    };
    degradedRules.set(rule, derived);
  }
  return derived;
}

function labelsOf(rule: RuleSpec, probe: ProbeSpec): Record<string, string> {
  return {
    ...probe.labels,
    probe: probe.agent?.probe ?? probe.name,
    ...rule.labels,
    alertname: rule.alert,
    severity: rule.severity,
  };
}

/**
 * One quorum rule over one probe's locations: the rule's own alert (active with K or more
 * locations) and a ProbeLocationDegraded for each location that sees it alone.
 */
export function judgeQuorum(
  rule: RuleSpec,
  copies: readonly ProbeSpec[],
  observe: (copy: ProbeSpec) => Observation & { readonly active: boolean },
): Judged & { readonly degraded: Judged[] } {
  const quorum = rule.quorum!;
  const observed = copies.map((copy) => ({ copy, observation: observe(copy) }));
  const seeing = observed.filter(({ observation }) => observation.active);
  const withData = observed.filter(({ observation }) => observation.value !== undefined);
  const met = seeing.length >= quorum;
  // The worst location's value speaks for the alert (the first seeing it, by the rule's direction).
  const worst = [...seeing].sort((a, b) => worse(rule, a.observation.value!, b.observation.value!))[0];
  const speaking = worst ?? withData[0];
  const base = baseOf(copies[0]!);
  const locations = seeing.map(({ copy }) => copy.agent!.location).sort();
  const judged: Judged = {
    rule,
    probe: base,
    labels: labelsOf(rule, base),
    observation: {
      value: speaking?.observation.value,
      history: speaking?.observation.history,
      active: met,
    },
    annotations: {
      locations: locations.join(', '),
      quorum: `${seeing.length} of ${copies.length} locations (quorum ${quorum})`,
    },
  };
  const derived = degradedRule(rule);
  const degraded = observed.map(({ copy, observation }) => ({
    rule: derived,
    probe: copy,
    labels: labelsOf(derived, copy),
    observation: { ...observation, active: observation.active && !met },
    annotations: {},
  }));
  return { ...judged, degraded };
}

/** Orders values worst first: the largest for `>`/`>=` rules, the smallest for `<`/`<=`. */
function worse(rule: RuleSpec, a: number, b: number): number {
  return rule.op === '<' || rule.op === '<=' ? a - b : b - a;
}
