/**
 * Rate-limit state from response headers, whichever dialect the server speaks:
 * - IETF draft (07+): `RateLimit: "default";r=50;t=30` with `RateLimit-Policy: "default";q=100;w=60`
 * - IETF draft (≤06): `RateLimit: limit=100, remaining=50, reset=30` or the three
 *   `RateLimit-Limit` / `RateLimit-Remaining` / `RateLimit-Reset` fields
 * - the common `X-RateLimit-Limit` / `-Remaining` / `-Reset` (reset as seconds or epoch seconds)
 * - `Retry-After` (seconds or an HTTP date) on 429 and 503.
 * Pure: tested on header maps, no I/O.
 */

interface RateLimitState {
  readonly limit?: number;
  readonly remaining?: number;
  /** Seconds until the window resets. */
  readonly resetSeconds?: number;
  /** remaining / limit, when both are known. */
  readonly remainingRatio?: number;
  readonly retryAfterSeconds?: number;
  /** Which headers the values came from, for reports. */
  readonly dialect: 'ietf' | 'ietf-legacy' | 'x-ratelimit' | 'none';
}

type Headers = Readonly<Record<string, string | string[] | undefined>>;

function header(headers: Headers, name: string): string | undefined {
  const value = headers[name];
  return Array.isArray(value) ? value.join(', ') : value;
}

function number(text: string | undefined): number | undefined {
  if (text === undefined) return undefined;
  const value = Number(text.trim().split(/[,;\s]/)[0]);
  return Number.isFinite(value) && value >= 0 ? value : undefined;
}

/** Structured-field parameters of the first item: `"name";r=50;t=30` → {r: 50, t: 30}. */
function parameters(text: string): Map<string, number> {
  const result = new Map<string, number>();
  const firstItem = text.split(',')[0] ?? '';
  for (const part of firstItem.split(';').slice(1)) {
    const [key, value] = part.split('=');
    const parsed = number(value);
    if (key && parsed !== undefined) result.set(key.trim(), parsed);
  }
  return result;
}

/** `limit=100, remaining=50, reset=30` (draft ≤06 single field). */
function dictionary(text: string): Map<string, number> {
  const result = new Map<string, number>();
  for (const part of text.split(',')) {
    const [key, value] = part.split('=');
    const parsed = number(value);
    if (key && parsed !== undefined) result.set(key.trim().toLowerCase(), parsed);
  }
  return result;
}

/** Reset given as epoch seconds (GitHub, many gateways) or as seconds from now. */
function secondsUntil(reset: number | undefined, nowMs: number): number | undefined {
  if (reset === undefined) return undefined;
  return reset > 1_000_000_000 ? Math.max(0, reset - Math.floor(nowMs / 1000)) : reset;
}

function retryAfter(headers: Headers, nowMs: number): number | undefined {
  const text = header(headers, 'retry-after')?.trim();
  if (!text) return undefined;
  if (/^\d+$/.test(text)) return Number(text);
  const date = Date.parse(text);
  return Number.isNaN(date) ? undefined : Math.max(0, Math.round((date - nowMs) / 1000));
}

function withRatio(state: Omit<RateLimitState, 'remainingRatio'>): RateLimitState {
  const ratio =
    state.limit && state.remaining !== undefined ? Math.min(1, state.remaining / state.limit) : undefined;
  return ratio === undefined ? state : { ...state, remainingRatio: ratio };
}

export function parseRateLimitHeaders(headers: Headers, nowMs: number): RateLimitState {
  const retryAfterSeconds = retryAfter(headers, nowMs);
  const base = retryAfterSeconds === undefined ? {} : { retryAfterSeconds };
  const field = header(headers, 'ratelimit');
  if (field !== undefined && /;\s*r=/.test(field)) {
    const current = parameters(field);
    const policy = parameters(header(headers, 'ratelimit-policy') ?? '');
    return withRatio({
      ...base,
      dialect: 'ietf',
      limit: policy.get('q'),
      remaining: current.get('r'),
      resetSeconds: current.get('t'),
    });
  }
  if (field !== undefined && /remaining\s*=/.test(field)) {
    const values = dictionary(field);
    return withRatio({
      ...base,
      dialect: 'ietf-legacy',
      limit: values.get('limit'),
      remaining: values.get('remaining'),
      resetSeconds: values.get('reset'),
    });
  }
  const legacyRemaining = number(header(headers, 'ratelimit-remaining'));
  if (legacyRemaining !== undefined) {
    return withRatio({
      ...base,
      dialect: 'ietf-legacy',
      limit: number(header(headers, 'ratelimit-limit')),
      remaining: legacyRemaining,
      resetSeconds: number(header(headers, 'ratelimit-reset')),
    });
  }
  const xRemaining = number(header(headers, 'x-ratelimit-remaining'));
  if (xRemaining !== undefined) {
    return withRatio({
      ...base,
      dialect: 'x-ratelimit',
      limit: number(header(headers, 'x-ratelimit-limit')),
      remaining: xRemaining,
      resetSeconds: secondsUntil(number(header(headers, 'x-ratelimit-reset')), nowMs),
    });
  }
  return { ...base, dialect: 'none' };
}
