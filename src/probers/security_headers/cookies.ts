/** The cookie test (Observatory src/analyzer/tests/cookies.js): the worst finding across all cookies wins. */
import { result, type TestResult } from './types.js';

interface Cookie {
  readonly name: string;
  readonly secure: boolean;
  readonly httpOnly: boolean;
  /** The raw SameSite value; undefined when the attribute is absent. */
  readonly sameSite?: string;
}

export function parseSetCookie(line: string): Cookie | undefined {
  const [pair, ...attributes] = line.split(';');
  const name = pair?.split('=')[0]?.trim();
  if (!name) return undefined;
  let secure = false;
  let httpOnly = false;
  let sameSite: string | undefined;
  for (const attribute of attributes) {
    const [key, ...rest] = attribute.split('=');
    const lower = key?.trim().toLowerCase();
    if (lower === 'secure') secure = true;
    else if (lower === 'httponly') httpOnly = true;
    else if (lower === 'samesite') sameSite = rest.join('=').trim();
  }
  return { name, secure, httpOnly, ...(sameSite !== undefined ? { sameSite } : {}) };
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

export function testCookies(setCookies: readonly string[], hstsPassed: boolean): TestResult {
  const test = 'cookies';
  const cookies = setCookies
    .map(parseSetCookie)
    .filter((cookie): cookie is Cookie => cookie !== undefined && cookie.name !== 'heroku-session-affinity');
  if (cookies.length === 0) return result(test, 'cookies-not-found', 0, true);
  let worst = -1;
  const note = (finding: string) => {
    worst = Math.max(
      worst,
      FINDINGS.findIndex(([name]) => name === finding),
    );
  };
  for (const cookie of cookies) {
    const session = /login|sess/i.test(cookie.name);
    const antiCsrf = /csrf/i.test(cookie.name);
    if (cookie.sameSite !== undefined) {
      const value = cookie.sameSite.toLowerCase();
      if (!['lax', 'strict', 'none'].includes(value) || (value === 'none' && !cookie.secure))
        note('cookies-samesite-flag-invalid');
    }
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
    if (antiCsrf && cookie.sameSite === undefined) note('cookies-anticsrf-without-samesite-flag');
  }
  const names = cookies.map((cookie) => cookie.name).join(', ');
  if (worst >= 0) return result(test, FINDINGS[worst]![0], FINDINGS[worst]![1], false, names);
  if (cookies.every((cookie) => cookie.sameSite !== undefined)) {
    return result(test, 'cookies-secure-with-httponly-sessions-and-samesite', 5, true, names);
  }
  return result(test, 'cookies-secure-with-httponly-sessions', 0, true, names);
}
