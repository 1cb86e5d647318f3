/**
 * The write API's shared vocabulary: every collection (silences, maintenance windows,
 * announcements, incidents) answers the same way, and reads the same JSON shapes — matchers as
 * strings or Alertmanager v2 objects, times as RFC 3339, a duration instead of endsAt.
 */
import { parseDuration } from '../util/duration.js';

export interface ApiAnswer {
  readonly status: number;
  readonly body: unknown;
}

/**
 * One resource under /api/v1/<name>: GET lists (open to read), POST creates and DELETE /<id>
 * ends or removes (both need the bearer token). A collection without `create` or `remove` is
 * read-only, and those methods answer 405.
 */
export interface ApiCollection {
  list(query: URLSearchParams): ApiAnswer;
  create?(body: string): ApiAnswer;
  remove?(id: string): ApiAnswer;
}

export const badInput = (error: string): ApiAnswer => ({ status: 400, body: { error } });

/** The body as a JSON object, or the 400 to answer. */
export function jsonObject(raw: string): Record<string, unknown> | ApiAnswer {
  let input: unknown;
  try {
    input = JSON.parse(raw);
  } catch {
    return badInput('expected a JSON object');
  }
  if (!input || typeof input !== 'object' || Array.isArray(input)) return badInput('expected a JSON object');
  return input as Record<string, unknown>;
}

export function isAnswer(value: unknown): value is ApiAnswer {
  return typeof value === 'object' && value !== null && 'status' in value && 'body' in value;
}

interface MatcherObject {
  name?: unknown;
  value?: unknown;
  isRegex?: unknown;
  isEqual?: unknown;
}

function matcherText(entry: unknown): string | undefined {
  if (typeof entry === 'string') return entry;
  if (!entry || typeof entry !== 'object') return undefined;
  const { name, value, isRegex, isEqual } = entry as MatcherObject;
  if (typeof name !== 'string' || typeof value !== 'string') return undefined;
  const op = isRegex === true ? (isEqual === false ? '!~' : '=~') : isEqual === false ? '!=' : '=';
  return `${name}${op}${JSON.stringify(value)}`;
}

/** `matchers` as matcher texts (to be parsed by the collection), or the 400 to answer. */
export function matcherTexts(input: Record<string, unknown>): string[] | ApiAnswer {
  if (!Array.isArray(input.matchers)) return badInput('matchers: expected a list');
  const texts = input.matchers.map(matcherText);
  if (texts.some((text) => text === undefined))
    return badInput('matchers: expected strings like severity="warning" or {name, value, isRegex, isEqual}');
  return texts as string[];
}

function time(value: unknown): number | undefined {
  if (typeof value !== 'string') return undefined;
  const parsed = Date.parse(value);
  return Number.isNaN(parsed) ? undefined : parsed;
}

/**
 * The longest span the API accepts (a silence, a maintenance window, an announcement), and how
 * far ahead one may start: a year, like the longest duration a config may hold. Past it,
 * "99999999999w" made an invalid date and a 500.
 */
export const MAX_SPAN_MS = 366 * 86_400_000;

/** startsAt (default now) and endsAt (or startsAt + duration), or the 400 to answer. */
export function span(
  input: Record<string, unknown>,
  now: number,
): { startsAt: number; endsAt: number } | ApiAnswer {
  const startsAt = input.startsAt === undefined ? now : time(input.startsAt);
  if (startsAt === undefined) return badInput('startsAt: expected an RFC 3339 time');
  if (Math.abs(startsAt - now) > MAX_SPAN_MS) return badInput('startsAt: must be within 366d of now');
  let endsAt: number | undefined;
  if (input.endsAt !== undefined) endsAt = time(input.endsAt);
  else if (typeof input.duration === 'string') {
    const ms = parseDuration(input.duration);
    if (ms !== undefined && ms > MAX_SPAN_MS) return badInput('duration: at most 366d');
    endsAt = ms === undefined ? undefined : startsAt + ms;
  }
  if (endsAt === undefined) return badInput('endsAt: expected an RFC 3339 time (or duration like "2h")');
  if (endsAt - startsAt > MAX_SPAN_MS) return badInput('endsAt: at most 366d after startsAt');
  return { startsAt, endsAt };
}

export const text = (value: unknown): string => (typeof value === 'string' ? value : '');

/**
 * The body of a request that creates something scoped by matchers over a span (a silence, a
 * maintenance window): the object, its matcher texts and its times, or the 400 to answer.
 */
export function scopedRequest(
  raw: string,
  now: number,
): { input: Record<string, unknown>; matchers: string[]; startsAt: number; endsAt: number } | ApiAnswer {
  const input = jsonObject(raw);
  if (isAnswer(input)) return input;
  const matchers = matcherTexts(input);
  if (isAnswer(matchers)) return matchers;
  const times = span(input, now);
  if (isAnswer(times)) return times;
  return { input, matchers, ...times };
}
