/** The `kind: heartbeat` keys: when the job is expected (period, or cron in a time zone), the grace, the token. */
import * as z from 'zod';
import { durationMs } from '../../util/fields.js';
import { type CronSchedule, parseCronSchedule } from './cron-next.js';

export interface HeartbeatSettings {
  /** Expected every `periodMs` after the last success; or at `cron`'s times. Exactly one is set. */
  readonly periodMs?: number;
  readonly cron?: CronSchedule;
  /** How long past due (and how long a started run may take) before the heartbeat is down. */
  readonly graceMs: number;
  /** The secret in the ping URL (or its Bearer header). */
  readonly token: string;
}

const TOKEN_RE = /^[A-Za-z0-9_-]{16,128}$/;
/** healthchecks.io's default. */
const DEFAULT_GRACE_MS = 3_600_000;

export const heartbeatSettingsShape = {
  period: durationMs({ minMs: 1_000 }).optional(),
  cron: z.string({ error: 'expected a cron expression like "0 3 * * *"' }).optional(),
  timezone: z.string().default('UTC'),
  grace: durationMs({ minMs: 1_000 }).default(DEFAULT_GRACE_MS),
  token: z
    .string({ error: 'expected a token: 16 or more letters, digits, "-" or "_" (e.g. openssl rand -hex 16)' })
    .regex(TOKEN_RE, {
      message:
        'expected 16 to 128 letters, digits, "-" or "_" (e.g. from openssl rand -hex 16): it is all that guards the ping URL',
    }),
};

type ParsedHeartbeat = z.infer<z.ZodObject<typeof heartbeatSettingsShape>>;

/** The cron text and zone as parsed, kept for validate() to report on. */
const unparsed = new WeakMap<HeartbeatSettings, { cron?: string; timezone: string; problem?: string }>();

export function toHeartbeatSettings(raw: Record<string, unknown>): HeartbeatSettings {
  const parsed = raw as ParsedHeartbeat;
  const schedule = parsed.cron === undefined ? undefined : parseCronSchedule(parsed.cron, parsed.timezone);
  const settings: HeartbeatSettings = {
    periodMs: parsed.period,
    cron: typeof schedule === 'object' ? schedule : undefined,
    graceMs: parsed.grace,
    token: parsed.token,
  };
  unparsed.set(settings, {
    cron: parsed.cron,
    timezone: parsed.timezone,
    ...(typeof schedule === 'string' ? { problem: schedule } : {}),
  });
  return settings;
}

export function validateHeartbeatSettings(
  settings: HeartbeatSettings,
): Array<[Array<string | number>, string]> {
  const written = unparsed.get(settings);
  if (written?.problem) {
    const key = written.problem.includes('time zone') ? 'timezone' : 'cron';
    return [[[key], written.problem]];
  }
  if ((settings.periodMs === undefined) === (written?.cron === undefined))
    return [[['period'], 'expected either period (e.g. 1d) or cron (e.g. "0 3 * * *"), not both or neither']];
  return [];
}
