/**
 * The Observatory's single-header tests: HSTS, X-Content-Type-Options, X-Frame-Options,
 * Referrer-Policy, CORP, COOP, COEP (src/analyzer/tests/*.js). Truncation lengths, the "comma
 * means sent twice" rule and the thresholds are theirs, kept exactly for score parity.
 */
import { parseTokenItem } from './structured-field.js';
import { type HeaderMap, headerValue, result, type Scan, type TestResult } from './types.js';

/** 180 days; the Observatory's own "white lie" against the 15,768,000 it documents. */
const HSTS_MIN_MAX_AGE = 15_552_000;

export function testHsts(
  scan: Scan,
): TestResult & { maxAge?: number; includeSubDomains?: boolean; preload?: boolean } {
  const test = 'strict-transport-security';
  if (!scan.https) return result(test, 'hsts-not-implemented-no-https', -20, false);
  if (!scan.https.verified) return result(test, 'hsts-invalid-cert', -20, false);
  const value = headerValue(scan.https.headers, 'strict-transport-security', 1024);
  if (value === undefined) return result(test, 'hsts-not-implemented', -20, false);
  const directives = value.split(';').map((part) => part.trim().toLowerCase());
  // As strict-transport-security.js parses it: every max-age= directive read with parseInt on
  // at most 120 characters, the last one winning. parseInt('"31536000"') is NaN, and NaN is not
  // below six months, so a quoted (or otherwise unparsable) max-age passes there; it passes here.
  let maxAge: number | undefined;
  for (const directive of directives)
    if (directive.startsWith('max-age=')) maxAge = Number.parseInt(directive.slice(8, 128), 10);
  if (value.includes(',') || maxAge === undefined)
    return result(test, 'hsts-header-invalid', -20, false, value);
  const facts = {
    maxAge,
    includeSubDomains: directives.includes('includesubdomains'),
    preload: directives.includes('preload'),
  };
  if (maxAge < HSTS_MIN_MAX_AGE)
    return { ...result(test, 'hsts-implemented-max-age-less-than-six-months', -10, false, value), ...facts };
  return { ...result(test, 'hsts-implemented-max-age-at-least-six-months', 0, true, value), ...facts };
}

export function testXContentTypeOptions(scan: Scan): TestResult {
  const test = 'x-content-type-options';
  const value = headerValue(scan.auto.headers, 'x-content-type-options', 256);
  if (value === undefined) return result(test, 'x-content-type-options-not-implemented', -5, false);
  if (value.trim().toLowerCase() === 'nosniff')
    return result(test, 'x-content-type-options-nosniff', 0, true, value);
  return result(test, 'x-content-type-options-header-invalid', -5, false, value);
}

export function testXFrameOptions(scan: Scan, cspHasFrameAncestors: boolean): TestResult {
  const test = 'x-frame-options';
  if (cspHasFrameAncestors) return result(test, 'x-frame-options-implemented-via-csp', 5, true);
  const value = headerValue(scan.auto.headers, 'x-frame-options', 1024);
  if (value === undefined) return result(test, 'x-frame-options-not-implemented', -20, false);
  const normal = value.trim().toLowerCase();
  if (normal === 'deny' || normal === 'sameorigin')
    return result(test, 'x-frame-options-sameorigin-or-deny', 5, true, value);
  if (normal.startsWith('allow-from'))
    return result(test, 'x-frame-options-allow-from-origin', 0, true, value);
  return result(test, 'x-frame-options-header-invalid', -20, false, value);
}

const PRIVATE_REFERRERS = new Set([
  'no-referrer',
  'same-origin',
  'strict-origin',
  'strict-origin-when-cross-origin',
]);
const UNSAFE_REFERRERS = new Set([
  'origin',
  'origin-when-cross-origin',
  'unsafe-url',
  'no-referrer-when-downgrade',
]);

/** `metaReferrer`: the content of `<meta name="referrer">`, which comes last and so wins. */
export function testReferrerPolicy(scan: Scan, metaReferrer: string | undefined): TestResult {
  const test = 'referrer-policy';
  const values = [headerValue(scan.auto.headers, 'referrer-policy'), metaReferrer].filter(
    (v): v is string => v !== undefined,
  );
  if (values.length === 0) return result(test, 'referrer-policy-not-implemented', 0, true);
  const joined = values.join(', ');
  const tokens = joined.split(',').map((token) => token.trim().toLowerCase());
  const recognised = tokens
    .filter((token) => PRIVATE_REFERRERS.has(token) || UNSAFE_REFERRERS.has(token))
    .at(-1);
  if (recognised === undefined) return result(test, 'referrer-policy-header-invalid', -5, false, joined);
  if (PRIVATE_REFERRERS.has(recognised)) return result(test, 'referrer-policy-private', 5, true, joined);
  return result(test, 'referrer-policy-unsafe', -5, false, joined);
}

export function testCorp(scan: Scan): TestResult {
  const test = 'cross-origin-resource-policy';
  const value = headerValue(scan.auto.headers, 'cross-origin-resource-policy', 256);
  if (value === undefined) return result(test, 'corp-not-implemented', 0, true);
  const normal = value.trim().toLowerCase();
  // tests/cross-origin-resource-policy.js: same-site has its own result, worth the same +10
  // (grader/charts.js) as same-origin.
  if (normal === 'same-origin' || normal === 'same-site')
    return result(test, `corp-implemented-with-${normal}`, 10, true, value);
  if (normal === 'cross-origin') return result(test, 'corp-implemented-with-cross-origin', 0, true, value);
  return result(test, 'corp-header-invalid', -5, false, value);
}

function structuredPolicy(
  headers: HeaderMap,
  name: string,
  prefix: string,
  test: string,
  good: ReadonlySet<string>,
): TestResult {
  const raw = headers[name];
  if (raw === undefined) return result(test, `${prefix}-not-implemented`, 0, true);
  const values = Array.isArray(raw) ? raw : [raw];
  const token = values.length === 1 ? parseTokenItem(values[0]!) : undefined;
  const data = values.join(', ');
  if (token !== undefined && good.has(token))
    return result(test, `${prefix}-implemented-with-${token}`, 10, true, data);
  if (token === 'unsafe-none') return result(test, `${prefix}-implemented-with-unsafe-none`, 0, true, data);
  return result(test, `${prefix}-header-invalid`, -5, false, data);
}

export function testCoop(scan: Scan): TestResult {
  return structuredPolicy(
    scan.auto.headers,
    'cross-origin-opener-policy',
    'coop',
    'cross-origin-opener-policy',
    new Set(['same-origin', 'same-origin-allow-popups', 'noopener-allow-popups']),
  );
}

export function testCoep(scan: Scan): TestResult {
  return structuredPolicy(
    scan.auto.headers,
    'cross-origin-embedder-policy',
    'coep',
    'cross-origin-embedder-policy',
    new Set(['require-corp', 'credentialless']),
  );
}
