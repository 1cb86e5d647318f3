/**
 * `kind: http`: one request (and its redirects) over fresh connections, timed per phase like
 * blackbox_exporter, checked against status codes, headers and body assertions.
 */

import { PrismwatchError } from '../../errors.js';
import type { ProbeContext, ProbeResult, ProbeSpec } from '../../model/probe.js';
import { redactUrl } from '../../util/redact.js';
import { defineProber } from '../definition.js';
import { checkResponse, needsBody } from '../http-client/assertions.js';
import {
  authorizationValue,
  type HttpSettings,
  httpSettingsShape,
  requestHeaders,
  toHttpSettings,
  urlFromCli,
  userinfoAuth,
  validateHttpSettings,
} from '../http-client/config.js';
import { follow } from '../http-client/follow.js';
import { keepAliveAgent } from '../http-client/keep-alive.js';
import { runTrace } from '../http-client/trace-context.js';
import { TLS_CLI_OPTIONS, tlsCliKeys } from '../net/config.js';
import { createTrace } from '../net/connect.js';
import { tlsFacts } from '../net/tls-section.js';
import { httpFacts } from './facts.js';

interface Prepared {
  readonly url: URL;
  readonly redacted: string;
  readonly headers: Readonly<Record<string, string>>;
}

/**
 * The configured URL (parsed and redacted) and request headers, made once per probe definition
 * rather than on every run (a visible share of the daemon's CPU at 1,000 probes/s:
 * docs/benchmarks.md). Both are only read; a
 * redirect that must drop a header works on a copy.
 */
const prepared = new WeakMap<HttpSettings, Prepared>();

function prepare(settings: HttpSettings): Prepared {
  let entry = prepared.get(settings);
  if (!entry) {
    const url = new URL(settings.url);
    entry = { url, redacted: redactUrl(url), headers: initialHeaders(settings, url) };
    prepared.set(settings, entry);
  }
  return entry;
}

function initialHeaders(settings: HttpSettings, url: URL): Record<string, string> {
  const headers = requestHeaders(settings.headers);
  const auth = settings.auth ?? userinfoAuth(url);
  if (auth) headers.authorization = authorizationValue(auth);
  return headers;
}

async function probeHttp(ctx: ProbeContext, spec: ProbeSpec<HttpSettings>): Promise<ProbeResult> {
  const settings = spec.settings;
  const startedAt = ctx.now();
  const trace = createTrace();
  const keepBody = needsBody(settings.expect);
  const agent = settings.keepAlive ? keepAliveAgent(spec) : undefined;
  const configured = prepare(settings);
  const { traceId, spanId, header } = runTrace(settings.traceparent, configured.headers.traceparent);
  const headers = header ? { ...configured.headers, traceparent: header } : configured.headers;
  const followed = await follow(
    { url: configured.url, method: settings.method, headers, body: settings.body },
    // Named fields, not `...settings`: copying the settings into a new object with more keys cost
    // about 5 KB of the 38 KB a run allocated (docs/benchmarks.md, issue 35).
    {
      followRedirects: settings.followRedirects,
      maxRedirects: settings.maxRedirects,
      secretHeaders: settings.secretHeaders,
      tls: settings.tls,
      ipProtocol: settings.ipProtocol,
      ipFallback: settings.ipFallback,
      maxBodyBytes: settings.maxBodyBytes,
      signal: ctx.signal,
      deadline: ctx.deadline,
      now: ctx.now,
      keepBody,
      agent,
      timeoutMs: spec.timeoutMs,
    },
    trace,
  );
  const { response, url, redirects } = followed;
  let failure = followed.failure;
  if (!failure && response) failure = checkResponse(response, settings);
  return {
    ok: failure === undefined,
    startedAt,
    durationMs: ctx.now() - startedAt,
    phases: trace.phases,
    failure,
    ...(traceId ? { traceId } : {}),
    ...(spanId ? { spanId } : {}),
    facts: {
      http: {
        statusCode: response?.statusCode ?? 0,
        httpVersion: '1.1',
        contentLength: response?.contentLength ?? -1,
        bodyBytes: response?.bodyBytes ?? 0,
        redirects,
        finalUrl: url === configured.url ? configured.redacted : redactUrl(url),
        headers: response?.headers ?? {},
      },
      ...(trace.tls ? { tls: trace.tls } : {}),
    },
  };
}

export const httpProber = defineProber<HttpSettings>({
  kind: 'http',
  summary: 'HTTP(S) request with per-phase timing, status, header and body checks',
  settingsShape: httpSettingsShape,
  toSettings: toHttpSettings,
  validate: validateHttpSettings,
  describeTarget: (settings) => `${settings.method} ${settings.url}`,
  pathTarget: (settings) => new URL(settings.url).hostname.replace(/^\[(.*)\]$/, '$1'),
  probe: probeHttp,
  facts: [httpFacts, tlsFacts],
  sampledByVerify: true,
  cli: {
    target: 'URL (a bare host:port gets http://)',
    options: [
      { flags: '-X, --method <method>', description: 'HTTP method' },
      { flags: '-H, --header <name: value>', description: 'request header (repeatable)', repeatable: true },
      { flags: '-d, --body <text>', description: 'request body' },
      {
        flags: '-s, --status <codes>',
        description: 'valid status codes, e.g. 200 or 2xx or 200-399 (repeatable)',
        repeatable: true,
      },
      ...TLS_CLI_OPTIONS,
    ],
    keys: (target, options) => ({
      url: urlFromCli(target),
      ...(options.method ? { method: String(options.method).toUpperCase() } : {}),
      ...(options.body !== undefined ? { body: options.body } : {}),
      ...headerKeys(options.header as string[] | undefined),
      ...((options.status as string[] | undefined)?.length ? { valid_status_codes: options.status } : {}),
      ...tlsCliKeys(options),
    }),
  },
  dashboard: { phases: true, statusCode: 'probe_http_status_code{probe="$probe"}', panels: [] },
  example: `- name: api-health
  kind: http
  url: https://api.example.com/health
  interval: 30s
  valid_status_codes: [200]
  expect:
    json: [{ path: $.status, equals: ok }]`,
});

/** `-H "Name: value"` options as the `headers` mapping. */
function headerKeys(lines: readonly string[] | undefined): Record<string, unknown> {
  if (!lines?.length) return {};
  return {
    headers: Object.fromEntries(
      lines.map((line) => {
        const colon = line.indexOf(':');
        if (colon <= 0)
          throw new PrismwatchError('PRISMWATCH_USAGE', `header "${line}" is not "Name: value"`);
        return [line.slice(0, colon).trim(), line.slice(colon + 1).trim()];
      }),
    ),
  };
}
