/** `prismwatch maintenance start|list|end`: the running daemon's ad-hoc maintenance windows through its API. */
import { renderTable } from '../util/table.js';
import { callDaemon, expectStatus } from './api-client.js';

export interface ApiMaintenance {
  id: string;
  matchers: string[];
  mute: string[];
  startsAt: string;
  endsAt: string;
  createdBy: string;
  comment: string;
  countsInUptime: boolean;
  status: { state: string };
  /** What the daemon thinks the window got wrong (matchers that select no probe, unknown alert names). */
  warnings?: string[];
}

export interface MaintenanceRequest {
  readonly matchers: readonly string[];
  readonly mute: readonly string[];
  readonly duration: string;
  readonly author: string;
  readonly comment: string;
  readonly countsInUptime: boolean;
}

const muted = (window: ApiMaintenance) => (window.mute.length > 0 ? window.mute.join(',') : 'every alert');

export function renderMaintenance(windows: readonly ApiMaintenance[]): string {
  if (windows.length === 0) return 'No maintenance windows.\n';
  return renderTable(
    ['ID', 'STATE', 'SCOPE', 'MUTES', 'ENDS', 'CREATED BY', 'COMMENT'],
    windows.map((window) => [
      window.id,
      window.status.state,
      window.matchers.join(','),
      muted(window),
      window.endsAt,
      window.createdBy,
      window.comment,
    ]),
  );
}

/** Opens a window; returns it as the daemon stored it. */
export async function startMaintenance(
  baseUrl: string,
  request: MaintenanceRequest,
  token: string | undefined,
): Promise<ApiMaintenance> {
  const answer = await callDaemon(baseUrl, '/api/v1/maintenance', {
    method: 'POST',
    token,
    body: {
      matchers: request.matchers,
      mute: request.mute,
      duration: request.duration,
      createdBy: request.author,
      comment: request.comment,
      countsInUptime: request.countsInUptime,
    },
  });
  return expectStatus(answer, 201) as unknown as ApiMaintenance;
}

export async function endMaintenance(
  baseUrl: string,
  id: string,
  token: string | undefined,
): Promise<string> {
  const answer = await callDaemon(baseUrl, `/api/v1/maintenance/${encodeURIComponent(id)}`, {
    method: 'DELETE',
    token,
  });
  return String(expectStatus(answer, 200).status);
}

export async function listMaintenance(baseUrl: string): Promise<ApiMaintenance[]> {
  return expectStatus(await callDaemon(baseUrl, '/api/v1/maintenance'), 200).maintenance as ApiMaintenance[];
}

/** What an operator reads after `maintenance start`: the id to end it with, and what is muted. */
export function describeStarted(window: ApiMaintenance): string {
  return `${window.id}\nmaintenance until ${window.endsAt} for ${window.matchers.join(',')}: muting ${muted(window)}${window.countsInUptime ? '' : '; runs left out of uptime'}\n`;
}
