/**
 * /api/v1/silences: list (open), create and expire (bearer token). Accepts matchers as strings
 * (`severity="warning"`) or as Alertmanager API v2 objects ({name, value, isRegex, isEqual}) so
 * amtool habits and scripts carry over. Durations like "2h" may replace endsAt.
 */

import { formatMatcher } from '../notify/matchers.js';
import { type Silences, silenceAsJson } from '../notify/silences.js';
import { parseDuration } from '../util/duration.js';

export interface ApiAnswer {
  readonly status: number;
  readonly body: unknown;
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

function time(value: unknown): number | undefined {
  if (typeof value !== 'string') return undefined;
  const parsed = Date.parse(value);
  return Number.isNaN(parsed) ? undefined : parsed;
}

export function listSilences(silences: Silences, now: number): ApiAnswer {
  return { status: 200, body: { silences: silences.list().map((silence) => silenceAsJson(silence, now)) } };
}

export function createSilence(silences: Silences, raw: string, now: number): ApiAnswer {
  let input: Record<string, unknown>;
  try {
    input = JSON.parse(raw) as Record<string, unknown>;
  } catch {
    return { status: 400, body: { error: 'expected a JSON object' } };
  }
  if (!input || typeof input !== 'object' || Array.isArray(input))
    return { status: 400, body: { error: 'expected a JSON object' } };
  if (!Array.isArray(input.matchers)) return { status: 400, body: { error: 'matchers: expected a list' } };
  const matchers = input.matchers.map(matcherText);
  if (matchers.some((text) => text === undefined))
    return {
      status: 400,
      body: {
        error: 'matchers: expected strings like severity="warning" or {name, value, isRegex, isEqual}',
      },
    };
  const startsAt = input.startsAt === undefined ? now : time(input.startsAt);
  if (startsAt === undefined) return { status: 400, body: { error: 'startsAt: expected an RFC 3339 time' } };
  let endsAt: number | undefined;
  if (input.endsAt !== undefined) endsAt = time(input.endsAt);
  else if (typeof input.duration === 'string') {
    const ms = parseDuration(input.duration);
    endsAt = ms === undefined ? undefined : startsAt + ms;
  }
  if (endsAt === undefined)
    return { status: 400, body: { error: 'endsAt: expected an RFC 3339 time (or duration like "2h")' } };
  const created = silences.add({
    matchers: matchers as string[],
    startsAt,
    endsAt,
    createdBy: typeof input.createdBy === 'string' ? input.createdBy : '',
    comment: typeof input.comment === 'string' ? input.comment : '',
  });
  if (typeof created === 'string') return { status: 400, body: { error: created } };
  return {
    status: 201,
    body: { silenceID: created.id, matchers: created.matchers.map(formatMatcher) },
  };
}

export function expireSilence(silences: Silences, id: string): ApiAnswer {
  switch (silences.expire(id)) {
    case 'expired':
      return { status: 200, body: { silenceID: id, status: 'expired' } };
    case 'already_expired':
      return { status: 200, body: { silenceID: id, status: 'already expired' } };
    case 'config':
      return {
        status: 409,
        body: { error: 'this silence is defined in a config file; remove it there and reload' },
      };
    case 'not_found':
      return { status: 404, body: { error: `no silence with id ${JSON.stringify(id)}` } };
  }
}
