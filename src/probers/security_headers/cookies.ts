/**
 * The cookie test (Observatory src/analyzer/tests/cookies.js): the worst finding across all cookies
 * wins. Two readings of Set-Cookie, as there: every raw line is checked for a malformed SameSite
 * (containsInvalidSameSiteCookie), and everything else is judged on the cookies a browser-like jar
 * keeps (the retriever's tough-cookie CookieJar, read back with serializeSync).
 */
import { result, type TestResult } from './types.js';

interface Cookie {
  readonly name: string;
  readonly secure: boolean;
  readonly httpOnly: boolean;
  /** The raw SameSite value; undefined when the attribute is absent. */
  readonly sameSite?: string;
  readonly domain?: string;
  readonly path?: string;
  /** Max-Age, when present and a number. */
  readonly maxAge?: number;
  /** Expires as epoch ms, when present and a date. */
  readonly expires?: number;
}

export function parseSetCookie(line: string): Cookie | undefined {
  const [pair, ...attributes] = line.split(';');
  const name = pair?.split('=')[0]?.trim();
  if (!name) return undefined;
  const cookie: { -readonly [K in keyof Cookie]: Cookie[K] } = { name, secure: false, httpOnly: false };
  for (const attribute of attributes) {
    const [key, ...rest] = attribute.split('=');
    const lower = key?.trim().toLowerCase();
    const value = rest.join('=').trim();
    if (lower === 'secure') cookie.secure = true;
    else if (lower === 'httponly') cookie.httpOnly = true;
    else if (lower === 'samesite') cookie.sameSite = value;
    else if (lower === 'domain') cookie.domain = value;
    else if (lower === 'path') cookie.path = value;
    else if (lower === 'max-age' && /^-?\d+$/.test(value)) cookie.maxAge = Number(value);
    else if (lower === 'expires' && !Number.isNaN(Date.parse(value))) cookie.expires = Date.parse(value);
  }
  return cookie;
}

/** The SameSite a jar stores: only the three values it knows; anything else is none at all. */
function storedSameSite(cookie: Cookie): string | undefined {
  const value = cookie.sameSite?.toLowerCase();
  return value === 'lax' || value === 'strict' || value === 'none' ? value : undefined;
}

/**
 * Whether the jar keeps the cookie. It silently drops what breaks the name prefixes (RFC 6265bis:
 * `__Secure-` needs Secure; `__Host-` needs Secure, no Domain and Path=/) and what has already
 * expired (Max-Age of zero or less, which wins over Expires; an Expires in the past): a logout's
 * `sessionid=; Max-Age=0` is never graded. Of several cookies with one name, domain and path, the
 * last is kept.
 */
function kept(cookie: Cookie, now: number): boolean {
  if (cookie.name.startsWith('__Secure-') && !cookie.secure) return false;
  if (
    cookie.name.startsWith('__Host-') &&
    (!cookie.secure || cookie.domain !== undefined || cookie.path !== '/')
  )
    return false;
  if (cookie.maxAge !== undefined) return cookie.maxAge > 0;
  return cookie.expires === undefined || cookie.expires > now;
}

function jar(cookies: readonly Cookie[], now: number): Cookie[] {
  const byKey = new Map<string, Cookie>();
  for (const cookie of cookies) {
    const key = `${cookie.name}\u0000${cookie.domain?.toLowerCase() ?? ''}\u0000${cookie.path ?? ''}`;
    byKey.delete(key);
    if (kept(cookie, now)) byKey.set(key, cookie);
  }
  return [...byKey.values()];
}

/** Least bad to worst; the Observatory ranks by this order, not by the size of the modifier. */
const FINDINGS: ReadonlyArray<[string, number]> = [
  ['cookies-without-secure-flag-but-protected-by-hsts', -5],
  ['cookies-without-secure-flag', -20],
  ['cookies-session-without-secure-flag-but-protected-by-hsts', -10],
  ['cookies-samesite-flag-invalid', -20],
  ['cookies-anticsrf-without-samesite-flag', -20],
  ['cookies-session-without-httponly-flag', -30],
  ['cookies-session-without-secure-flag', -40],
];

export function testCookies(
  setCookies: readonly string[],
  hstsPassed: boolean,
  now = Date.now(),
): TestResult {
  const test = 'cookies';
  const parsed = setCookies
    .map(parseSetCookie)
    .filter((cookie): cookie is Cookie => cookie !== undefined && cookie.name !== 'heroku-session-affinity');
  let worst = -1;
  const note = (finding: string) => {
    worst = Math.max(
      worst,
      FINDINGS.findIndex(([name]) => name === finding),
    );
  };
  // The raw lines, dropped cookies included: a SameSite without a known value.
  for (const cookie of parsed)
    if (cookie.sameSite !== undefined && storedSameSite(cookie) === undefined)
      note('cookies-samesite-flag-invalid');
  const cookies = jar(parsed, now);
  if (cookies.length === 0) return result(test, 'cookies-not-found', 0, true);
  for (const cookie of cookies) {
    const session = /login|sess/i.test(cookie.name);
    const antiCsrf = /csrf/i.test(cookie.name);
    const sameSite = storedSameSite(cookie);
    if (sameSite === 'none' && !cookie.secure) note('cookies-samesite-flag-invalid');
    if (!cookie.secure) {
      if (session)
        note(
          hstsPassed
            ? 'cookies-session-without-secure-flag-but-protected-by-hsts'
            : 'cookies-session-without-secure-flag',
        );
      else
        note(
          hstsPassed ? 'cookies-without-secure-flag-but-protected-by-hsts' : 'cookies-without-secure-flag',
        );
    }
    if (session && !cookie.httpOnly) note('cookies-session-without-httponly-flag');
    if (antiCsrf && sameSite === undefined) note('cookies-anticsrf-without-samesite-flag');
  }
  const names = cookies.map((cookie) => cookie.name).join(', ');
  if (worst >= 0) return result(test, FINDINGS[worst]![0], FINDINGS[worst]![1], false, names);
  if (cookies.every((cookie) => storedSameSite(cookie) !== undefined)) {
    return result(test, 'cookies-secure-with-httponly-sessions-and-samesite', 5, true, names);
  }
  return result(test, 'cookies-secure-with-httponly-sessions', 0, true, names);
}
