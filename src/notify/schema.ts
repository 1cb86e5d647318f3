/**
 * The routing sections of alerts/*.yaml — `global`, `route`, `receivers`, `inhibit_rules`,
 * `silences` — in Alertmanager's vocabulary and with its defaults (group_wait 30s,
 * group_interval 5m, repeat_interval 4h), so an operator's Alertmanager knowledge carries over.
 * Differences from Alertmanager are named where they are made.
 */
import * as z from 'zod';
import { durationMs } from '../util/fields.js';
import { BODY_TEMPLATE_PLACEHOLDERS, unknownTemplatePlaceholders } from './body-template.js';
import { parseMatcher } from './matchers.js';

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

/** A URL, or "" for an integration that is switched off (see `enabledWhen`). */
const optionalUrl = z
  .string({ error: 'expected an http:// or https:// URL' })
  .refine((text) => text === '' || /^https?:\/\/[^/]/.test(text), {
    message: 'expected an http:// or https:// URL (or "" to switch this integration off)',
  });

export interface RouteInput {
  receiver?: string | undefined;
  matchers?: string[] | undefined;
  continue?: boolean | undefined;
  group_by?: string[] | undefined;
  group_wait?: number | undefined;
  group_interval?: number | undefined;
  repeat_interval?: number | undefined;
  routes?: RouteInput[] | undefined;
}

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
    routes: z.array(routeSchema).optional(),
  }),
) as never;

export const ROUTE_KEYS = [
  'receiver',
  'matchers',
  'continue',
  'group_by',
  'group_wait',
  'group_interval',
  'repeat_interval',
  'routes',
];

const common = {
  send_resolved: z.boolean().default(true),
  timeout: durationMs({ minMs: 10 }).default(10_000),
};

const tlsConfig = z.strictObject({
  ca_file: z.string().optional(),
  server_name: z.string().optional(),
  insecure_skip_verify: z.boolean().default(false),
});

export const emailConfigSchema = z.strictObject({
  ...common,
  to: z.union([z.string(), z.array(z.string())], { error: 'expected an address or a list of addresses' }),
  from: z.string({ error: 'expected a sender address' }),
  /** host:port of the SMTP server; "" switches this integration off. */
  smarthost: z
    .string({ error: 'expected host:port of the SMTP server' })
    .refine((text) => text === '' || /^\[?[^\s\]]+\]?:\d+$/.test(text), {
      message: 'expected host:port of the SMTP server, like smtp.example.com:587 (or "" to switch it off)',
    }),
  hello: z.string().optional(),
  auth_username: z.string().optional(),
  auth_password: z.string().optional(),
  /** STARTTLS is required unless this is false (Alertmanager's default too). */
  require_tls: z.boolean().default(true),
  /** Implicit TLS from the first byte; defaults to true on port 465 only. */
  force_implicit_tls: z.boolean().optional(),
  tls_config: tlsConfig.optional(),
  connect_timeout: durationMs({ minMs: 10 }).default(5_000),
  greeting_timeout: durationMs({ minMs: 10 }).default(5_000),
  socket_timeout: durationMs({ minMs: 10 }).default(10_000),
  headers: z.record(z.string(), z.string()).default({}),
});

export const webhookConfigSchema = z.strictObject({
  ...common,
  url: optionalUrl,
  /** HMAC-SHA256 key for the X-Prismwatch-Signature header; usually ${ENV}. */
  signing_secret: z.string().optional(),
  max_alerts: z.number().int().min(0).default(0),
  headers: z.record(z.string(), z.string()).default({}),
  tls_config: tlsConfig.optional(),
  /** Sent instead of the Alertmanager payload; see body-template.ts. */
  body_template: z
    .union([z.record(z.string(), z.unknown()), z.array(z.unknown())], {
      error: 'expected a mapping or list to send as JSON',
    })
    .superRefine((template, ctx) => {
      const unknown = unknownTemplatePlaceholders(template);
      if (unknown.length > 0)
        ctx.addIssue({
          code: 'custom',
          input: template,
          message: `expected placeholders among ${BODY_TEMPLATE_PLACEHOLDERS}, got {{${unknown[0]}}}`,
        });
    })
    .optional(),
});

export const alertmanagerConfigSchema = z.strictObject({
  urls: z.array(optionalUrl, { error: 'expected a list of Alertmanager base URLs' }),
  timeout: durationMs({ minMs: 10 }).default(10_000),
  /** How often active alerts are sent again (Prometheus's --rules.alert.resend-delay). */
  resend_interval: durationMs({ minMs: 100 }).default(60_000),
});

export const logConfigSchema = z.strictObject({
  send_resolved: z.boolean().default(true),
  level: z.enum(['info', 'warn', 'error']).default('warn'),
});

export const receiverSchema = z.strictObject({
  name: z.string({ error: 'expected a receiver name' }).regex(/^[A-Za-z0-9_.-]+$/, {
    message: 'expected a receiver name of letters, digits, "_", "." or "-"',
  }),
  email_configs: z.array(emailConfigSchema).default([]),
  webhook_configs: z.array(webhookConfigSchema).default([]),
  alertmanager_configs: z.array(alertmanagerConfigSchema).default([]),
  log_configs: z.array(logConfigSchema).default([]),
});

export const RECEIVER_KEYS: Record<string, string[]> = {
  receiver: Object.keys(receiverSchema.shape),
  email_configs: Object.keys(emailConfigSchema.shape),
  webhook_configs: Object.keys(webhookConfigSchema.shape),
  alertmanager_configs: Object.keys(alertmanagerConfigSchema.shape),
  log_configs: Object.keys(logConfigSchema.shape),
  tls_config: Object.keys(tlsConfig.shape),
};

export const inhibitRuleSchema = z.strictObject({
  source_matchers: matcherList.min(1),
  target_matchers: matcherList.min(1),
  equal: z.array(z.string()).default([]),
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
});

export const NOTIFY_SECTIONS = ['global', 'route', 'receivers', 'inhibit_rules', 'silences'] as const;

/** Known keys at a path inside the routing sections, for "did you mean" on unknown keys. */
export function notifyKeysAt(path: ReadonlyArray<string | number>): string[] {
  const names = path.filter((segment): segment is string => typeof segment === 'string');
  const last = names[names.length - 1];
  const endsOnIndex = typeof path[path.length - 1] === 'number';
  switch (names[0]) {
    case 'global':
      return Object.keys(globalSchema.shape);
    case 'route':
      return ROUTE_KEYS;
    case 'inhibit_rules':
      return Object.keys(inhibitRuleSchema.shape);
    case 'silences':
      return Object.keys(silenceSchema.shape);
    case 'receivers':
      if (last === 'tls_config') return RECEIVER_KEYS.tls_config!;
      if (last && endsOnIndex && RECEIVER_KEYS[last]) return RECEIVER_KEYS[last];
      return RECEIVER_KEYS.receiver!;
    default:
      return [];
  }
}
