/**
 * Announcements: a short text with a severity and an expiry ("Payments are degraded; we are on
 * it"), set through the API or the CLI and shown at the top of the status page until they expire
 * or are ended. Kept in the state store, so a restart keeps them.
 */
import { randomUUID } from 'node:crypto';
import type Database from 'better-sqlite3';

export const ANNOUNCEMENT_SEVERITIES = ['info', 'warning', 'critical'] as const;
type AnnouncementSeverity = (typeof ANNOUNCEMENT_SEVERITIES)[number];

export interface Announcement {
  readonly id: string;
  readonly text: string;
  readonly severity: AnnouncementSeverity;
  readonly createdBy: string;
  readonly createdAt: number;
  readonly expiresAt: number;
}

/** Long enough for two sentences and a link; a status page is not a blog. */
const MAX_TEXT = 500;

export function announcementAsJson(announcement: Announcement, now: number) {
  return {
    id: announcement.id,
    text: announcement.text,
    severity: announcement.severity,
    createdBy: announcement.createdBy,
    createdAt: new Date(announcement.createdAt).toISOString(),
    expiresAt: new Date(announcement.expiresAt).toISOString(),
    status: { state: now < announcement.expiresAt ? 'active' : 'expired' },
  };
}

export class Announcements {
  private readonly statements;

  constructor(
    db: Database.Database,
    private readonly now: () => number,
  ) {
    this.statements = {
      insert: db.prepare(
        'INSERT INTO announcements (id, text, severity, created_by, created_at, expires_at) VALUES (@id, @text, @severity, @createdBy, @createdAt, @expiresAt)',
      ),
      active: db.prepare('SELECT * FROM announcements WHERE expires_at > ? ORDER BY created_at DESC'),
      end: db.prepare('UPDATE announcements SET expires_at = ? WHERE id = ? AND expires_at > ?'),
      exists: db.prepare('SELECT 1 FROM announcements WHERE id = ?'),
      prune: db.prepare('DELETE FROM announcements WHERE expires_at < ?'),
    };
  }

  /** Unexpired announcements, newest first. */
  active(): Announcement[] {
    return (
      this.statements.active.all(this.now()) as Array<{
        id: string;
        text: string;
        severity: AnnouncementSeverity;
        created_by: string;
        created_at: number;
        expires_at: number;
      }>
    ).map((row) => ({
      id: row.id,
      text: row.text,
      severity: row.severity,
      createdBy: row.created_by,
      createdAt: row.created_at,
      expiresAt: row.expires_at,
    }));
  }

  /** Stores an announcement; returns it, or a message saying what is wrong. */
  add(input: {
    text: string;
    severity: string;
    expiresAt: number;
    createdBy: string;
  }): Announcement | string {
    const text = input.text.trim();
    if (!text) return 'text: expected the announcement';
    if (text.length > MAX_TEXT) return `text: expected at most ${MAX_TEXT} characters, got ${text.length}`;
    if (!(ANNOUNCEMENT_SEVERITIES as readonly string[]).includes(input.severity))
      return `severity: expected one of ${ANNOUNCEMENT_SEVERITIES.join(', ')}`;
    const now = this.now();
    if (!Number.isFinite(input.expiresAt) || input.expiresAt <= now)
      return 'expiresAt: expected a time in the future';
    if (!input.createdBy.trim()) return 'createdBy: expected who makes the announcement';
    const announcement: Announcement = {
      id: randomUUID(),
      text,
      severity: input.severity as AnnouncementSeverity,
      createdBy: input.createdBy,
      createdAt: now,
      expiresAt: input.expiresAt,
    };
    this.statements.insert.run(announcement);
    // Expired ones are kept for a day (who said what during last night's incident), then dropped.
    this.statements.prune.run(now - 24 * 60 * 60_000);
    return announcement;
  }

  end(id: string): 'ended' | 'not_found' | 'already_ended' {
    const now = this.now();
    if (this.statements.end.run(now, id, now).changes === 1) return 'ended';
    return this.statements.exists.get(id) ? 'already_ended' : 'not_found';
  }
}
