/**
 * /api/v1/silences: list (open), create and expire (bearer token). Accepts matchers as strings
 * (`severity="warning"`) or as Alertmanager API v2 objects ({name, value, isRegex, isEqual}) so
 * amtool habits and scripts carry over. Durations like "2h" may replace endsAt.
 */

import { formatMatcher } from '../model/matchers.js';
import { type Silences, silenceAsJson } from '../muting/silences.js';
import { type ApiCollection, badInput, isAnswer, scopedRequest, text } from './api-input.js';

export function silencesApi(silences: Silences, now: () => number): ApiCollection {
  return {
    list: () => ({
      status: 200,
      body: { silences: silences.list().map((silence) => silenceAsJson(silence, now())) },
    }),
    create: (raw) => {
      const request = scopedRequest(raw, now());
      if (isAnswer(request)) return request;
      const { input, matchers, startsAt, endsAt } = request;
      const created = silences.add({
        matchers,
        startsAt,
        endsAt,
        createdBy: text(input.createdBy),
        comment: text(input.comment),
      });
      if (typeof created === 'string') return badInput(created);
      return { status: 201, body: { silenceID: created.id, matchers: created.matchers.map(formatMatcher) } };
    },
    remove: (id) => {
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
    },
  };
}
