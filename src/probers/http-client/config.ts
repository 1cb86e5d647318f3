/** The `kind: http` keys and their parsed form. */

import * as z from 'zod';
import { httpUrl, regex, sizeBytes } from '../../util/fields.js';
import type { LinearRegExp } from '../../util/linear-regex.js';
import { decodeComponent } from '../../util/uri.js';
import { USER_AGENT } from '../../version.js';
import { ipShape, tlsShape, toIpSettings, toTlsOptions, validateTlsOptions } from '../net/config.js';
import type { TlsOptions } from '../net/connect.js';

export interface JsonAssertion {
  readonly path: string;
  readonly equals?: string | number | boolean | null;
  readonly matches?: LinearRegExp;
  readonly exists?: boolean;
}

export interface HttpExpectations {
  readonly contains: readonly string[];
  readonly notContains: readonly string[];
  readonly regex: readonly LinearRegExp[];
  readonly notRegex: readonly LinearRegExp[];
  readonly json: readonly JsonAssertion[];
  /** Header name (lower case) → pattern the header's value must match. */
  readonly headers: ReadonlyMap<string, LinearRegExp>;
}

export type HttpAuth =
  | { readonly type: 'basic'; readonly username: string; readonly password: string }
  | { readonly type: 'bearer'; readonly token: string };

export interface HttpSettings {
  readonly url: string;
  readonly method: string;
  readonly headers: Readonly<Record<string, string>>;
  readonly body?: string;
  readonly auth?: HttpAuth;
  /** Lower-cased names of headers that carry secrets and must not follow a redirect to another origin. */
  readonly secretHeaders: ReadonlySet<string>;
  /** Inclusive [low, high] ranges. */
  readonly validStatusCodes: ReadonlyArray<readonly [number, number]>;
  readonly followRedirects: boolean;
  /** Reuse one connection across runs (opt-in; fresh connections measure what a new client meets). */
  readonly keepAlive: boolean;
  /** Send a W3C `traceparent` with each run (trace-context.ts). */
  readonly traceparent: boolean;
  readonly maxRedirects: number;
  readonly maxBodyBytes: number;
  readonly expect: HttpExpectations;
  readonly ipProtocol: 'auto' | 'ip4' | 'ip6';
  readonly ipFallback: boolean;
  readonly tls: TlsOptions;
}

const DEFAULT_MAX_REDIRECTS = 10;
const DEFAULT_MAX_BODY_BYTES = 10 * 1024 * 1024;
const DEFAULT_VALID_STATUS_CODES: ReadonlyArray<readonly [number, number]> = [[200, 299]];

const STATUS_MESSAGE = 'expected a status code (200), a class ("2xx") or a range ("200-299")';

function parseStatusCodes(entry: number | string): [number, number] | undefined {
  if (typeof entry === 'number')
    return Number.isInteger(entry) && entry >= 100 && entry <= 599 ? [entry, entry] : undefined;
  const text = entry.trim();
  const klass = /^([1-5])xx$/i.exec(text);
  if (klass) return [Number(klass[1]) * 100, Number(klass[1]) * 100 + 99];
  const range = /^(\d{3})\s*-\s*(\d{3})$/.exec(text);
  if (range) {
    const low = Number(range[1]);
    const high = Number(range[2]);
    return low >= 100 && high <= 599 && low <= high ? [low, high] : undefined;
  }
  return /^\d{3}$/.test(text) ? parseStatusCodes(Number(text)) : undefined;
}

export const statusCode = z
  .union([z.number(), z.string()], { error: STATUS_MESSAGE })
  .refine((entry) => parseStatusCodes(entry) !== undefined, { message: STATUS_MESSAGE, abort: true })
  .transform((entry) => parseStatusCodes(entry)!);

export const jsonAssertion = z
  .strictObject({
    path: z.string({ error: 'expected a JSON path like "$.status" or "checks.db"' }),
    equals: z.union([z.string(), z.number(), z.boolean(), z.null()]).optional(),
    matches: regex.optional(),
    exists: z.boolean().optional(),
  })
  .refine(
    (a) =>
      [a.equals !== undefined, a.matches !== undefined, a.exists !== undefined].filter(Boolean).length === 1,
    {
      message: 'expected exactly one of equals, matches or exists',
    },
  );

export const expectShape = z.strictObject({
  contains: z.array(z.string()).default([]),
  not_contains: z.array(z.string()).default([]),
  regex: z.array(regex).default([]),
  not_regex: z.array(regex).default([]),
  json: z.array(jsonAssertion).default([]),
  headers: z.record(z.string(), regex).default({}),
});

export const authShape = z.union(
  [
    z.strictObject({
      basic: z.strictObject({ username: z.string(), password: z.string() }),
    }),
    z.strictObject({ bearer: z.string() }),
  ],
  { error: 'expected `basic: {username, password}` or `bearer: <token>`' },
);

/** A fresh W3C traceparent on every run, its trace id kept with the result (default true); http, multi_http and browser. */
export const traceparentSetting = z.boolean().default(true);

export const httpSettingsShape = {
  url: httpUrl,
  method: z
    .string()
    .regex(/^[A-Z]+$/, { message: 'expected an upper-case HTTP method like GET' })
    .default('GET'),
  headers: z.record(z.string(), z.string({ error: 'expected a string header value' })).default({}),
  body: z.string().optional(),
  auth: authShape.optional(),
  secret_headers: z.array(z.string({ error: 'expected a header name' })).default([]),
  valid_status_codes: z.array(statusCode).min(1).optional(),
  follow_redirects: z.boolean().default(true),
  keep_alive: z.boolean().default(false),
  traceparent: traceparentSetting,
  max_redirects: z.number().int().min(0).max(50).default(DEFAULT_MAX_REDIRECTS),
  max_body_bytes: sizeBytes().optional(),
  expect: expectShape.optional(),
  ...ipShape,
  tls: tlsShape.optional(),
};

type ParsedHttp = z.infer<z.ZodObject<typeof httpSettingsShape>>;

export function toHttpSettings(raw: Record<string, unknown>): HttpSettings {
  const parsed = raw as ParsedHttp;
  return {
    url: parsed.url,
    method: parsed.method,
    headers: parsed.headers,
    body: parsed.body,
    auth: toAuth(parsed.auth),
    secretHeaders: new Set(parsed.secret_headers.map((name) => name.toLowerCase())),
    validStatusCodes: parsed.valid_status_codes ?? DEFAULT_VALID_STATUS_CODES,
    followRedirects: parsed.follow_redirects,
    keepAlive: parsed.keep_alive,
    traceparent: parsed.traceparent,
    maxRedirects: parsed.max_redirects,
    maxBodyBytes: parsed.max_body_bytes ?? DEFAULT_MAX_BODY_BYTES,
    expect: toExpectations(parsed.expect),
    ...toIpSettings(parsed),
    tls: toTlsOptions(parsed.tls),
  };
}

export function toAuth(parsed: z.infer<typeof authShape> | undefined): HttpAuth | undefined {
  if (parsed === undefined) return undefined;
  return 'basic' in parsed ? { type: 'basic', ...parsed.basic } : { type: 'bearer', token: parsed.bearer };
}

export function toExpectations(parsed: z.infer<typeof expectShape> | undefined): HttpExpectations {
  const expect = parsed ?? expectShape.parse({});
  return {
    contains: expect.contains,
    notContains: expect.not_contains,
    regex: expect.regex,
    notRegex: expect.not_regex,
    json: expect.json,
    headers: new Map(Object.entries(expect.headers).map(([name, re]) => [name.toLowerCase(), re])),
  };
}

/** The Authorization header value for configured credentials. */
export function authorizationValue(auth: HttpAuth): string {
  return auth.type === 'basic'
    ? `Basic ${Buffer.from(`${auth.username}:${auth.password}`).toString('base64')}`
    : `Bearer ${auth.token}`;
}

export function validateHttpSettings(settings: HttpSettings): Array<[string[], string]> {
  const problems = validateTlsOptions(settings.tls);
  if (settings.body !== undefined && (settings.method === 'GET' || settings.method === 'HEAD')) {
    problems.push([['body'], `expected no body with method ${settings.method}`]);
  }
  const hasAuthHeader = Object.keys(settings.headers).some((name) => name.toLowerCase() === 'authorization');
  if (hasAuthHeader && settings.auth !== undefined) {
    problems.push([['auth'], 'expected either auth or an Authorization header, not both']);
  }
  const inUrl = userinfoAuth(new URL(settings.url)) !== undefined;
  if (inUrl && (hasAuthHeader || settings.auth !== undefined)) {
    problems.push([
      ['url'],
      'expected credentials either in the URL (user:password@) or in auth/Authorization, not both',
    ]);
  }
  return problems;
}

/** Request headers of a probe: our User-Agent, then the configured ones, names lower-cased. */
/** A configured header's value, whatever the case of its name. */
export function configuredHeader(
  headers: Readonly<Record<string, string>>,
  name: string,
): string | undefined {
  for (const [key, value] of Object.entries(headers)) if (key.toLowerCase() === name) return value;
  return undefined;
}

export function requestHeaders(configured: Readonly<Record<string, string>>): Record<string, string> {
  const headers: Record<string, string> = { 'user-agent': USER_AGENT };
  for (const [name, value] of Object.entries(configured)) headers[name.toLowerCase()] = value;
  return headers;
}

/**
 * `http://user:pass@host/` as Basic credentials, as curl and browsers use them (percent-decoded);
 * the URL itself never carries them onto the wire or into a log.
 */
export function userinfoAuth(url: URL): HttpAuth | undefined {
  if (url.username === '' && url.password === '') return undefined;
  return {
    type: 'basic',
    username: decodeComponent(url.username) ?? url.username,
    password: decodeComponent(url.password) ?? url.password,
  };
}

/** A `prismwatch probe` target as a URL: a bare host gets http://. */
export function urlFromCli(target: string): string {
  return /^https?:\/\//.test(target) ? target : `http://${target}`;
}
