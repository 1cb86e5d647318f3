/**
 * /api/v1/maintenance: ad-hoc maintenance windows (muting/maintenance.ts). POST takes matchers
 * like a silence, `mute` (alert names; omitted mutes every alert in scope), a span, createdBy,
 * comment and `countsInUptime`; DELETE /api/v1/maintenance/<id> ends a window early.
 */

import { matchesAll } from '../model/matchers.js';
import { type MaintenanceWindow, type MaintenanceWindows, maintenanceAsJson } from '../muting/maintenance.js';
import { type ApiCollection, badInput, isAnswer, scopedRequest, text } from './api-input.js';

/** What a window is checked against when opened: the probes' labels and the alerts the rules can raise. */
export interface MaintenanceScope {
  readonly probeLabels: () => ReadonlyArray<Readonly<Record<string, string>>>;
  readonly alertNames: () => ReadonlySet<string>;
}

/**
 * What an accepted window probably got wrong, in words: matchers that select no configured probe,
 * or `mute` names no rule raises. Such a window was accepted silently and muted nothing; it is
 * still accepted (the probe may be about to be added), with warnings in the answer and the log.
 */
export function maintenanceWarnings(window: MaintenanceWindow, scope: MaintenanceScope): string[] {
  const warnings: string[] = [];
  if (!scope.probeLabels().some((labels) => matchesAll(window.matchers, labels)))
    warnings.push('the matchers select no configured probe: this window mutes nothing until one is added');
  const known = scope.alertNames();
  const unknown = window.mute.filter((name) => !known.has(name));
  if (unknown.length > 0) warnings.push(`mute names alerts no rule raises: ${unknown.join(', ')}`);
  return warnings;
}

export function maintenanceApi(
  windows: MaintenanceWindows,
  now: () => number,
  scope?: MaintenanceScope,
  warn?: (id: string, warnings: readonly string[]) => void,
  /** A window was opened: the status pages' subscribers may need to hear of it. */
  opened?: (window: MaintenanceWindow) => void,
): ApiCollection {
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
      const warnings = scope ? maintenanceWarnings(created, scope) : [];
      if (warnings.length > 0) warn?.(created.id, warnings);
      opened?.(created);
      return {
        status: 201,
        body: { ...maintenanceAsJson(created, now()), ...(warnings.length > 0 ? { warnings } : {}) },
      };
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
