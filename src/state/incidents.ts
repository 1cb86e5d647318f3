/**
 * Incident history: every alert that fired becomes one record (when it fired, its first failed
 * run, when it resolved, severity, probe, reason, the notifications delivered about it), kept in
 * the state store for a retention (90 days by default) and listed by the API, the CLI and the
 * status page's timeline.
 *
 * The reason is the failure seen while the incident was open (a resolved alert no longer has one).
 * Records follow the evaluator's alerts at each evaluation and are written only when something
 * changes (an alert fires, resolves, or its reason changes), so a quiet evaluation writes nothing.
 * An incident whose alert disappears without resolving (its probe or rule was removed by a
 * reload) is closed at that evaluation, so nothing stays open forever.
 */
import type Database from 'better-sqlite3';
import type { Alert } from '../model/alert.js';
import { incidentId } from '../model/alert.js';
import type { SentNotification } from './notification-store.js';

export const DEFAULT_INCIDENT_RETENTION_MS = 90 * 24 * 60 * 60_000;

export interface Incident {
  readonly id: string;
  readonly alertname: string;
  readonly severity: string;
  readonly probe: string;
  readonly labels: Readonly<Record<string, string>>;
  readonly summary: string;
  /** The failure or evidence behind it, in words. */
  readonly reason: string;
  readonly startedAt: number;
  readonly firstFailureAt?: number;
  readonly endedAt?: number;
  /** Closed because the alert went away (probe or rule removed), not because it resolved. */
  readonly closedByReload: boolean;
  /** Who took it on (acknowledgements.ts). */
  readonly acknowledged?: { readonly by: string; readonly at: number; readonly comment: string };
}

export interface IncidentQuery {
  readonly since?: number;
  readonly probe?: string;
  readonly limit?: number;
}

interface IncidentRow {
  id: string;
  alertname: string;
  severity: string;
  probe: string;
  labels: string;
  summary: string;
  reason: string;
  started_at: number;
  first_failure_at: number | null;
  ended_at: number | null;
  closed_by_reload: number;
  acknowledged_by: string | null;
  acknowledged_at: number | null;
  ack_comment: string | null;
}

function reasonOf(alert: Alert): string {
  // A quorum's alert names the locations that saw it (rules/quorum.ts): the incident keeps them.
  const seenFrom = alert.annotations.locations ? ` (seen from ${alert.annotations.locations})` : '';
  const trace = alert.failure?.traceId ? ` (trace ${alert.failure.traceId})` : '';
  const path = alert.failure?.path ? ` (${alert.failure.path})` : '';
  if (alert.failure) return `${alert.failure.code}: ${alert.failure.message}${seenFrom}${path}${trace}`;
  return `${alert.evidence ?? alert.annotations.summary ?? ''}${seenFrom}`;
}

export class IncidentLog {
  private readonly statements;
  /**
   * What was last written per incident the evaluator still holds (resolved alerts stay there for
   * 15 minutes), to skip writes that change nothing; open ones from before a restart start empty.
   */
  private readonly written = new Map<string, { open: boolean; text: string }>();

  constructor(
    db: Database.Database,
    private readonly retentionMs = DEFAULT_INCIDENT_RETENTION_MS,
  ) {
    this.statements = {
      upsert: db.prepare(`
        INSERT INTO incidents (id, alertname, severity, probe, labels, summary, reason, started_at, first_failure_at, ended_at, closed_by_reload)
        VALUES (@id, @alertname, @severity, @probe, @labels, @summary, @reason, @started_at, @first_failure_at, @ended_at, 0)
        ON CONFLICT (id) DO UPDATE SET summary = excluded.summary,
          reason = CASE WHEN excluded.ended_at IS NULL OR incidents.reason = '' THEN excluded.reason ELSE incidents.reason END,
          first_failure_at = excluded.first_failure_at, ended_at = excluded.ended_at`),
      close: db.prepare(
        'UPDATE incidents SET ended_at = ?, closed_by_reload = 1 WHERE id = ? AND ended_at IS NULL',
      ),
      openIds: db.prepare('SELECT id FROM incidents WHERE ended_at IS NULL'),
      prune: db.prepare('DELETE FROM incidents WHERE ended_at IS NOT NULL AND ended_at < ?'),
      list: db.prepare(`
        SELECT incidents.*, a.acknowledged_by, a.acknowledged_at, a.comment AS ack_comment
        FROM incidents LEFT JOIN acknowledgements a ON a.incident = incidents.id
        WHERE (ended_at IS NULL OR ended_at >= @since) AND (@probe IS NULL OR probe = @probe)
        ORDER BY started_at DESC LIMIT @limit`),
    };
    this.reread();
  }

  /** Forgets what was written and starts from the table (after it was reloaded from a shared store). */
  reread(): void {
    this.written.clear();
    for (const { id } of this.statements.openIds.all() as Array<{ id: string }>)
      this.written.set(id, { open: true, text: '' });
  }

  /** Brings the records up to date with the evaluator's alerts, evaluated at `at`. */
  observe(alerts: readonly Alert[], at: number): void {
    const seen = new Set<string>();
    for (const alert of alerts) {
      if (alert.firedAt === undefined) continue;
      const id = incidentId(alert.fingerprint, alert.firedAt);
      seen.add(id);
      const row = {
        id,
        alertname: alert.rule,
        severity: alert.labels.severity ?? '',
        probe: alert.probe,
        labels: JSON.stringify(alert.labels),
        summary: alert.annotations.summary ?? '',
        reason: reasonOf(alert),
        started_at: alert.firedAt,
        first_failure_at: alert.firstFailureAt ?? null,
        ended_at: alert.state === 'resolved' ? (alert.resolvedAt ?? at) : null,
      };
      const written = { open: row.ended_at === null, text: JSON.stringify(row) };
      if (this.written.get(id)?.text === written.text) continue;
      this.statements.upsert.run(row);
      this.written.set(id, written);
    }
    for (const [id, { open }] of this.written) {
      if (seen.has(id)) continue;
      if (open) this.statements.close.run(at, id);
      this.written.delete(id);
    }
  }

  list(query: IncidentQuery = {}): Incident[] {
    const rows = this.statements.list.all({
      since: query.since ?? 0,
      probe: query.probe ?? null,
      limit: query.limit ?? 1000,
    }) as IncidentRow[];
    return rows.map((row) => ({
      id: row.id,
      alertname: row.alertname,
      severity: row.severity,
      probe: row.probe,
      labels: readLabels(row.labels),
      summary: row.summary,
      reason: row.reason,
      startedAt: row.started_at,
      ...(row.first_failure_at === null ? {} : { firstFailureAt: row.first_failure_at }),
      ...(row.ended_at === null ? {} : { endedAt: row.ended_at }),
      closedByReload: row.closed_by_reload === 1,
      ...(row.acknowledged_by !== null && row.acknowledged_at !== null
        ? {
            acknowledged: {
              by: row.acknowledged_by,
              at: row.acknowledged_at,
              comment: row.ack_comment ?? '',
            },
          }
        : {}),
    }));
  }

  /** Forgets incidents that ended before the retention. */
  prune(now: number): void {
    this.statements.prune.run(now - this.retentionMs);
  }

  get retention(): number {
    return this.retentionMs;
  }
}

export function incidentAsJson(incident: Incident, sent: readonly SentNotification[], now: number) {
  const end = incident.endedAt ?? now;
  const began = incident.firstFailureAt ?? incident.startedAt;
  return {
    id: incident.id,
    state: incident.endedAt === undefined ? 'open' : 'resolved',
    alertname: incident.alertname,
    severity: incident.severity,
    probe: incident.probe,
    labels: incident.labels,
    summary: incident.summary,
    reason: incident.reason,
    startedAt: new Date(incident.startedAt).toISOString(),
    ...(incident.firstFailureAt !== undefined
      ? { firstFailureAt: new Date(incident.firstFailureAt).toISOString() }
      : {}),
    ...(incident.endedAt !== undefined ? { endedAt: new Date(incident.endedAt).toISOString() } : {}),
    ...(incident.closedByReload ? { closedBy: 'reload (its probe or rule was removed)' } : {}),
    ...(incident.acknowledged
      ? {
          acknowledged: {
            by: incident.acknowledged.by,
            at: new Date(incident.acknowledged.at).toISOString(),
            ...(incident.acknowledged.comment ? { comment: incident.acknowledged.comment } : {}),
          },
        }
      : {}),
    durationSeconds: Math.round((end - began) / 1000),
    notifications: sent.map((entry) => ({
      integration: entry.integration,
      status: entry.status,
      sentAt: new Date(entry.sentAt).toISOString(),
    })),
  };
}

/**
 * An incident's labels, or none when its row is unreadable: one corrupt row shows without labels
 * rather than failing every listing (the API and the status page read them).
 */
function readLabels(text: string): Record<string, string> {
  try {
    const value: unknown = JSON.parse(text);
    return value && typeof value === 'object' && !Array.isArray(value)
      ? (value as Record<string, string>)
      : {};
  } catch {
    return {};
  }
}
