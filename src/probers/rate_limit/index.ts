/**
 * `kind: rate_limit`: one request, whose rate-limit headers are read (remaining share, reset,
 * Retry-After on 429) — "API rate limit warnings" — plus an opt-in, bounded burst that checks
 * rate limiting is enabled at all ("Rate limiting enabled"): up to N requests over one kept-alive
 * connection, stopping at the first 429.
 */
import { Client } from 'undici';
import * as z from 'zod';
import type { Failure } from '../../model/failure.js';
import type { ProbeContext, ProbeResult, ProbeSpec } from '../../model/probe.js';
import { httpUrl } from '../../util/fields.js';
import { redactUrl } from '../../util/redact.js';
import { defineProber } from '../definition.js';
import { formatStatusRanges, isValidStatus } from '../http-client/assertions.js';
import { requestHeaders, urlFromCli } from '../http-client/config.js';
import { exchange } from '../http-client/exchange.js';
import { httpFailure } from '../http-client/failure.js';
import { type IpSettings, network } from '../net/config.js';
import { createTrace, type TlsOptions } from '../net/connect.js';
import { tlsFacts } from '../net/tls-section.js';
import { rateLimitFacts } from './facts.js';
import { parseRateLimitHeaders } from './headers.js';

const MAX_BURST_REQUESTS = 500;

interface RateLimitSettings extends IpSettings {
  readonly url: string;
  readonly method: string;
  readonly headers: Readonly<Record<string, string>>;
  readonly validStatusCodes: ReadonlyArray<readonly [number, number]>;
  readonly minRemainingRatio?: number;
  readonly burst?: { readonly requests: number };
  readonly tls: TlsOptions;
}

const rateLimitSettingsShape = {
  url: httpUrl,
  method: z.enum(['GET', 'HEAD', 'POST', 'OPTIONS']).default('GET'),
  headers: z.record(z.string(), z.string()).default({}),
  valid_status_codes: z.array(z.number().int().min(100).max(599)).min(1).optional(),
  min_remaining_ratio: z.number().min(0).max(1).optional(),
  burst: z
    .strictObject({
      requests: z
        .number({ error: `expected a number of requests up to ${MAX_BURST_REQUESTS}` })
        .int()
        .min(2)
        .max(MAX_BURST_REQUESTS),
    })
    .optional(),
  ...network.shape,
};

type ParsedRateLimit = z.infer<z.ZodObject<typeof rateLimitSettingsShape>>;

function toRateLimitSettings(raw: Record<string, unknown>): RateLimitSettings {
  const parsed = raw as ParsedRateLimit;
  return {
    url: parsed.url,
    method: parsed.method,
    headers: parsed.headers,
    validStatusCodes: parsed.valid_status_codes?.map((code) => [code, code] as const) ?? [[200, 299]],
    minRemainingRatio: parsed.min_remaining_ratio,
    burst: parsed.burst,
    ...network.settings(parsed),
  };
}

const percent = (ratio: number) => `${Math.round(ratio * 100)}%`;

/** Sends requests over one kept-alive connection until a 429, the count, or the deadline. */
async function burst(
  ctx: ProbeContext,
  settings: RateLimitSettings,
  headers: Record<string, string>,
  requests: number,
) {
  const url = new URL(settings.url);
  const remaining = () => Math.max(1, Math.ceil(ctx.deadline - ctx.now()));
  const client = new Client(url.origin, {
    headersTimeout: remaining(),
    bodyTimeout: remaining(),
    connect: { rejectUnauthorized: !settings.tls.insecureSkipVerify, ca: settings.tls.ca },
  });
  let sent = 0;
  try {
    while (sent < requests && !ctx.signal.aborted) {
      const response = await client.request({
        path: `${url.pathname}${url.search}`,
        method: settings.method as 'GET',
        headers,
        signal: ctx.signal,
      });
      await response.body.dump();
      sent += 1;
      if (response.statusCode === 429) return { sent, limitedAfter: sent };
    }
    return { sent, limitedAfter: undefined };
  } finally {
    client.destroy().catch(() => {});
  }
}

async function probeRateLimit(ctx: ProbeContext, spec: ProbeSpec<RateLimitSettings>): Promise<ProbeResult> {
  const settings = spec.settings;
  const startedAt = ctx.now();
  const trace = createTrace();
  const url = new URL(settings.url);
  const headers = requestHeaders(settings.headers);
  let failure: Failure | undefined;
  let rateLimit: ReturnType<typeof parseRateLimitHeaders> | undefined;
  let statusCode = 0;
  let burstOutcome: { sent: number; limitedAfter?: number } | undefined;
  try {
    const response = await exchange(
      { url, method: settings.method, headers },
      {
        ...settings,
        signal: ctx.signal,
        deadline: ctx.deadline,
        now: ctx.now,
        maxBodyBytes: 1024 * 1024,
        keepBody: false,
      },
      trace,
    );
    statusCode = response.statusCode;
    rateLimit = parseRateLimitHeaders(response.headers, ctx.now());
    if (statusCode === 429) {
      const wait =
        rateLimit.retryAfterSeconds === undefined ? '' : `; Retry-After ${rateLimit.retryAfterSeconds}s`;
      failure = {
        code: 'threshold_exceeded',
        message: `rate limited: ${redactUrl(url)} answered 429${wait}`,
      };
    } else if (!isValidStatus(statusCode, settings.validStatusCodes)) {
      failure = {
        code: 'status_mismatch',
        message: `expected status ${formatStatusRanges(settings.validStatusCodes)}, got ${statusCode}`,
      };
    } else if (
      settings.minRemainingRatio !== undefined &&
      rateLimit.remainingRatio !== undefined &&
      rateLimit.remainingRatio < settings.minRemainingRatio
    ) {
      failure = {
        code: 'threshold_exceeded',
        message: `${percent(rateLimit.remainingRatio)} of the rate limit left (${rateLimit.remaining} of ${rateLimit.limit}), below ${percent(settings.minRemainingRatio)}`,
      };
    }
    if (!failure && settings.burst) {
      burstOutcome = await burst(ctx, settings, headers, settings.burst.requests - 1);
      burstOutcome = { ...burstOutcome, sent: burstOutcome.sent + 1 };
      if (burstOutcome.limitedAfter === undefined) {
        failure = {
          code: 'assertion_failed',
          message: `no 429 after ${burstOutcome.sent} requests to ${redactUrl(url)}: rate limiting does not look enabled`,
        };
      }
    }
  } catch (error) {
    failure = httpFailure(error, { url, trace, signal: ctx.signal, timeoutMs: spec.timeoutMs });
    if (!failure) throw error;
  }
  return {
    ok: failure === undefined,
    startedAt,
    durationMs: ctx.now() - startedAt,
    phases: trace.phases,
    failure,
    facts: {
      rateLimit: {
        statusCode,
        limited: statusCode === 429,
        ...(rateLimit ?? { dialect: 'none' as const }),
        ...(burstOutcome
          ? { burstSent: burstOutcome.sent, burstLimitedAfter: burstOutcome.limitedAfter }
          : {}),
      },
      ...(trace.tls ? { tls: trace.tls } : {}),
    },
  };
}

export const rateLimitProber = defineProber<RateLimitSettings>({
  kind: 'rate_limit',
  summary: 'Rate-limit headers (IETF RateLimit, X-RateLimit, Retry-After) and an opt-in burst check',
  settingsShape: rateLimitSettingsShape,
  toSettings: toRateLimitSettings,
  validate: network.validate,
  describeTarget: (settings) => `rate limit of ${settings.method} ${settings.url}`,
  probe: probeRateLimit,
  facts: [rateLimitFacts, tlsFacts],
  cli: {
    target: 'URL (a bare host:port gets http://)',
    options: network.cliOptions,
    keys: (target, options) => ({ url: urlFromCli(target), ...network.cliKeys(options) }),
  },
  dashboard: {
    phases: true,
    statusCode: 'prismwatch_ratelimit_status_code{probe="$probe"}',
    panels: [
      {
        title: 'Rate limit left',
        type: 'timeseries',
        queries: [{ expr: 'prismwatch_ratelimit_remaining_ratio{probe="$probe"}', legend: 'remaining' }],
        unit: 'percentunit',
        max: 1,
        thresholdLine: 0.2,
        emptyBecause:
          'No rate limit figures: not a rate_limit probe (or the API sends no rate limit headers)',
      },
    ],
  },
  example: `- name: api-rate-limit
  kind: rate_limit
  url: https://api.example.com/v1/models
  interval: 1m`,
});
