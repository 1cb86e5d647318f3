/** `prismwatch incidents` and `prismwatch announcements add|list|end`: the running daemon's history through its API. */
import { renderTable } from '../util/table.js';
import { callDaemon, expectStatus } from './api-client.js';

interface ApiIncident {
  id: string;
  state: string;
  alertname: string;
  severity: string;
  probe: string;
  reason: string;
  startedAt: string;
  endedAt?: string;
  durationSeconds: number;
  notifications: unknown[];
}

interface ApiAnnouncement {
  id: string;
  text: string;
  severity: string;
  createdBy: string;
  expiresAt: string;
}

function duration(seconds: number): string {
  if (seconds < 120) return `${seconds}s`;
  if (seconds < 7_200) return `${Math.round(seconds / 60)}m`;
  return `${Math.floor(seconds / 3_600)}h${Math.round((seconds % 3_600) / 60)}m`;
}

export async function listIncidents(
  baseUrl: string,
  query: { since?: string; probe?: string; limit?: string },
): Promise<ApiIncident[]> {
  const params = new URLSearchParams(
    Object.entries(query).filter((entry): entry is [string, string] => !!entry[1]),
  );
  const path = `/api/v1/incidents${params.size > 0 ? `?${params}` : ''}`;
  return expectStatus(await callDaemon(baseUrl, path), 200).incidents as ApiIncident[];
}

export function renderIncidents(incidents: readonly ApiIncident[]): string {
  if (incidents.length === 0) return 'No incidents.\n';
  return renderTable(
    ['STARTED', 'STATE', 'SEVERITY', 'ALERT', 'PROBE', 'LASTED', 'SENT', 'REASON'],
    incidents.map((incident) => [
      incident.startedAt,
      incident.state,
      incident.severity,
      incident.alertname,
      incident.probe,
      duration(incident.durationSeconds),
      String(incident.notifications.length),
      incident.reason,
    ]),
  );
}

export async function addAnnouncement(
  baseUrl: string,
  input: { text: string; severity: string; duration: string; author: string },
  token: string | undefined,
): Promise<ApiAnnouncement> {
  const answer = await callDaemon(baseUrl, '/api/v1/announcements', {
    method: 'POST',
    token,
    body: { text: input.text, severity: input.severity, duration: input.duration, createdBy: input.author },
  });
  return expectStatus(answer, 201) as unknown as ApiAnnouncement;
}

export async function listAnnouncements(baseUrl: string): Promise<ApiAnnouncement[]> {
  return expectStatus(await callDaemon(baseUrl, '/api/v1/announcements'), 200)
    .announcements as ApiAnnouncement[];
}

export function renderAnnouncements(announcements: readonly ApiAnnouncement[]): string {
  if (announcements.length === 0) return 'No announcements.\n';
  return renderTable(
    ['ID', 'SEVERITY', 'EXPIRES', 'BY', 'TEXT'],
    announcements.map((entry) => [entry.id, entry.severity, entry.expiresAt, entry.createdBy, entry.text]),
  );
}

export async function endAnnouncement(
  baseUrl: string,
  id: string,
  token: string | undefined,
): Promise<string> {
  const answer = await callDaemon(baseUrl, `/api/v1/announcements/${encodeURIComponent(id)}`, {
    method: 'DELETE',
    token,
  });
  return String(expectStatus(answer, 200).status);
}
