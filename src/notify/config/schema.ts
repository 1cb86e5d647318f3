/**
 * The routing sections of alerts/*.yaml — `global`, `route`, `receivers`, `inhibit_rules`,
 * `silences` — in Alertmanager's vocabulary and with its defaults (group_wait 30s,
 * group_interval 5m, repeat_interval 4h), so an operator's Alertmanager knowledge carries over.
 * Differences from Alertmanager are named where they are made.
 */
import * as z from 'zod';
import { parseMatcher } from '../../model/matchers.js';
import { TIME_INTERVAL_KEYS, TIME_RANGE_KEYS } from '../../muting/time-intervals.js';
import { durationMs } from '../../util/fields.js';
import { configKeyOf } from '../receivers/definition.js';
import { RECEIVERS } from '../receivers/index.js';
import { optionalUrl, tlsConfig } from '../receivers/receiver-options.js';

export const DEFAULT_GROUP_WAIT_MS = 30_000;
export const DEFAULT_GROUP_INTERVAL_MS = 5 * 60_000;
export const DEFAULT_REPEAT_INTERVAL_MS = 4 * 60 * 60_000;
export const DEFAULT_GROUP_BY = ['alertname', 'probe'];

const matcher = z
  .string({ error: 'expected a matcher like severity="critical"' })
  .superRefine((text, ctx) => {
    const parsed = parseMatcher(text);
    if (typeof parsed === 'string') ctx.addIssue({ code: 'custom', message: parsed, input: text });
  });
const matcherList = z.array(matcher, {
  error: 'expected a list of matchers like ["severity=\\"critical\\""]',
});

export interface RouteInput {
  receiver?: string | undefined;
  matchers?: string[] | undefined;
  continue?: boolean | undefined;
  group_by?: string[] | undefined;
  group_wait?: number | undefined;
  group_interval?: number | undefined;
  repeat_interval?: number | undefined;
  flush_on_resolve?: boolean | undefined;
  mute_time_intervals?: string[] | undefined;
  active_time_intervals?: string[] | undefined;
  escalate?: Array<{ after: number; receiver: string }> | undefined;
  routes?: RouteInput[] | undefined;
}

export const escalationStepSchema = z.strictObject({
  /** How long after the route's receiver was first told, unacknowledged, before this step is told. */
  after: durationMs({ minMs: 1_000 }),
  receiver: z.string({ error: 'expected a receiver name' }),
});

const groupBy = z.array(
  z.string().regex(/^([a-zA-Z_][a-zA-Z0-9_]*|\.\.\.)$/, {
    message: 'expected a label name, or "..." for every label',
  }),
  { error: 'expected a list of label names (or ["..."] for every label)' },
);

export const routeSchema: z.ZodType<RouteInput, unknown> = z.lazy(() =>
  z.strictObject({
    receiver: z.string({ error: 'expected a receiver name' }).optional(),
    matchers: matcherList.optional(),
    continue: z.boolean().optional(),
    group_by: groupBy.optional(),
    group_wait: durationMs({ minMs: 0 }).optional(),
    group_interval: durationMs({ minMs: 10 }).optional(),
    repeat_interval: durationMs({ minMs: 10 }).optional(),
    /**
     * A group whose every alert has resolved flushes at once instead of at its next
     * group_interval (default true; an improvement on Alertmanager, which waits).
     */
    flush_on_resolve: z.boolean().optional(),
    /** Names of `time_intervals` during which this route sends nothing (not inherited, as in Alertmanager). */
    mute_time_intervals: z.array(z.string()).optional(),
    /** Names of `time_intervals` outside which this route sends nothing (not inherited). */
    active_time_intervals: z.array(z.string()).optional(),
    /**
     * Escalation: `[{after: 10m, receiver: secondary}, {after: 30m, receiver: manager}]`. An alert
     * still firing and unacknowledged that long after this route's receiver was first told goes
     * to the step's receiver as well. Not inherited by child routes.
     */
    escalate: z
      .array(escalationStepSchema, { error: 'expected a list of {after, receiver} steps' })
      .max(10)
      .optional(),
    routes: z.array(routeSchema).optional(),
  }),
) as never;

const ROUTE_KEYS = [
  'receiver',
  'matchers',
  'continue',
  'group_by',
  'group_wait',
  'group_interval',
  'repeat_interval',
  'flush_on_resolve',
  'mute_time_intervals',
  'active_time_intervals',
  'escalate',
  'routes',
];

/** A receiver: a name and one `<type>_configs` list per receiver type in the RECEIVERS table. */
export const receiverSchema = z.strictObject({
  name: z.string({ error: 'expected a receiver name' }).regex(/^[A-Za-z0-9_.-]+$/, {
    message: 'expected a receiver name of letters, digits, "_", "." or "-"',
  }),
  ...Object.fromEntries(
    RECEIVERS.map((type) => [configKeyOf(type), z.array(type.configSchema).default([])] as const),
  ),
});

/** A receiver as parsed: its config lists by key (`email_configs`, …). */
export interface ParsedReceiver {
  readonly name: string;
  readonly [configKey: string]: unknown;
}

const RECEIVER_KEYS: Record<string, string[]> = {
  receiver: Object.keys(receiverSchema.shape),
  ...Object.fromEntries(RECEIVERS.map((type) => [configKeyOf(type), Object.keys(type.configSchema.shape)])),
  tls_config: Object.keys(tlsConfig.shape),
};

export const inhibitRuleSchema = z.strictObject({
  source_matchers: matcherList.min(1),
  target_matchers: matcherList.min(1),
  equal: z.array(z.string()).default([]),
  mute_aftermath: z.boolean().default(true),
});

const timestamp = z
  .string({ error: 'expected an RFC 3339 time like "2026-11-28T18:00:00Z"' })
  .refine((text) => !Number.isNaN(Date.parse(text)), {
    message: 'expected an RFC 3339 time like "2026-11-28T18:00:00Z"',
  })
  .transform((text) => Date.parse(text));

export const silenceSchema = z.strictObject({
  matchers: matcherList.min(1),
  starts_at: timestamp.optional(),
  ends_at: timestamp,
  created_by: z.string({ error: 'expected who made this silence' }),
  comment: z.string({ error: 'expected why this silence exists' }),
});

export const globalSchema = z.strictObject({
  /** Where people reach this prismwatch: links in notifications and generatorURL. */
  external_url: optionalUrl.optional(),
  /** Grafana base URL for "dashboard" links in notifications. */
  grafana_url: optionalUrl.optional(),
  /** A receiver failing this long raises NotificationsFailing. */
  notifications_failing_after: durationMs({ minMs: 100 }).default(5 * 60_000),
  /** Acknowledge links in firing notifications (notify/ack/): on by default, each good for link_ttl. */
  acknowledge: z
    .strictObject({
      links: z.boolean().default(true),
      link_ttl: durationMs({ minMs: 60_000 }).default(24 * 60 * 60_000),
    })
    .optional(),
  /** An always-firing Watchdog alert, to route to a dead man's switch that notices when it stops. */
  watchdog: z.boolean().default(false),
  /** Pings a URL every interval (healthchecks.io style): the URL while healthy, <url>/fail when not. */
  heartbeat: z
    .strictObject({
      url: optionalUrl,
      interval: durationMs({ minMs: 100 }).default(60_000),
      timeout: durationMs({ minMs: 10 }).default(10_000),
    })
    .optional(),
});

export const NOTIFY_SECTIONS = [
  'global',
  'route',
  'receivers',
  'inhibit_rules',
  'silences',
  'time_intervals',
] as const;

/** Known keys at a path inside the routing sections, for "did you mean" on unknown keys. */
export function notifyKeysAt(path: ReadonlyArray<string | number>): string[] {
  const names = path.filter((segment): segment is string => typeof segment === 'string');
  const last = names[names.length - 1];
  const endsOnIndex = typeof path[path.length - 1] === 'number';
  switch (names[0]) {
    case 'global':
      return last === 'acknowledge' ? ['links', 'link_ttl'] : Object.keys(globalSchema.shape);
    case 'route':
      return last === 'escalate' && endsOnIndex ? Object.keys(escalationStepSchema.shape) : ROUTE_KEYS;
    case 'inhibit_rules':
      return Object.keys(inhibitRuleSchema.shape);
    case 'silences':
      return Object.keys(silenceSchema.shape);
    case 'time_intervals':
      return names.length > 1 ? TIME_RANGE_KEYS : TIME_INTERVAL_KEYS;
    case 'receivers':
      if (last === 'tls_config') return RECEIVER_KEYS.tls_config!;
      if (last && endsOnIndex && RECEIVER_KEYS[last]) return RECEIVER_KEYS[last];
      return RECEIVER_KEYS.receiver!;
    default:
      return [];
  }
}
