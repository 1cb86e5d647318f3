/**
 * Parsed routing sections from every file → one NotifyConfig, with cross-file checks: one `route`,
 * unique receiver names, every route naming a receiver that exists. Inherited settings flow down
 * the route tree as in Alertmanager.
 */
import { createHash } from 'node:crypto';
import type * as z from 'zod';
import type { ConfigIssue } from '../../errors.js';
import { formatMatcher, type Matcher, parseMatcher } from '../../model/matchers.js';
import { type ParsedTimeInterval, type TimeInterval, toTimeInterval } from '../../muting/time-intervals.js';
import { configKeyOf } from '../receivers/definition.js';
import { RECEIVERS } from '../receivers/index.js';
import type {
  ForwardTarget,
  InhibitRule,
  Integration,
  NotifyConfig,
  Receiver,
  RouteNode,
  SilenceSpec,
} from './model.js';
import {
  DEFAULT_GROUP_BY,
  DEFAULT_GROUP_INTERVAL_MS,
  DEFAULT_GROUP_WAIT_MS,
  DEFAULT_REPEAT_INTERVAL_MS,
  type globalSchema,
  type inhibitRuleSchema,
  type ParsedReceiver,
  type RouteInput,
  receiverSchema,
  type silenceSchema,
} from './schema.js';

/** Says where a key is, for an error: a path under the section entry. */
type IssueAt = (path: Array<string | number>, message: string) => ConfigIssue;

export interface NotifySections {
  global?: { value: z.infer<typeof globalSchema>; issueAt: IssueAt };
  routes: Array<{ value: RouteInput; issueAt: IssueAt }>;
  receivers: Array<{ value: ParsedReceiver; issueAt: IssueAt }>;
  /** Names of receivers that failed validation (already reported). */
  invalidReceivers: string[];
  inhibitRules: Array<z.infer<typeof inhibitRuleSchema>>;
  silences: Array<z.infer<typeof silenceSchema>>;
  timeIntervals: Array<{ value: ParsedTimeInterval; issueAt: IssueAt }>;
  /** Names of time intervals that failed validation (already reported). */
  invalidTimeIntervals: string[];
}

const DEFAULT_RECEIVER = 'log';

function toMatchers(texts: readonly string[] | undefined): Matcher[] {
  // Already validated by the schema: every text parses.
  return (texts ?? []).map((text) => parseMatcher(text) as Matcher);
}

function buildRoute(
  input: RouteInput,
  parent: RouteNode | undefined,
  parentId: string,
  siblingIds: Set<string>,
  intervals: ReadonlyMap<string, TimeInterval>,
): RouteNode {
  const matchers = toMatchers(input.matchers);
  let id = parent ? `${parentId}/{${matchers.map(formatMatcher).join(',')}}` : '{}';
  for (let n = 1; siblingIds.has(id); n++) id = `${id.replace(/#\d+$/, '')}#${n}`;
  siblingIds.add(id);
  const groupBy = input.group_by
    ? input.group_by.includes('...')
      ? ('all' as const)
      : input.group_by
    : (parent?.groupBy ?? DEFAULT_GROUP_BY);
  const node: RouteNode = {
    id,
    receiver: input.receiver ?? parent?.receiver ?? DEFAULT_RECEIVER,
    matchers,
    continue: input.continue ?? false,
    groupBy,
    groupWaitMs: input.group_wait ?? parent?.groupWaitMs ?? DEFAULT_GROUP_WAIT_MS,
    groupIntervalMs: input.group_interval ?? parent?.groupIntervalMs ?? DEFAULT_GROUP_INTERVAL_MS,
    repeatIntervalMs: input.repeat_interval ?? parent?.repeatIntervalMs ?? DEFAULT_REPEAT_INTERVAL_MS,
    flushOnResolve: input.flush_on_resolve ?? parent?.flushOnResolve ?? true,
    // Unknown names were reported (intervalReferences); the rest resolve.
    muteTimeIntervals: (input.mute_time_intervals ?? []).flatMap((name) => intervals.get(name) ?? []),
    activeTimeIntervals: (input.active_time_intervals ?? []).flatMap((name) => intervals.get(name) ?? []),
    escalate: [...(input.escalate ?? [])]
      .map((step) => ({ afterMs: step.after, receiver: step.receiver }))
      .sort((a, b) => a.afterMs - b.afterMs),
    routes: [],
  };
  const children = new Set<string>();
  (node.routes as RouteNode[]).push(
    ...(input.routes ?? []).map((child) => buildRoute(child, node, id, children, intervals)),
  );
  return node;
}

/** Every time interval name a route tree refers to, with the path of the key. */
function intervalReferences(
  input: RouteInput,
  path: Array<string | number>,
  out: Array<{ name: string; path: Array<string | number> }>,
): void {
  for (const key of ['mute_time_intervals', 'active_time_intervals'] as const) {
    for (const [index, name] of (input[key] ?? []).entries()) out.push({ name, path: [...path, key, index] });
  }
  for (const [index, child] of (input.routes ?? []).entries())
    intervalReferences(child, [...path, 'routes', index], out);
}

/** Every receiver name a route tree refers to, with the path of the `receiver` key. */
function receiverReferences(
  input: RouteInput,
  path: Array<string | number>,
  out: Array<{ name: string; path: Array<string | number> }>,
): void {
  if (input.receiver !== undefined) out.push({ name: input.receiver, path: [...path, 'receiver'] });
  for (const [index, step] of (input.escalate ?? []).entries())
    out.push({ name: step.receiver, path: [...path, 'escalate', index, 'receiver'] });
  for (const [index, child] of (input.routes ?? []).entries())
    receiverReferences(child, [...path, 'routes', index], out);
}

/**
 * Escalation steps that would tell nobody new: a step naming the route's own receiver (inherited
 * or not), or a receiver an earlier step already names.
 */
function escalationProblems(
  input: RouteInput,
  inherited: string,
  path: Array<string | number>,
  out: Array<{ path: Array<string | number>; message: string }>,
): void {
  const receiver = input.receiver ?? inherited;
  const named = new Set<string>();
  for (const [index, step] of (input.escalate ?? []).entries()) {
    const at = [...path, 'escalate', index, 'receiver'];
    if (step.receiver === receiver)
      out.push({ path: at, message: `expected a receiver other than the route's own ("${receiver}")` });
    else if (named.has(step.receiver))
      out.push({ path: at, message: `"${step.receiver}" is already an earlier escalation step` });
    named.add(step.receiver);
  }
  for (const [index, child] of (input.routes ?? []).entries())
    escalationProblems(child, receiver, [...path, 'routes', index], out);
}

function buildReceiver(raw: ParsedReceiver): Receiver {
  const name = raw.name;
  const integrations: Integration[] = [];
  const forwards: ForwardTarget[] = [];
  for (const type of RECEIVERS) {
    for (const [index, config] of ((raw[configKeyOf(type)] ?? []) as unknown[]).entries()) {
      const place = { id: `${name}/${type.type}/${index}`, receiver: name };
      if (type.forwards) forwards.push(type.build(config, place));
      else integrations.push(type.build(config, place));
    }
  }
  return { name, integrations, forwards };
}

/** The embedded default when no file has a `route`: everything to the log, nothing else. */
function defaultSections(): Pick<NotifySections, 'routes' | 'receivers'> {
  const issueAt: IssueAt = () => {
    throw new Error('the embedded routing default has no issues');
  };
  return {
    routes: [{ value: { receiver: DEFAULT_RECEIVER }, issueAt }],
    receivers: [
      {
        // Everything defaulted: no integrations but one log integration at level warn.
        value: receiverSchema.parse({ name: DEFAULT_RECEIVER, log_configs: [{}] }) as ParsedReceiver,
        issueAt,
      },
    ],
  };
}

function silenceId(parts: {
  matchers: readonly string[];
  startsAt: number;
  endsAt: number;
  createdBy: string;
  comment: string;
}): string {
  return createHash('sha256').update(JSON.stringify(parts)).digest('hex').slice(0, 16);
}

export function buildNotifyConfig(sections: NotifySections, issues: ConfigIssue[]): NotifyConfig {
  if (sections.routes.length > 1) {
    for (const extra of sections.routes.slice(1))
      issues.push(extra.issueAt([], 'expected one `route` across all files (the first one is the root)'));
  }
  const usingDefault = sections.routes.length === 0;
  const embedded = usingDefault ? defaultSections() : undefined;
  const { routes, receivers: rawReceivers } = embedded
    ? { routes: embedded.routes, receivers: [...embedded.receivers, ...sections.receivers] }
    : sections;
  const receivers = new Map<string, Receiver>();
  for (const { value, issueAt } of rawReceivers) {
    if (receivers.has(value.name)) {
      issues.push(issueAt(['name'], `duplicate receiver name "${value.name}"`));
      continue;
    }
    receivers.set(value.name, buildReceiver(value));
  }
  const root = routes[0]!;
  if (!usingDefault) {
    if (root.value.receiver === undefined)
      issues.push(root.issueAt([], 'expected a `receiver` on the root route'));
    if ((root.value.matchers ?? []).length > 0)
      issues.push(
        root.issueAt(['matchers'], 'expected no matchers on the root route: it catches every alert'),
      );
    const references: Array<{ name: string; path: Array<string | number> }> = [];
    receiverReferences(root.value, [], references);
    for (const { name, path } of references) {
      if (!receivers.has(name) && !sections.invalidReceivers.includes(name))
        issues.push(
          root.issueAt(
            path,
            `expected one of the receivers ${[...receivers.keys()].join(', ') || '(none defined)'}, got "${name}"`,
          ),
        );
    }
    const escalation: Array<{ path: Array<string | number>; message: string }> = [];
    escalationProblems(root.value, DEFAULT_RECEIVER, [], escalation);
    for (const { path, message } of escalation) issues.push(root.issueAt(path, message));
  }
  const timeIntervals = new Map<string, TimeInterval>();
  for (const { value, issueAt } of sections.timeIntervals) {
    if (timeIntervals.has(value.name))
      issues.push(issueAt(['name'], `duplicate time interval name "${value.name}"`));
    else timeIntervals.set(value.name, toTimeInterval(value));
  }
  if (!usingDefault) {
    for (const key of ['mute_time_intervals', 'active_time_intervals'] as const) {
      if ((root.value[key] ?? []).length > 0)
        issues.push(
          root.issueAt(
            [key],
            `expected no ${key} on the root route (as in Alertmanager): put them on a child route`,
          ),
        );
    }
    const references: Array<{ name: string; path: Array<string | number> }> = [];
    intervalReferences(root.value, [], references);
    for (const { name, path } of references) {
      if (!timeIntervals.has(name) && !sections.invalidTimeIntervals.includes(name))
        issues.push(
          root.issueAt(
            path,
            `expected one of the time_intervals ${[...timeIntervals.keys()].join(', ') || '(none defined)'}, got "${name}"`,
          ),
        );
    }
  }
  const inhibitRules: InhibitRule[] = sections.inhibitRules.map((rule) => ({
    source: toMatchers(rule.source_matchers),
    target: toMatchers(rule.target_matchers),
    equal: rule.equal,
    muteAftermath: rule.mute_aftermath,
  }));
  const silences: SilenceSpec[] = sections.silences.map((silence) => {
    // Without starts_at a config silence holds from the start; its id stays the same across reloads.
    const startsAt = silence.starts_at ?? 0;
    return {
      id: silenceId({
        matchers: silence.matchers,
        startsAt,
        endsAt: silence.ends_at,
        createdBy: silence.created_by,
        comment: silence.comment,
      }),
      matchers: toMatchers(silence.matchers),
      startsAt,
      endsAt: silence.ends_at,
      createdBy: silence.created_by,
      comment: silence.comment,
      origin: 'config',
    };
  });
  const global = sections.global?.value;
  return {
    route: buildRoute(root.value, undefined, '', new Set(), timeIntervals),
    receivers,
    timeIntervals,
    inhibitRules,
    silences,
    ...(global?.external_url ? { externalUrl: global.external_url.replace(/\/+$/, '') } : {}),
    ...(global?.grafana_url ? { grafanaUrl: global.grafana_url.replace(/\/+$/, '') } : {}),
    notificationsFailingAfterMs: global?.notifications_failing_after ?? 5 * 60_000,
    acknowledge: {
      links: global?.acknowledge?.links ?? true,
      linkTtlMs: global?.acknowledge?.link_ttl ?? 24 * 60 * 60_000,
    },
    watchdog: global?.watchdog ?? false,
    ...(global?.heartbeat && global.heartbeat.url !== ''
      ? {
          heartbeat: {
            url: global.heartbeat.url,
            intervalMs: global.heartbeat.interval,
            timeoutMs: global.heartbeat.timeout,
          },
        }
      : {}),
  };
}
