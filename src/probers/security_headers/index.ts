/**
 * `kind: security_headers`: grades a site's security headers exactly as the MDN HTTP Observatory
 * does (algorithm v6, or v5), then applies the operator's policy — a minimum grade, headers that
 * must be present, headers that must not — so "security headers verified" is a yes/no to alert on.
 */

import * as z from 'zod';
import type { Failure } from '../../model/failure.js';
import type { ProbeContext, ProbeResult, ProbeSpec } from '../../model/probe.js';
import { httpUrl, regex } from '../../util/fields.js';
import type { LinearRegExp } from '../../util/linear-regex.js';
import { redactUrl } from '../../util/redact.js';
import { defineProber } from '../definition.js';
import { urlFromCli } from '../http-client/config.js';
import { type IpSettings, network } from '../net/config.js';
import type { TlsOptions } from '../net/connect.js';
import { analyzeScan } from './analyze.js';
import { disclosingHeaders } from './disclosure.js';
import { securityFacts } from './facts.js';
import { GRADES, type Grade, meetsGrade } from './grade.js';
import { retrieveScan } from './retrieve.js';
import { headerValue, type TestResult } from './types.js';

interface SecurityHeadersSettings extends IpSettings {
  readonly url: string;
  readonly httpsUrl?: URL;
  readonly httpUrl?: URL;
  readonly algorithm: 5 | 6;
  readonly minGrade?: Grade;
  readonly required: readonly string[];
  readonly forbidden: ReadonlyArray<{ readonly name: string; readonly matches?: LinearRegExp }>;
  readonly preflight: boolean;
  readonly robots: boolean;
  readonly tls: TlsOptions;
}

const settingsShape = {
  url: httpUrl,
  http_url: z.union([httpUrl, z.literal(false)], { error: 'expected an http:// URL or false' }).optional(),
  algorithm: z.union([z.literal(5), z.literal(6)], { error: 'expected 5 or 6' }).default(6),
  min_grade: z.enum(GRADES).optional(),
  required: z.array(z.string()).default([]),
  forbidden: z
    .array(z.union([z.string(), z.strictObject({ name: z.string(), matches: regex.optional() })]), {
      error: 'expected header names, or {name, matches}',
    })
    .default([]),
  cors_preflight: z.boolean().default(true),
  robots: z.boolean().default(true),
  ...network.shape,
};

type Parsed = z.infer<z.ZodObject<typeof settingsShape>>;

/** The other scheme's URL: same host and path on the default port, unless the URL names a port. */
function otherScheme(url: URL, protocol: 'http:' | 'https:'): URL | undefined {
  if (url.port !== '') return undefined;
  const other = new URL(url.toString());
  other.protocol = protocol;
  return other;
}

function toSettings(raw: Record<string, unknown>): SecurityHeadersSettings {
  const parsed = raw as Parsed;
  const url = new URL(parsed.url);
  const httpsUrl = url.protocol === 'https:' ? url : otherScheme(url, 'https:');
  // An http:// url is the page itself and is always fetched; http_url only adds or removes the
  // separate http entry point whose redirect chain the redirection test reads.
  const httpUrl =
    url.protocol === 'http:'
      ? url
      : parsed.http_url === false
        ? undefined
        : parsed.http_url
          ? new URL(parsed.http_url)
          : otherScheme(url, 'http:');

  return {
    url: parsed.url,
    ...(httpsUrl ? { httpsUrl } : {}),
    ...(httpUrl ? { httpUrl } : {}),
    algorithm: parsed.algorithm,
    minGrade: parsed.min_grade,
    required: parsed.required.map((name) => name.toLowerCase()),
    forbidden: parsed.forbidden.map((entry) =>
      typeof entry === 'string'
        ? { name: entry.toLowerCase() }
        : { name: entry.name.toLowerCase(), ...(entry.matches ? { matches: entry.matches } : {}) },
    ),
    preflight: parsed.cors_preflight,
    robots: parsed.robots,
    ...network.settings(parsed),
  };
}

/** Statuses the Observatory grades; anything else has no grade. */
function isGradable(status: number): boolean {
  return (status >= 200 && status < 400) || status === 401 || status === 403;
}

function describe(results: readonly TestResult[]): string {
  return results
    .filter((r) => r.pass === false)
    .map((r) => `${r.result} (${r.modifier})`)
    .join(', ');
}

function checkPolicy(
  settings: SecurityHeadersSettings,
  analysis: ReturnType<typeof analyzeScan>,
  headers: Record<string, unknown>,
): Failure | undefined {
  if (settings.minGrade && !meetsGrade(analysis.grade, settings.minGrade)) {
    return {
      code: 'security_policy',
      message: `grade ${analysis.grade} (${analysis.score}) is below the minimum ${settings.minGrade}: ${describe(analysis.results) || 'no failed tests'}`,
    };
  }
  const missing = settings.required.filter((name) => headers[name] === undefined);
  if (missing.length > 0)
    return { code: 'security_policy', message: `required header(s) missing: ${missing.join(', ')}` };
  for (const rule of settings.forbidden) {
    const value = headerValue(headers as Record<string, string>, rule.name);
    if (value !== undefined && (!rule.matches || rule.matches.test(value))) {
      const why = rule.matches ? ` matching /${rule.matches.source}/` : '';
      return {
        code: 'security_policy',
        message: `forbidden header ${rule.name}${why} is present: ${JSON.stringify(value.slice(0, 80))}`,
      };
    }
  }
  return undefined;
}

async function probeSecurityHeaders(
  ctx: ProbeContext,
  spec: ProbeSpec<SecurityHeadersSettings>,
): Promise<ProbeResult> {
  const settings = spec.settings;
  const startedAt = ctx.now();
  const retrieved = await retrieveScan(settings.httpsUrl, settings.httpUrl, {
    signal: ctx.signal,
    deadline: ctx.deadline,
    now: ctx.now,
    timeoutMs: spec.timeoutMs,
    tls: settings.tls,
    ipProtocol: settings.ipProtocol,
    ipFallback: settings.ipFallback,
    preflight: settings.preflight,
    robots: settings.robots,
  });
  const done = (failure: Failure | undefined, facts: ProbeResult['facts'] = {}): ProbeResult => ({
    ok: failure === undefined,
    startedAt,
    durationMs: ctx.now() - startedAt,
    phases: {},
    failure,
    facts,
  });
  if ('failure' in retrieved) return done(retrieved.failure);
  const { scan } = retrieved;
  if (!isGradable(scan.auto.status)) {
    return done({
      code: 'status_mismatch',
      message: `cannot grade ${redactUrl(scan.auto.url)}: it answered ${scan.auto.status}`,
    });
  }
  const analysis = analyzeScan(scan, settings.algorithm);
  const security = {
    score: analysis.score,
    grade: analysis.grade,
    algorithmVersion: analysis.algorithmVersion,
    passed: analysis.passed,
    failed: analysis.failed,
    notEvaluated: analysis.notEvaluated,
    results: analysis.results.map(({ test, result, modifier, pass }) => ({ test, result, modifier, pass })),
    disclosing: disclosingHeaders(scan.auto.headers),
    findings: analysis.findings,
    url: redactUrl(scan.auto.url),
  };
  return done(checkPolicy(settings, analysis, scan.auto.headers), { security });
}

export const securityHeadersProber = defineProber<SecurityHeadersSettings>({
  kind: 'security_headers',
  summary:
    'Security headers graded like the MDN HTTP Observatory, with a minimum grade and required/forbidden headers',
  settingsShape,
  toSettings,
  validate: network.validate,
  describeTarget: (settings) => `security headers of ${settings.url}`,
  probe: probeSecurityHeaders,
  facts: [securityFacts],
  failureCodes: ['security_policy'],
  // Every key the config takes has a flag (test/e2e/probe-cli-parity.test.ts checks it), so a
  // grade seen in `prismwatch probe` is the grade the daemon computes.
  cli: {
    target: 'URL (a bare host:port gets http://)',
    options: [
      {
        flags: '--http-url <url>',
        description:
          'security_headers: the http:// entry point whose redirects are graded, or "false" for none',
      },
      {
        flags: '--algorithm <version>',
        description: 'security_headers: Observatory scoring version, 5 or 6',
      },
      { flags: '--min-grade <grade>', description: 'security_headers: fail below this grade (A+ … F)' },
      {
        flags: '--required <header>',
        description: 'security_headers: a header that must be present (repeatable)',
        repeatable: true,
      },
      {
        flags: '--forbidden <header[=~regex]>',
        description:
          'security_headers: a header that must be absent, or must not match the regex (repeatable)',
        repeatable: true,
      },
      { flags: '--no-cors-preflight', description: 'security_headers: skip the CORS preflight' },
      { flags: '--no-robots', description: 'security_headers: skip the robots.txt request' },
      ...network.cliOptions,
    ],
    keys: (target, options) => ({
      url: urlFromCli(target),
      ...(options.httpUrl !== undefined
        ? { http_url: options.httpUrl === 'false' ? false : urlFromCli(String(options.httpUrl)) }
        : {}),
      ...(options.algorithm !== undefined ? { algorithm: Number(options.algorithm) } : {}),
      ...(options.minGrade !== undefined ? { min_grade: String(options.minGrade).toUpperCase() } : {}),
      ...((options.required as string[] | undefined)?.length ? { required: options.required } : {}),
      ...((options.forbidden as string[] | undefined)?.length
        ? {
            forbidden: (options.forbidden as string[]).map((entry) => {
              const at = entry.indexOf('=~');
              return at === -1 ? entry : { name: entry.slice(0, at), matches: entry.slice(at + 2) };
            }),
          }
        : {}),
      ...(options.corsPreflight === false ? { cors_preflight: false } : {}),
      ...(options.robots === false ? { robots: false } : {}),
      ...network.cliKeys(options),
    }),
  },
  dashboard: {
    phases: false,
    panels: [
      {
        title: 'Security tests',
        type: 'table',
        queries: [{ expr: 'max by (test, result) (prismwatch_security_test_pass{probe="$probe"})' }],
        emptyBecause: 'No security tests: not a security_headers probe',
      },
    ],
  },
  example: `- name: site-headers
  kind: security_headers
  url: https://www.example.com/
  interval: 1h
  min_grade: B`,
});

declare module '../../model/failure.js' {
  interface KindFailureCodes {
    /** Security headers below min_grade, a required header missing or a forbidden one present. */
    security_policy: true;
  }
}
