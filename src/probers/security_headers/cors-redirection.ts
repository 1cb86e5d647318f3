/** CORS preflight and http→https redirection tests (Observatory cors.js, redirection.js). */
import { type HeaderMap, headerValue, result, type Scan, type TestResult } from './types.js';

/** The Origin the Observatory's preflight sends; we send the same so results match. */
export const PREFLIGHT_ORIGIN = 'https://http-observatory.security.mozilla.org';

/**
 * The grade's CORS test as the live Observatory reaches it (tests/cors.js): universal access
 * needs the Origin the preflight sent, which cors.js reads from `response.request`'s headers, a
 * field a real axios response does not carry; so the live site never reaches it, and a site that
 * echoes any Origin with credentials grades as restricted access (0, pass). The grade follows the
 * live site, so the numbers users compare agree; the risk is reported apart, as a finding outside
 * the score (corsFinding).
 */
export function testCors(preflight: HeaderMap | undefined): TestResult {
  const test = 'cross-origin-resource-sharing';
  if (!preflight) return result(test, 'cross-origin-resource-sharing-not-evaluated', 0, undefined);
  const origin = headerValue(preflight, 'access-control-allow-origin', 256);
  if (origin === undefined) return result(test, 'cross-origin-resource-sharing-not-implemented', 0, true);
  if (origin.trim() === '*')
    return result(test, 'cross-origin-resource-sharing-implemented-with-public-access', 0, true, origin);
  return result(test, 'cross-origin-resource-sharing-implemented-with-restricted-access', 0, true, origin);
}

/** A finding of prismwatch's own, outside the score: the preflight echoed our Origin and allows credentials. */
export const CORS_ANY_ORIGIN_WITH_CREDENTIALS = 'cors-any-origin-with-credentials';

export function corsFinding(preflight: HeaderMap | undefined): string | undefined {
  if (!preflight) return undefined;
  const origin = headerValue(preflight, 'access-control-allow-origin', 256)?.trim();
  const credentials =
    headerValue(preflight, 'access-control-allow-credentials')?.trim().toLowerCase() === 'true';
  return origin === PREFLIGHT_ORIGIN && credentials ? CORS_ANY_ORIGIN_WITH_CREDENTIALS : undefined;
}

/** No HSTS preload list ships with prismwatch (the Observatory downloads Chromium's at install). */
export function testRedirection(scan: Scan): TestResult {
  const test = 'redirection';
  if (!scan.httpChecked) return result(test, 'redirection-not-evaluated', 0, undefined);
  const chain = scan.httpChain;
  if (chain.length === 0) return result(test, 'redirection-not-needed-no-http', 0, true);
  const data = chain.join(' → ');
  if (!scan.httpChainVerified) return result(test, 'redirection-invalid-cert', -20, false, data);
  if (chain.length === 1) return result(test, 'redirection-missing', -20, false, data);
  const first = new URL(chain[0]!);
  const hop = new URL(chain[1]!);
  if (!chain.at(-1)!.startsWith('https:')) return result(test, 'redirection-not-to-https', -20, false, data);
  if (hop.protocol === 'http:')
    return result(test, 'redirection-not-to-https-on-initial-redirection', -10, false, data);
  if (hop.hostname !== first.hostname) return result(test, 'redirection-off-host-from-http', -5, false, data);
  return result(test, 'redirection-to-https', 0, true, data);
}
