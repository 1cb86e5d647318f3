/**
 * Five kinds of input where prismwatch's grade once differed from the Observatory's own code
 * (mdn/mdn-http-observatory src/analyzer/tests/*.js, its retriever's cookie jar and the
 * structured-headers parser it uses), each with real-world header values and broken variants.
 */
import { describe, expect, it } from 'vitest';
import { analyzeScan } from '../../../src/probers/security_headers/analyze.js';
import { securityFacts } from '../../../src/probers/security_headers/facts.js';
import { outcome, scan } from '../../helpers/security-scan.js';

const HARDENED = {
  'Content-Security-Policy': "default-src 'none'; frame-ancestors 'none'",
  'Strict-Transport-Security': 'max-age=63072000',
  'X-Content-Type-Options': 'nosniff',
  'X-Frame-Options': 'DENY',
  'Referrer-Policy': 'no-referrer',
};

describe('COOP and COEP as strict RFC 8941 items', () => {
  const coep = (value: string) =>
    outcome(scan({ 'Cross-Origin-Embedder-Policy': value }), 'cross-origin-embedder-policy');
  const coop = (value: string) =>
    outcome(scan({ 'Cross-Origin-Opener-Policy': value }), 'cross-origin-opener-policy');

  it.each([
    ['require-corp', 'coep-implemented-with-require-corp'],
    ['credentialless', 'coep-implemented-with-credentialless'],
    ['unsafe-none', 'coep-implemented-with-unsafe-none'],
    ['require-corp; report-to="coep"', 'coep-implemented-with-require-corp'],
    ['require-corp;report-to="coep"', 'coep-implemented-with-require-corp'],
    // Whitespace before ";" is not allowed by the RFC (parameters follow the item directly).
    ['require-corp ;report-to="e"', 'coep-header-invalid'],
    ['require-corp ; report-to="e"', 'coep-header-invalid'],
    ['require-corp, credentialless', 'coep-header-invalid'],
    ['"require-corp"', 'coep-header-invalid'],
    ['require-corp; Report-To="e"', 'coep-header-invalid'],
    ['  require-corp  ', 'coep-implemented-with-require-corp'],
  ])('COEP %s → %s', (value, expected) => {
    expect(coep(value).result).toBe(expected);
  });

  it.each([
    ['same-origin', 'coop-implemented-with-same-origin'],
    ['same-origin-allow-popups', 'coop-implemented-with-same-origin-allow-popups'],
    ['same-origin; report-to="coop"', 'coop-implemented-with-same-origin'],
    ['same-origin ;report-to="coop"', 'coop-header-invalid'],
    ['same-origin;', 'coop-header-invalid'],
    ['same-origin; report-to=', 'coop-header-invalid'],
  ])('COOP %s → %s', (value, expected) => {
    expect(coop(value).result).toBe(expected);
  });

  it('scores the issue example as the Observatory does: 120 A+, not 135', () => {
    const graded = analyzeScan(
      scan({ ...HARDENED, 'Cross-Origin-Embedder-Policy': 'require-corp ;report-to="e"' }),
    );
    expect(graded.results.find((r) => r.test === 'cross-origin-embedder-policy')?.modifier).toBe(-5);
  });
});

describe("'strict-dynamic' through default-src prunes default-src itself", () => {
  const csp = (value: string, https = true) => {
    const scanned = scan({ 'Content-Security-Policy': value });
    const auto = https ? scanned.auto : { ...scanned.auto, url: 'http://example.com/' };
    return outcome({ ...scanned, auto }, 'content-security-policy');
  };

  it.each([
    // The issue's example: http://cdn.example is dropped for img-src and media-src too.
    ["default-src 'nonce-abc' 'strict-dynamic' http://cdn.example", 'csp-implemented-with-no-unsafe'],
    ["default-src 'nonce-abc' 'strict-dynamic' http: https:", 'csp-implemented-with-no-unsafe'],
    [
      "default-src 'sha256-abc=' 'strict-dynamic' 'self' http://static.example.com",
      'csp-implemented-with-no-unsafe',
    ],
    // An own img-src keeps its http: source: passive content over http still costs points.
    [
      "default-src 'nonce-abc' 'strict-dynamic' http://cdn.example; img-src http://img.example",
      'csp-implemented-with-insecure-scheme-in-passive-content-only',
    ],
    // A script-src of its own: default-src is not touched, and its http: stays for img-src.
    [
      "default-src http://cdn.example; script-src 'nonce-abc' 'strict-dynamic'; object-src 'none'",
      'csp-implemented-with-insecure-scheme',
    ],
    // Without a nonce or hash 'strict-dynamic' is invalid, as before.
    ["default-src 'strict-dynamic' http://cdn.example", 'csp-header-invalid'],
  ])('%s → %s', (value, expected) => {
    expect(csp(value).result).toBe(expected);
  });

  it('reads passive content over http: only on an https site, as active content', () => {
    const value = "default-src 'self'; img-src http://img.example; object-src 'none'";
    expect(csp(value).result).toBe('csp-implemented-with-insecure-scheme-in-passive-content-only');
    expect(csp(value, false).result).toBe('csp-implemented-with-no-unsafe');
  });

  it("also drops 'unsafe-inline' from default-src when a nonce is there (style-src reads it without)", () => {
    expect(csp("default-src 'nonce-abc' 'unsafe-inline'; object-src 'none'").result).toBe(
      'csp-implemented-with-no-unsafe',
    );
  });
});

describe('cookies as the jar keeps them', () => {
  const cookies = (lines: string[], hsts = false) =>
    outcome(
      scan(hsts ? { 'Strict-Transport-Security': 'max-age=63072000' } : {}, { setCookies: lines }),
      'cookies',
    );

  it.each([
    // The issue's examples: broken prefixes are dropped by the jar, never graded.
    [['__Secure-sessionid=abc; Path=/; HttpOnly'], 'cookies-not-found'],
    [['__Host-login=abc; Secure; HttpOnly; Path=/app'], 'cookies-not-found'],
    [['__Host-login=abc; Secure; HttpOnly; Path=/; Domain=example.com'], 'cookies-not-found'],
    [['__Host-login=abc; HttpOnly; Path=/'], 'cookies-not-found'],
    // Well-formed prefixes are kept and graded.
    [
      ['__Host-sessionid=abc; Secure; HttpOnly; Path=/; SameSite=Lax'],
      'cookies-secure-with-httponly-sessions-and-samesite',
    ],
    [['__Secure-sessionid=abc; Secure; Path=/; SameSite=Strict'], 'cookies-session-without-httponly-flag'],
    // A logout clears the session cookie: expired cookies are removed, not graded.
    [['sessionid=; Path=/; Max-Age=0'], 'cookies-not-found'],
    [['sessionid=deleted; expires=Thu, 01 Jan 1970 00:00:00 GMT; Path=/'], 'cookies-not-found'],
    [['sessionid=x; Max-Age=-1; Expires=Wed, 01 Jan 2098 00:00:00 GMT'], 'cookies-not-found'],
    [
      ['sessionid=x; Max-Age=3600; Expires=Thu, 01 Jan 1970 00:00:00 GMT; HttpOnly'],
      'cookies-session-without-secure-flag',
    ],
    // The last of two lines with one name and path wins.
    [
      ['sessionid=a; Path=/', 'sessionid=b; Path=/; Secure; HttpOnly; SameSite=Lax'],
      'cookies-secure-with-httponly-sessions-and-samesite',
    ],
  ])('%j → %s', (lines, expected) => {
    expect(cookies(lines).result).toBe(expected);
  });

  it('still reads a malformed SameSite on a line the jar drops', () => {
    expect(cookies(['__Secure-id=1; SameSite=Bogus']).result).toBe('cookies-not-found');
    expect(cookies(['__Secure-id=1; SameSite=Bogus', 'theme=dark; Secure; SameSite=Lax']).result).toBe(
      'cookies-samesite-flag-invalid',
    );
  });

  it('stores an unknown SameSite as none at all: an anti-CSRF cookie with SameSite=Bogus lacks it', () => {
    expect(cookies(['csrftoken=abc; Secure; SameSite=Bogus']).result).toBe(
      'cookies-anticsrf-without-samesite-flag',
    );
    expect(cookies(['csrftoken=abc; Secure; SameSite']).result).toBe(
      'cookies-anticsrf-without-samesite-flag',
    );
    expect(cookies(['theme=dark; Secure; SameSite=Bogus']).result).toBe('cookies-samesite-flag-invalid');
    expect(cookies(['theme=dark; Secure; SameSite=lax']).result).toBe(
      'cookies-secure-with-httponly-sessions-and-samesite',
    );
  });
});

describe('labels with the same score', () => {
  it('names CORP same-site as its own result, worth what same-origin is', () => {
    const corp = (value: string) =>
      outcome(scan({ 'Cross-Origin-Resource-Policy': value }), 'cross-origin-resource-policy');
    expect(corp('same-site')).toMatchObject({ result: 'corp-implemented-with-same-site', modifier: 10 });
    expect(corp('Same-Site')).toMatchObject({ result: 'corp-implemented-with-same-site', modifier: 10 });
    expect(corp('same-origin')).toMatchObject({ result: 'corp-implemented-with-same-origin', modifier: 10 });
    expect(corp('same-site, same-origin').result).toBe('corp-header-invalid');
  });
});

describe('a preflight that trusts any Origin with credentials', () => {
  const preflight = {
    'access-control-allow-origin': 'https://http-observatory.security.mozilla.org',
    'access-control-allow-credentials': 'true',
  };

  it('grades as the live site (restricted access, 0) and reports the finding apart', () => {
    const graded = analyzeScan(scan(HARDENED, { preflight }));
    expect(graded.results.find((r) => r.test === 'cross-origin-resource-sharing')).toMatchObject({
      result: 'cross-origin-resource-sharing-implemented-with-restricted-access',
      modifier: 0,
    });
    expect(graded.findings).toEqual(['cors-any-origin-with-credentials']);
  });

  it('shows the finding beside the grade on the status page', () => {
    const cell = securityFacts.statusColumn!.cell(
      {
        score: 115,
        grade: 'A+',
        algorithmVersion: 6,
        passed: 12,
        failed: 0,
        notEvaluated: 0,
        results: [],
        disclosing: [],
        findings: ['cors-any-origin-with-credentials'],
        url: 'https://example.com/',
      } as never,
      Date.now(),
    );
    expect(cell?.html).toContain('⚠ cors-any-origin-with-credentials');
    expect(cell?.warn).toBe(true);
  });

  it.each([
    [{ ...preflight, 'access-control-allow-credentials': 'TRUE ' }, ['cors-any-origin-with-credentials']],
    [{ ...preflight, 'access-control-allow-credentials': 'false' }, []],
    [
      {
        'access-control-allow-origin': 'https://app.example.com',
        'access-control-allow-credentials': 'true',
      },
      [],
    ],
    [{ 'access-control-allow-origin': '*', 'access-control-allow-credentials': 'true' }, []],
    [{}, []],
  ])('%j → findings %j', (headers, findings) => {
    expect(analyzeScan(scan(HARDENED, { preflight: headers })).findings).toEqual(findings);
  });
});
