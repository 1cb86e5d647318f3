/**
 * The MDN HTTP Observatory's test vectors: single-test vectors from the Observatory's own tests
 * (T), and full-scan vectors scored by its analyzer (V), exact.
 */
import { describe, expect, it } from 'vitest';
import { analyzeScan } from '../../../src/probers/security_headers/analyze.js';
import { gradeFor, gradeResults } from '../../../src/probers/security_headers/grade.js';
import type { Scan } from '../../../src/probers/security_headers/types.js';
import { outcome, scan } from '../../helpers/security-scan.js';

const G = {
  'Content-Security-Policy': "default-src 'self'; object-src 'none'",
  'Strict-Transport-Security': 'max-age=31536000',
  'X-Content-Type-Options': 'nosniff',
  'X-Frame-Options': 'DENY',
  'Referrer-Policy': 'strict-origin-when-cross-origin',
};

const HELMET = {
  'Content-Security-Policy':
    "default-src 'self';base-uri 'self';font-src 'self' https: data:;form-action 'self';frame-ancestors 'self';img-src 'self' data:;object-src 'none';script-src 'self';script-src-attr 'none';style-src 'self' https: 'unsafe-inline';upgrade-insecure-requests",
  'Cross-Origin-Opener-Policy': 'same-origin',
  'Cross-Origin-Resource-Policy': 'same-origin',
  'Origin-Agent-Cluster': '?1',
  'Referrer-Policy': 'no-referrer',
  'Strict-Transport-Security': 'max-age=31536000; includeSubDomains',
  'X-Content-Type-Options': 'nosniff',
  'X-DNS-Prefetch-Control': 'off',
  'X-Download-Options': 'noopen',
  'X-Frame-Options': 'SAMEORIGIN',
  'X-Permitted-Cross-Domain-Policies': 'none',
  'X-XSS-Protection': '0',
};

const OWASP = {
  'Strict-Transport-Security': 'max-age=63072000; includeSubDomains',
  'X-Frame-Options': 'deny',
  'X-Content-Type-Options': 'nosniff',
  'Content-Security-Policy':
    "default-src 'self'; form-action 'self'; base-uri 'self'; object-src 'none'; frame-ancestors 'none'; upgrade-insecure-requests",
  'X-Permitted-Cross-Domain-Policies': 'none',
  'Referrer-Policy': 'no-referrer',
  'Clear-Site-Data': '"cache","cookies","storage"',
  'Cross-Origin-Embedder-Policy': 'require-corp',
  'Cross-Origin-Opener-Policy': 'same-origin',
  'Cross-Origin-Resource-Policy': 'same-origin',
  'Cache-Control': 'no-store, max-age=0',
  'X-DNS-Prefetch-Control': 'off',
};

describe('full-scan vectors (A.7 b): exact score, grade and passes', () => {
  it.each([
    ['V01 no headers', {}, [30, 'D', 8], [30, 'D', 6]],
    ['V02 good core G', G, [115, 'A+', 12], [115, 'A+', 10]],
    ['V03 helmet 8 defaults', HELMET, [130, 'A+', 12], [120, 'A+', 10]],
    ['V04 OWASP add list', OWASP, [145, 'A+', 12], [125, 'A+', 10]],
    ['V05 only CSP none', { 'Content-Security-Policy': "default-src 'none'" }, [55, 'C', 9], [55, 'C', 7]],
    [
      'V06 short HSTS',
      { ...G, 'Strict-Transport-Security': 'max-age=86400' },
      [105, 'A+', 11],
      [105, 'A+', 9],
    ],
    [
      'V07 unsafe-inline script',
      {
        ...G,
        'Content-Security-Policy': "default-src 'self'; script-src 'self' 'unsafe-inline'; object-src 'none'",
      },
      [80, 'B+', 11],
      [80, 'B+', 9],
    ],
    [
      'V08 report-only CSP',
      (() => {
        const { 'Content-Security-Policy': _csp, ...rest } = G;
        return {
          ...rest,
          'Content-Security-Policy-Report-Only': "default-src 'none'; report-to /_/csp-reports",
        };
      })(),
      [75, 'B', 11],
      [75, 'B', 9],
    ],
    [
      'V09 XFO sent twice',
      { ...G, 'X-Frame-Options': 'SAMEORIGIN, SAMEORIGIN' },
      [80, 'B+', 11],
      [80, 'B+', 9],
    ],
    [
      'V10 XCTO sent twice',
      { ...G, 'X-Content-Type-Options': 'nosniff, nosniff' },
      [110, 'A+', 11],
      [110, 'A+', 9],
    ],
  ] as const)('%s', (_name, headers, v6, v5) => {
    const s = scan(headers as Record<string, string>);
    const six = analyzeScan(s, 6);
    expect([six.score, six.grade, six.passed]).toEqual(v6);
    expect(six.results).toHaveLength(12);
    const five = analyzeScan(s, 5);
    expect([five.score, five.grade, five.passed]).toEqual(v5);
    expect(five.results).toHaveLength(10);
  });
});

describe('grader (T19)', () => {
  it.each([
    [100, 'A+'],
    [0, 'F'],
    [120, 'A+'],
    [87, 'A-'],
    [64, 'C+'],
    [24, 'F'],
  ] as const)('%i → %s', (score, grade) => expect(gradeFor(score)).toBe(grade));
  it('floors the score at 0 and does not cap it above 100', () => {
    expect(gradeResults([{ test: 't', result: 'r', modifier: -110, pass: false }]).score).toBe(0);
    expect(gradeResults([{ test: 't', result: 'r', modifier: 20, pass: true }]).score).toBe(120);
  });
});

describe('single-test vectors (A.7 a)', () => {
  const hsts = (value: string, overrides: Partial<Scan> = {}) =>
    outcome(scan({ 'Strict-Transport-Security': value }, overrides), 'strict-transport-security');
  it('T1–T5 strict-transport-security', () => {
    expect(hsts('includeSubDomains; preload').result).toBe('hsts-header-invalid');
    expect(hsts('max-age=15768000; includeSubDomains, max-age=15768000; includeSubDomains').result).toBe(
      'hsts-header-invalid',
    );
    expect(hsts('max-age=86400')).toMatchObject({
      result: 'hsts-implemented-max-age-less-than-six-months',
      pass: false,
    });
    expect(hsts('max-age=15768000; includeSubDomains; preload')).toMatchObject({
      result: 'hsts-implemented-max-age-at-least-six-months',
      pass: true,
      maxAge: 15768000,
      includeSubDomains: true,
      preload: true,
    });
    const unverified = scan({ 'Strict-Transport-Security': 'max-age=31536000' });
    expect(
      outcome(
        { ...unverified, https: { ...unverified.https!, verified: false } },
        'strict-transport-security',
      ).result,
    ).toBe('hsts-invalid-cert');
  });

  it('T6 x-content-type-options', () => {
    for (const bad of ['whimsy', 'nosniff, nosniff'])
      expect(outcome(scan({ 'X-Content-Type-Options': bad }), 'x-content-type-options').pass).toBe(false);
    for (const good of ['nosniff', 'nosniff '])
      expect(outcome(scan({ 'X-Content-Type-Options': good }), 'x-content-type-options').pass).toBe(true);
  });

  it('T7 x-frame-options', () => {
    const xfo = (value: string, extra: Record<string, string> = {}) =>
      outcome(scan({ 'X-Frame-Options': value, ...extra }), 'x-frame-options');
    expect(xfo('SAMEORIGIN, SAMEORIGIN')).toMatchObject({
      result: 'x-frame-options-header-invalid',
      pass: false,
    });
    expect(xfo('ALLOW-FROM https://mozilla.org')).toMatchObject({
      result: 'x-frame-options-allow-from-origin',
      pass: true,
    });
    expect(xfo('DENY')).toMatchObject({
      result: 'x-frame-options-sameorigin-or-deny',
      pass: true,
      modifier: 5,
    });
    expect(xfo('SAMEORIGIN').modifier).toBe(5);
    expect(xfo('DENY', { 'Content-Security-Policy': 'frame-ancestors https://mozilla.org' }).result).toBe(
      'x-frame-options-implemented-via-csp',
    );
  });

  it('T8 referrer-policy', () => {
    const rp = (value?: string) =>
      outcome(scan(value === undefined ? {} : { 'Referrer-Policy': value }), 'referrer-policy');
    expect(rp('no-referrer, unsafe-url')).toMatchObject({ result: 'referrer-policy-unsafe', pass: false });
    expect(rp('origin-when-cross-origin, no-referrer, unsafe-url').result).toBe('referrer-policy-unsafe');
    expect(rp('no-referrer, whimsy')).toMatchObject({ result: 'referrer-policy-private', pass: true });
    expect(rp('whimsy, whimsy1, whimsy2')).toMatchObject({
      result: 'referrer-policy-header-invalid',
      pass: false,
    });
    expect(rp()).toMatchObject({ result: 'referrer-policy-not-implemented', pass: true });
  });

  it('T8 a <meta name="referrer"> comes last and wins', () => {
    const s = scan({ 'Referrer-Policy': 'unsafe-url' });
    const withMeta = {
      ...s,
      auto: { ...s.auto, body: '<html><head><meta name="referrer" content="no-referrer"></head></html>' },
    };
    expect(outcome(withMeta, 'referrer-policy').result).toBe('referrer-policy-private');
  });

  it.each([
    ["default-src 'none'; default-src 'none'", 'csp-header-invalid'],
    ["default-src 'none'; script-src 'strict-dynamic'", 'csp-header-invalid'],
    ['defa', 'csp-header-invalid'],
    ['', 'csp-header-invalid'],
    ["script-src 'unsafe-inline'", 'csp-implemented-with-unsafe-inline'],
    ['script-src https:', 'csp-implemented-with-unsafe-inline'],
    ['upgrade-insecure-requests', 'csp-implemented-with-unsafe-inline'],
    ["default-src 'none'; script-src 'none'; object-src *", 'csp-implemented-with-unsafe-inline'],
    ["default-src 'none'; script-src 'unsafe-eval'", 'csp-implemented-with-unsafe-eval'],
    ["default-src 'self'; img-src http:", 'csp-implemented-with-insecure-scheme-in-passive-content-only'],
    [
      "default-src 'none'; style-src 'unsafe-inline'; script-src 'sha256-abc' 'unsafe-inline'",
      'csp-implemented-with-unsafe-inline-in-style-src-only',
    ],
    [
      "object-src 'none'; script-src 'strict-dynamic' 'nonce-abc' 'unsafe-inline'; style-src 'none'",
      'csp-implemented-with-no-unsafe',
    ],
    [
      "default-src 'none'; script-src 'strict-dynamic' 'sha256-abc123' https://*",
      'csp-implemented-with-no-unsafe-default-src-none',
    ],
    [
      "default-src 'none'; script-src 'self', default-src 'none'; script-src 'self'",
      'csp-implemented-with-no-unsafe-default-src-none',
    ],
    ["default-src 'self'; script-src http://cdn.example", 'csp-implemented-with-insecure-scheme'],
    ["default-src 'self'; report-uri /a; report-uri /b", 'csp-implemented-but-duplicate-directives'],
  ])('T9–T13 CSP %j → %s', (policy, expected) => {
    expect(outcome(scan({ 'Content-Security-Policy': policy }), 'content-security-policy').result).toBe(
      expected,
    );
  });

  it('T12 passive-only passes at −10, and T13 report-only is "not implemented but reporting"', () => {
    expect(
      outcome(
        scan({ 'Content-Security-Policy': "default-src 'self'; img-src http:" }),
        'content-security-policy',
      ),
    ).toMatchObject({ modifier: -10, pass: true });
    expect(
      outcome(
        scan({ 'Content-Security-Policy-Report-Only': "default-src 'none'" }),
        'content-security-policy',
      ).result,
    ).toBe('csp-not-implemented-but-reporting-enabled');
  });

  it('CSP from <meta http-equiv>, ignoring frame-ancestors there', () => {
    const s = scan();
    const body = `<html><head><meta http-equiv="Content-Security-Policy" content="default-src 'none'; frame-ancestors 'none'"></head></html>`;
    const withMeta = { ...s, auto: { ...s.auto, body } };
    expect(outcome(withMeta, 'content-security-policy').result).toBe(
      'csp-implemented-with-no-unsafe-default-src-none',
    );
    expect(outcome(withMeta, 'x-frame-options').result).toBe('x-frame-options-not-implemented');
  });

  it('T14 cookies', () => {
    const cookies = (lines: string[], headers: Record<string, string> = {}) =>
      outcome(scan(headers, { setCookies: lines }), 'cookies').result;
    expect(cookies(['SESSIONID=bar; Path=/; SameSite=Lax; Secure'])).toBe(
      'cookies-session-without-httponly-flag',
    );
    expect(cookies(['SESSIONID=bar; Path=/; SameSite=Lax; HttpOnly'])).toBe(
      'cookies-session-without-secure-flag',
    );
    expect(cookies(['foo=bar; Secure; SameSite=True'])).toBe('cookies-samesite-flag-invalid');
    expect(cookies(['foo=bar; Secure; SameSite='])).toBe('cookies-samesite-flag-invalid');
    expect(cookies(['CSRFTOKEN=abc; Secure; HttpOnly'])).toBe('cookies-anticsrf-without-samesite-flag');
    expect(cookies(['foo=bar'], { 'Strict-Transport-Security': 'max-age=31536000' })).toBe(
      'cookies-without-secure-flag-but-protected-by-hsts',
    );
    expect(cookies([])).toBe('cookies-not-found');
    expect(cookies(['SESSIONID=x; Secure; HttpOnly; SameSite=Strict'])).toBe(
      'cookies-secure-with-httponly-sessions-and-samesite',
    );
    // The worst finding is the list's worst, not the largest penalty.
    expect(
      cookies(['a=1', 'SESSIONID=x; HttpOnly; SameSite=Lax'], {
        'Strict-Transport-Security': 'max-age=31536000',
      }),
    ).toBe('cookies-session-without-secure-flag-but-protected-by-hsts');
  });

  it('T15 CORS preflight', () => {
    const cors = (preflight: Record<string, string> | undefined) =>
      outcome(scan({}, { preflight }), 'cross-origin-resource-sharing');
    expect(
      cors({
        'access-control-allow-origin': 'https://http-observatory.security.mozilla.org',
        'access-control-allow-credentials': 'true',
      }),
    ).toMatchObject({
      // As the live Observatory grades it (cors-redirection.ts); the risk is a finding apart.
      result: 'cross-origin-resource-sharing-implemented-with-restricted-access',
      modifier: 0,
      pass: true,
    });
    expect(cors({ 'access-control-allow-origin': '*' })).toMatchObject({
      result: 'cross-origin-resource-sharing-implemented-with-public-access',
      pass: true,
    });
    expect(cors(undefined)).toMatchObject({
      result: 'cross-origin-resource-sharing-not-evaluated',
      pass: undefined,
    });
  });

  it('T16 redirection', () => {
    const chain = (urls: string[]) => outcome(scan({}, { httpChain: urls }), 'redirection').result;
    expect(chain(['http://mozilla.org/', 'https://www.mozilla.org/'])).toBe('redirection-off-host-from-http');
    expect(chain(['http://mozilla.org/', 'http://www.mozilla.org/', 'https://www.mozilla.org/'])).toBe(
      'redirection-not-to-https-on-initial-redirection',
    );
    expect(chain(['http://mozilla.org/'])).toBe('redirection-missing');
    expect(chain(['http://mozilla.org/', 'http://www.mozilla.org/'])).toBe('redirection-not-to-https');
    expect(chain([])).toBe('redirection-not-needed-no-http');
    expect(outcome(scan({}, { httpChecked: false }), 'redirection').pass).toBeUndefined();
  });

  it('T17 cross-origin-resource-policy', () => {
    expect(
      outcome(scan({ 'Cross-Origin-Resource-Policy': 'whimsy' }), 'cross-origin-resource-policy').pass,
    ).toBe(false);
    expect(
      outcome(
        scan({ 'Cross-Origin-Resource-Policy': ['same-origin', 'cross-origin'] }),
        'cross-origin-resource-policy',
      ),
    ).toMatchObject({
      result: 'corp-header-invalid',
      data: 'same-origin, cross-origin',
    });
  });

  it.each(['"same-origin"', 'Same-Origin', 'SAME-ORIGIN', 'same-origin; report-to=coop endpoint'])(
    'T18 COOP/COEP invalid: %s',
    (value) => {
      expect(
        outcome(scan({ 'Cross-Origin-Opener-Policy': value }), 'cross-origin-opener-policy').result,
      ).toBe('coop-header-invalid');
    },
  );

  it('T18 a parameter is accepted', () => {
    expect(
      outcome(scan({ 'Cross-Origin-Opener-Policy': 'same-origin; report-to' }), 'cross-origin-opener-policy')
        .result,
    ).toBe('coop-implemented-with-same-origin');
    expect(
      outcome(
        scan({ 'Cross-Origin-Embedder-Policy': 'require-corp; report-to="x"' }),
        'cross-origin-embedder-policy',
      ).modifier,
    ).toBe(10);
  });

  it('SRI on scripts, the worst script winning', () => {
    const sri = (scripts: string) => {
      const s = scan();
      return outcome(
        { ...s, auto: { ...s.auto, body: `<html><head>${scripts}</head></html>` } },
        'subresource-integrity',
      ).result;
    };
    expect(sri('')).toBe('sri-not-implemented-but-no-scripts-loaded');
    expect(sri('<script src="/app.js"></script>')).toBe(
      'sri-not-implemented-but-all-scripts-loaded-from-secure-origin',
    );
    expect(sri('<script src="https://cdn.other.net/x.js" integrity="sha384-x"></script>')).toBe(
      'sri-implemented-and-external-scripts-loaded-securely',
    );
    expect(sri('<script src="https://cdn.other.net/x.js"></script>')).toBe(
      'sri-not-implemented-but-external-scripts-loaded-securely',
    );
    expect(sri('<script src="//cdn.other.net/x.js" integrity="sha384-x"></script>')).toBe(
      'sri-implemented-but-external-scripts-not-loaded-securely',
    );
    expect(sri('<script src="http://cdn.other.net/x.js"></script><script src="/a.js"></script>')).toBe(
      'sri-not-implemented-and-external-scripts-not-loaded-securely',
    );
    expect(sri('<script src="https://static.example.com/a.js"></script>')).toBe(
      'sri-not-implemented-but-all-scripts-loaded-from-secure-origin',
    );
  });
});
