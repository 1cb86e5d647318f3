/**
 * /api/v1/incidents (read-only: ?since=RFC 3339, ?probe=name, ?limit=n) and
 * /api/v1/announcements (POST {text, severity, duration|expiresAt, createdBy}; DELETE /<id> ends one).
 */

import { type Announcements, announcementAsJson } from '../state/announcements.js';
import { type IncidentLog, incidentAsJson } from '../state/incidents.js';
import type { SentNotification } from '../state/notification-store.js';
import { type ApiCollection, badInput, isAnswer, jsonObject, span, text } from './api-input.js';

export function incidentsApi(
  incidents: IncidentLog,
  sentFor: (ids: readonly string[]) => Map<string, SentNotification[]>,
  now: () => number,
): ApiCollection {
  return {
    list: (query) => {
      const since = query.get('since');
      const sinceMs = since === null ? undefined : Date.parse(since);
      if (sinceMs !== undefined && Number.isNaN(sinceMs)) return badInput('since: expected an RFC 3339 time');
      const limitText = query.get('limit');
      const limit = limitText === null ? 1000 : Number(limitText);
      if (!Number.isSafeInteger(limit) || limit < 1)
        return badInput('limit: expected a whole number of at least 1');
      const probe = query.get('probe');
      const list = incidents.list({
        ...(sinceMs === undefined ? {} : { since: sinceMs }),
        ...(probe === null ? {} : { probe }),
        limit: Math.min(limit, 10_000),
      });
      const sent = sentFor(list.map((incident) => incident.id));
      const at = now();
      return {
        status: 200,
        body: {
          incidents: list.map((incident) => incidentAsJson(incident, sent.get(incident.id) ?? [], at)),
        },
      };
    },
  };
}

export function announcementsApi(announcements: Announcements, now: () => number): ApiCollection {
  return {
    list: () => ({
      status: 200,
      body: { announcements: announcements.active().map((entry) => announcementAsJson(entry, now())) },
    }),
    create: (raw) => {
      const input = jsonObject(raw);
      if (isAnswer(input)) return input;
      const times = span({ ...input, endsAt: input.endsAt ?? input.expiresAt }, now());
      if (isAnswer(times)) return times;
      const created = announcements.add({
        text: text(input.text),
        severity: typeof input.severity === 'string' ? input.severity : 'info',
        expiresAt: times.endsAt,
        createdBy: text(input.createdBy),
      });
      if (typeof created === 'string') return badInput(created);
      return { status: 201, body: announcementAsJson(created, now()) };
    },
    remove: (id) => {
      switch (announcements.end(id)) {
        case 'ended':
          return { status: 200, body: { id, status: 'ended' } };
        case 'already_ended':
          return { status: 200, body: { id, status: 'already ended' } };
        case 'not_found':
          return { status: 404, body: { error: `no announcement with id ${JSON.stringify(id)}` } };
      }
    },
  };
}
