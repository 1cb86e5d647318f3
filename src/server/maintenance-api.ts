/**
 * /api/v1/maintenance: ad-hoc maintenance windows (notify/maintenance.ts). POST takes matchers
 * like a silence, `mute` (alert names; omitted mutes every alert in scope), a span, createdBy,
 * comment and `countsInUptime`; DELETE /api/v1/maintenance/<id> ends a window early.
 */
import { type MaintenanceWindows, maintenanceAsJson } from '../notify/maintenance.js';
import { type ApiCollection, badInput, isAnswer, scopedRequest, text } from './api-input.js';

export function maintenanceApi(windows: MaintenanceWindows, now: () => number): ApiCollection {
  return {
    list: () => ({
      status: 200,
      body: { maintenance: windows.list().map((window) => maintenanceAsJson(window, now())) },
    }),
    create: (raw) => {
      const request = scopedRequest(raw, now());
      if (isAnswer(request)) return request;
      const { input, matchers, startsAt, endsAt } = request;
      if (
        input.mute !== undefined &&
        !(Array.isArray(input.mute) && input.mute.every((name) => typeof name === 'string'))
      )
        return badInput('mute: expected a list of alert names');
      if (input.countsInUptime !== undefined && typeof input.countsInUptime !== 'boolean')
        return badInput('countsInUptime: expected true or false');
      const created = windows.start({
        matchers,
        startsAt,
        endsAt,
        mute: (input.mute as string[] | undefined) ?? [],
        createdBy: text(input.createdBy),
        comment: text(input.comment),
        countsInUptime: input.countsInUptime === true,
      });
      if (typeof created === 'string') return badInput(created);
      return { status: 201, body: maintenanceAsJson(created, now()) };
    },
    remove: (id) => {
      switch (windows.end(id)) {
        case 'ended':
          return { status: 200, body: { id, status: 'ended' } };
        case 'already_ended':
          return { status: 200, body: { id, status: 'already ended' } };
        case 'not_found':
          return { status: 404, body: { error: `no maintenance window with id ${JSON.stringify(id)}` } };
      }
    },
  };
}
