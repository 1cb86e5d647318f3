/**
 * Header parsing where prismwatch once differed from the live Observatory's own code
 * (src/analyzer/tests/strict-transport-security.js, csp.js): a quoted or unparsable HSTS
 * max-age, report-uri / report-to over an insecure scheme, and 'strict-dynamic' with scheme
 * sources in script-src.
 */
import { describe, expect, it } from 'vitest';
import { outcome, scan } from '../../helpers/security-scan.js';

const hsts = (value: string) =>
  outcome(scan({ 'Strict-Transport-Security': value }), 'strict-transport-security');
const csp = (value: string, version: 5 | 6 = 6) =>
  outcome(scan({ 'Content-Security-Policy': value }), 'content-security-policy', version);

describe('HSTS max-age as the Observatory parses it (parseInt, last one wins)', () => {
  it('passes a quoted max-age: parseInt gives NaN, and NaN is not below six months', () => {
    expect(hsts('max-age="31536000"')).toMatchObject({
      result: 'hsts-implemented-max-age-at-least-six-months',
      pass: true,
    });
    expect(hsts('max-age=abc; includeSubDomains')).toMatchObject({ pass: true });
  });

  it('reads the leading digits and the last max-age', () => {
    expect(hsts('max-age=100abc').result).toBe('hsts-implemented-max-age-less-than-six-months');
    expect(hsts('max-age=100; max-age=31536000').result).toBe('hsts-implemented-max-age-at-least-six-months');
    expect(hsts('max-age=31536000; max-age=100').result).toBe(
      'hsts-implemented-max-age-less-than-six-months',
    );
  });

  it('still calls a missing max-age or a comma invalid', () => {
    expect(hsts('max-age = 31536000').result).toBe('hsts-header-invalid');
    expect(hsts('includeSubDomains').result).toBe('hsts-header-invalid');
    expect(hsts('max-age=31536000, max-age=31536000').result).toBe('hsts-header-invalid');
  });
});

describe('CSP active sources as the Observatory collects them', () => {
  for (const version of [5, 6] as const) {
    it(`counts an http: report-uri or report-to as insecure active content (v${version})`, () => {
      expect(csp("default-src 'self'; report-uri http://reports.example.com/csp", version).result).toBe(
        'csp-implemented-with-insecure-scheme',
      );
      expect(csp("default-src 'self'; report-to http://reports.example.com", version).result).toBe(
        'csp-implemented-with-insecure-scheme',
      );
      expect(csp("default-src 'self'; report-uri https://reports.example.com/csp", version).pass).toBe(true);
    });

    it(`drops scheme sources from script-src under 'strict-dynamic' before judging it (v${version})`, () => {
      expect(
        csp(
          "default-src 'self'; object-src 'none'; script-src 'nonce-abc' 'strict-dynamic' http://cdn.example.com https: 'unsafe-inline'",
          version,
        ),
      ).toMatchObject({ result: 'csp-implemented-with-no-unsafe', pass: true });
      // The same, read through default-src: csp.js filters that very set.
      expect(
        csp("default-src 'nonce-abc' 'strict-dynamic' http://cdn.example.com; object-src 'none'", version)
          .pass,
      ).toBe(true);
      // data: is not a scheme csp.js drops: it still counts as unsafe inline.
      expect(csp("object-src 'none'; script-src 'nonce-abc' 'strict-dynamic' data:", version).result).toBe(
        'csp-implemented-with-unsafe-inline',
      );
    });
  }
});
