/** The `kind: multi_http` keys: an ordered list of HTTP steps sharing TLS, IP and header settings. */
import * as z from 'zod';
import { durationMs, httpUrl, regex, sizeBytes } from '../../util/fields.js';
import type { LinearRegExp } from '../../util/linear-regex.js';
import {
  authShape,
  expectShape,
  type HttpAuth,
  type HttpExpectations,
  statusCode,
  toAuth,
  toExpectations,
  traceparentSetting,
} from '../http-client/config.js';
import { parseJsonPath } from '../http-client/json-path.js';
import { network } from '../net/config.js';
import type { IpProtocol, TlsOptions } from '../net/connect.js';
import { type Reference, referencesIn } from './template.js';

/** Where a value comes from in a step's response. */
export type Extraction =
  | { readonly from: 'json'; readonly path: string }
  | { readonly from: 'header'; readonly name: string }
  | { readonly from: 'regex'; readonly pattern: LinearRegExp };

export interface Step {
  readonly name: string;
  readonly method: string;
  /** Absolute, or relative to the flow's base_url; may hold `${steps.…}` references. */
  readonly url: string;
  readonly headers: Readonly<Record<string, string>>;
  readonly body?: string;
  readonly auth?: HttpAuth;
  readonly validStatusCodes: ReadonlyArray<readonly [number, number]>;
  readonly followRedirects: boolean;
  readonly maxRedirects: number;
  readonly expect: HttpExpectations;
  /** The step's own deadline; the flow's timeout bounds every step too. */
  readonly timeoutMs?: number;
  /** Variable name → where its value comes from. */
  readonly extract: ReadonlyMap<string, Extraction>;
}

export interface MultiHttpSettings {
  readonly baseUrl?: string;
  /** Sent with every step; a step's own headers win. */
  readonly headers: Readonly<Record<string, string>>;
  readonly steps: readonly Step[];
  /** Carry cookies a step's response sets to the later steps on the same host (a login session). */
  readonly cookies: boolean;
  /** Send one W3C traceparent per run with every step (unless a step's headers set their own). */
  readonly traceparent: boolean;
  readonly secretHeaders: ReadonlySet<string>;
  readonly maxBodyBytes: number;
  readonly ipProtocol: IpProtocol;
  readonly ipFallback: boolean;
  readonly tls: TlsOptions;
}

const DEFAULT_MAX_BODY_BYTES = 10 * 1024 * 1024;
const STEP_NAME_RE = /^[A-Za-z0-9_-]{1,64}$/;
const VARIABLE_RE = /^[A-Za-z_][A-Za-z0-9_]{0,63}$/;

const extraction = z.union(
  [
    z.strictObject({
      json: z.string().refine((path) => parseJsonPath(path) !== undefined, {
        message: 'expected a JSON path like "$.token"',
      }),
    }),
    z.strictObject({ header: z.string().min(1) }),
    z.strictObject({ regex }),
  ],
  {
    error: 'expected `json: <path>`, `header: <name>` or `regex: <pattern>` (its first group, or the match)',
  },
);

const stepShape = z.strictObject({
  name: z.string().regex(STEP_NAME_RE, { message: 'expected a step name of letters, digits, "_" or "-"' }),
  method: z
    .string()
    .regex(/^[A-Z]+$/, { message: 'expected an upper-case HTTP method like GET' })
    .default('GET'),
  url: z.string({ error: 'expected a URL, or a path relative to base_url' }).min(1),
  headers: z.record(z.string(), z.string({ error: 'expected a string header value' })).default({}),
  body: z.string().optional(),
  auth: authShape.optional(),
  valid_status_codes: z.array(statusCode).min(1).optional(),
  follow_redirects: z.boolean().default(true),
  max_redirects: z.number().int().min(0).max(50).default(10),
  expect: expectShape.optional(),
  timeout: durationMs().optional(),
  extract: z
    .record(
      z.string().regex(VARIABLE_RE, { message: 'expected a variable name of letters, digits and "_"' }),
      extraction,
    )
    .default({}),
});

export const multiHttpSettingsShape = {
  base_url: httpUrl.optional(),
  headers: z.record(z.string(), z.string({ error: 'expected a string header value' })).default({}),
  steps: z.array(stepShape).min(1).max(50),
  cookies: z.boolean().default(true),
  traceparent: traceparentSetting,
  secret_headers: z.array(z.string({ error: 'expected a header name' })).default([]),
  max_body_bytes: sizeBytes().optional(),
  ...network.shape,
};

type ParsedMultiHttp = z.infer<z.ZodObject<typeof multiHttpSettingsShape>>;
type ParsedStep = ParsedMultiHttp['steps'][number];

function toExtraction(parsed: ParsedStep['extract'][string]): Extraction {
  if ('json' in parsed) return { from: 'json', path: parsed.json };
  if ('header' in parsed) return { from: 'header', name: parsed.header.toLowerCase() };
  return { from: 'regex', pattern: parsed.regex };
}

function toStep(parsed: ParsedStep): Step {
  return {
    name: parsed.name,
    method: parsed.method,
    url: parsed.url,
    headers: parsed.headers,
    body: parsed.body,
    auth: toAuth(parsed.auth),
    validStatusCodes: parsed.valid_status_codes ?? [[200, 299]],
    followRedirects: parsed.follow_redirects,
    maxRedirects: parsed.max_redirects,
    expect: toExpectations(parsed.expect),
    timeoutMs: parsed.timeout,
    extract: new Map(Object.entries(parsed.extract).map(([name, from]) => [name, toExtraction(from)])),
  };
}

export function toMultiHttpSettings(raw: Record<string, unknown>): MultiHttpSettings {
  const parsed = raw as ParsedMultiHttp;
  return {
    baseUrl: parsed.base_url,
    headers: parsed.headers,
    steps: parsed.steps.map(toStep),
    cookies: parsed.cookies,
    traceparent: parsed.traceparent,
    secretHeaders: new Set(parsed.secret_headers.map((name) => name.toLowerCase())),
    maxBodyBytes: parsed.max_body_bytes ?? DEFAULT_MAX_BODY_BYTES,
    ...network.settings(parsed),
  };
}

/** A step's URL with its references filled by a placeholder, resolved against base_url. */
export function resolveStepUrl(template: string, baseUrl: string | undefined): URL | undefined {
  try {
    const url = new URL(template, baseUrl);
    return url.protocol === 'http:' || url.protocol === 'https:' ? url : undefined;
  } catch {
    return undefined;
  }
}

/**
 * What the shape cannot say: unique step names, URLs that resolve, and references that name a
 * variable an earlier step extracts (a typo there would otherwise send "${steps.logn.token}").
 */
export function validateMultiHttpSettings(
  settings: MultiHttpSettings,
  spec: { timeoutMs: number },
): Array<[Array<string | number>, string]> {
  const problems: Array<[Array<string | number>, string]> = network.validate(settings);
  for (const [name, value] of Object.entries(settings.headers)) {
    if (referencesIn(value).length > 0)
      problems.push([
        ['headers', name],
        'expected no ${steps.…} reference in the headers every step sends; put it in the headers of the steps after the one that extracts it',
      ]);
  }
  const seen = new Map<string, ReadonlySet<string>>();
  settings.steps.forEach((step, index) => {
    const at = (...path: string[]) => ['steps', index, ...path];
    if (seen.has(step.name))
      problems.push([at('name'), `expected a unique step name; "${step.name}" is used twice`]);
    const placeholder = step.url.replace(/\$\{steps\.[^}]*\}/g, 'x');
    if (!resolveStepUrl(placeholder, settings.baseUrl)) {
      problems.push([
        at('url'),
        settings.baseUrl
          ? 'expected an http(s) URL or a path relative to base_url'
          : 'expected an absolute http:// or https:// URL (or set base_url for relative ones)',
      ]);
    }
    if (step.body !== undefined && (step.method === 'GET' || step.method === 'HEAD'))
      problems.push([at('body'), `expected no body with method ${step.method}`]);
    if (step.timeoutMs !== undefined && step.timeoutMs > spec.timeoutMs)
      problems.push([at('timeout'), "expected a step timeout no longer than the probe's timeout"]);
    const texts: Array<[Array<string | number>, string]> = [
      [at('url'), step.url],
      ...(step.body !== undefined ? [[at('body'), step.body] as [Array<string | number>, string]] : []),
      ...Object.entries(step.headers).map(
        ([name, value]) => [at('headers', name), value] as [Array<string | number>, string],
      ),
    ];
    for (const [path, text] of texts) {
      for (const reference of referencesIn(text)) {
        const problem = checkReference(reference, seen);
        if (problem) problems.push([path, problem]);
      }
    }
    seen.set(step.name, new Set(step.extract.keys()));
  });
  return problems;
}

function checkReference(
  reference: Reference,
  earlier: ReadonlyMap<string, ReadonlySet<string>>,
): string | undefined {
  const written = `\${steps.${reference.step}.${reference.variable}}`;
  const variables = earlier.get(reference.step);
  if (!variables) {
    const names = [...earlier.keys()];
    return `${written} names no earlier step${names.length > 0 ? ` (earlier steps: ${names.join(', ')})` : ''}`;
  }
  if (!variables.has(reference.variable)) {
    const known = [...variables];
    return `${written}: step "${reference.step}" extracts no "${reference.variable}"${known.length > 0 ? ` (it extracts ${known.join(', ')})` : ''}`;
  }
  return undefined;
}
