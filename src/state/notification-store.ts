/**
 * Durable notification state, in the same SQLite file as alert state:
 * - `outbox`: every notification is committed here before its first attempt, and stays queued
 *   until its integration accepts it (or rejects it for good), so a crash or a receiver outage
 *   delays it and never loses it;
 * - `nflog`: per integration and group, what was last notified (Alertmanager's notification log).
 *   It is written in the same transaction as the outbox row, so a restart neither re-queues a
 *   notification nor forgets one;
 * - `sent_log`: which incident each delivered notification was about, for the incident history;
 * - `silences` made through the API.
 */
import type Database from 'better-sqlite3';
import { incidentId } from '../model/alert.js';
import { formatMatcher, type Matcher, parseMatcher } from '../model/matchers.js';
import type { Notification } from '../model/notification.js';
import type { SilenceSpec } from '../model/silence.js';
import type { NotificationRepository } from './repositories.js';

export interface NflogEntry {
  /** Alerts told as firing: `<fingerprint>@<firedAt>` (a bare fingerprint in entries written before). */
  readonly firing: readonly string[];
  readonly resolved: readonly string[];
  /** Epoch ms the last notification was queued. */
  readonly sentAt: number;
  /** Counts repeats of an unchanged firing set, so each reminder has its own idempotency key. */
  readonly repeatSeq: number;
}

export interface OutboxRow {
  readonly id: number;
  readonly integration: string;
  readonly groupKey: string;
  readonly notification: Notification;
  readonly createdAt: number;
  readonly attempts: number;
  readonly nextAttemptAt: number;
}

export interface SentNotification {
  readonly integration: string;
  readonly status: 'firing' | 'resolved';
  readonly sentAt: number;
}

/** A notification queued while the disk refused writes, as journal.ts keeps it. */
export interface JournalRow extends OutboxRow {
  readonly state: 'queued' | 'delivered' | 'failed';
  readonly finishedAt?: number;
  readonly lastError?: string;
}

/** The outcome of an attempt on a row that is on disk, kept until it can be written. */
export type JournalOutcome = { readonly attempts: number } & (
  | { readonly state: 'delivered'; readonly at: number }
  | { readonly state: 'failed'; readonly at: number; readonly error: string }
  | { readonly state: 'retry'; readonly nextAttemptAt: number; readonly error: string }
);

export interface JournalWrite {
  readonly entries: ReadonlyArray<{ integration: string; groupKey: string; entry: NflogEntry }>;
  readonly rows: readonly JournalRow[];
  readonly outcomes: ReadonlyMap<number, JournalOutcome>;
}

/** A JSON list of strings, or undefined when the text is not one (a corrupt row). */
function readStringList(text: string): string[] | undefined {
  try {
    const value: unknown = JSON.parse(text);
    return Array.isArray(value) && value.every((item) => typeof item === 'string') ? value : undefined;
  } catch {
    return undefined;
  }
}

export interface OutboxDepth {
  readonly integration: string;
  readonly queued: number;
  readonly oldestCreatedAt: number;
}

export class NotifyStore implements NotificationRepository {
  private readonly statements;

  constructor(private readonly db: Database.Database) {
    this.statements = {
      entry: db.prepare(
        'SELECT firing, resolved, sent_at, repeat_seq FROM nflog WHERE integration = ? AND group_key = ?',
      ),
      upsertEntry: db.prepare(`
        INSERT INTO nflog (integration, group_key, firing, resolved, sent_at, repeat_seq) VALUES (?, ?, ?, ?, ?, ?)
        ON CONFLICT (integration, group_key) DO UPDATE SET
          firing = excluded.firing, resolved = excluded.resolved, sent_at = excluded.sent_at, repeat_seq = excluded.repeat_seq`),
      insertOutbox: db.prepare(
        "INSERT INTO outbox (integration, group_key, payload, created_at, next_attempt_at, state) VALUES (?, ?, ?, ?, ?, 'queued')",
      ),
      // Only the head of each (integration, group) queue: notifications of one group go out in order.
      // Rows whose outcome is known only in memory (notify/delivery/journal.ts) are passed in `?` as a JSON list
      // and skipped, so the next row of their group is the head.
      heads: db.prepare(`
        SELECT id, integration, group_key, payload, created_at, attempts, next_attempt_at FROM outbox
        WHERE id IN (
          SELECT MIN(id) FROM outbox
          WHERE state = 'queued' AND id NOT IN (SELECT value FROM json_each(?))
          GROUP BY integration, group_key)
        ORDER BY id`),
      addAttempts: db.prepare('UPDATE outbox SET attempts = attempts + ? WHERE id = ?'),
      insertFinished: db.prepare(
        'INSERT INTO outbox (integration, group_key, payload, created_at, attempts, next_attempt_at, last_error, state, finished_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)',
      ),
      delivered: db.prepare(
        "UPDATE outbox SET state = 'delivered', attempts = attempts + 1, finished_at = ?, last_error = NULL WHERE id = ?",
      ),
      retry: db.prepare(
        'UPDATE outbox SET attempts = attempts + 1, next_attempt_at = ?, last_error = ? WHERE id = ?',
      ),
      failed: db.prepare(
        "UPDATE outbox SET state = 'failed', attempts = attempts + 1, finished_at = ?, last_error = ? WHERE id = ?",
      ),
      depth: db.prepare(
        "SELECT integration, COUNT(*) AS queued, MIN(created_at) AS oldest FROM outbox WHERE state = 'queued' GROUP BY integration",
      ),
      pruneOutbox: db.prepare("DELETE FROM outbox WHERE state != 'queued' AND finished_at < ?"),
      pruneNflog: db.prepare("DELETE FROM nflog WHERE firing = '[]' AND sent_at < ?"),
      payload: db.prepare('SELECT integration, payload FROM outbox WHERE id = ?'),
      logSent: db.prepare(
        'INSERT INTO sent_log (incident, integration, status, sent_at) VALUES (?, ?, ?, ?)',
      ),
      pruneSent: db.prepare('DELETE FROM sent_log WHERE sent_at < ?'),
      silences: db.prepare('SELECT * FROM silences'),
      saveSilence: db.prepare(`
        INSERT INTO silences (id, matchers, starts_at, ends_at, created_by, comment) VALUES (?, ?, ?, ?, ?, ?)
        ON CONFLICT (id) DO UPDATE SET starts_at = excluded.starts_at, ends_at = excluded.ends_at`),
    };
  }

  entry(integration: string, groupKey: string): NflogEntry | undefined {
    const row = this.statements.entry.get(integration, groupKey) as
      | { firing: string; resolved: string; sent_at: number; repeat_seq: number }
      | undefined;
    if (!row) return undefined;
    return {
      firing: JSON.parse(row.firing) as string[],
      resolved: JSON.parse(row.resolved) as string[],
      sentAt: row.sent_at,
      repeatSeq: row.repeat_seq,
    };
  }

  /**
   * Records what was notified and queues the notification, atomically. Without a notification
   * (send_resolved: false) only the log moves on.
   */
  commit(integration: string, groupKey: string, entry: NflogEntry, notification?: Notification): void {
    this.db.transaction(() => {
      this.upsertEntry(integration, groupKey, entry);
      if (notification)
        this.statements.insertOutbox.run(
          integration,
          groupKey,
          JSON.stringify(notification),
          entry.sentAt,
          entry.sentAt,
        );
    })();
  }

  /** The oldest queued notification of every (integration, group), leaving out rows `skipping`. */
  heads(skipping: readonly number[] = []): OutboxRow[] {
    const rows = this.statements.heads.all(JSON.stringify(skipping)) as Array<{
      id: number;
      integration: string;
      group_key: string;
      payload: string;
      created_at: number;
      attempts: number;
      next_attempt_at: number;
    }>;
    const heads: OutboxRow[] = [];
    for (const row of rows) {
      let notification: Notification;
      try {
        notification = JSON.parse(row.payload) as Notification;
      } catch {
        // A corrupt row would otherwise be the head of its queue forever and, thrown from here,
        // stop delivery for every integration: it is failed, and the next one goes.
        this.statements.failed.run(Date.now(), 'the stored notification is not readable JSON', row.id);
        continue;
      }
      heads.push({
        id: row.id,
        integration: row.integration,
        groupKey: row.group_key,
        notification,
        createdAt: row.created_at,
        attempts: row.attempts,
        nextAttemptAt: row.next_attempt_at,
      });
    }
    return heads;
  }

  private upsertEntry(integration: string, groupKey: string, entry: NflogEntry): void {
    this.statements.upsertEntry.run(
      integration,
      groupKey,
      JSON.stringify(entry.firing),
      JSON.stringify(entry.resolved),
      entry.sentAt,
      entry.repeatSeq,
    );
  }

  /** Marks a notification delivered and logs, per alert in it, that its incident was notified. */
  markDelivered(id: number, now: number): void {
    this.db.transaction(() => this.delivered(id, now))();
  }

  private delivered(id: number, now: number): void {
    this.statements.delivered.run(now, id);
    const row = this.statements.payload.get(id) as { integration: string; payload: string } | undefined;
    if (row) this.logSent(row.integration, JSON.parse(row.payload) as Notification, now);
  }

  private logSent(integration: string, notification: Notification, now: number): void {
    for (const alert of notification.alerts) {
      if (alert.firedAt)
        this.statements.logSent.run(
          incidentId(alert.fingerprint, alert.firedAt),
          integration,
          alert.status,
          now,
        );
    }
  }

  /**
   * Writes what was decided and done while the disk refused writes (notify/delivery/journal.ts), in one
   * transaction: log entries, the notifications queued meanwhile (with their outcome) and the
   * outcomes of rows that were already on disk. Returns the ids the queued rows got.
   */
  writeJournal(journal: JournalWrite): Map<number, number> {
    const ids = new Map<number, number>();
    this.db.transaction(() => {
      for (const { integration, groupKey, entry } of journal.entries)
        this.upsertEntry(integration, groupKey, entry);
      for (const row of journal.rows) {
        const inserted = this.statements.insertFinished.run(
          row.integration,
          row.groupKey,
          JSON.stringify(row.notification),
          row.createdAt,
          row.attempts,
          row.nextAttemptAt,
          row.lastError ?? null,
          row.state,
          row.finishedAt ?? null,
        );
        ids.set(row.id, Number(inserted.lastInsertRowid));
        if (row.state === 'delivered') this.logSent(row.integration, row.notification, row.finishedAt!);
      }
      for (const [id, outcome] of journal.outcomes) {
        // Each statement below counts one attempt; the journal may have seen more.
        if (outcome.attempts > 1) this.statements.addAttempts.run(outcome.attempts - 1, id);
        if (outcome.state === 'delivered') this.delivered(id, outcome.at);
        else if (outcome.state === 'failed') this.statements.failed.run(outcome.at, outcome.error, id);
        else this.statements.retry.run(outcome.nextAttemptAt, outcome.error, id);
      }
    })();
    return ids;
  }

  /** The notifications delivered about each of these incidents (incidentId), oldest first. */
  sentFor(incidents: readonly string[]): Map<string, SentNotification[]> {
    const out = new Map<string, SentNotification[]>();
    if (incidents.length === 0) return out;
    const rows = this.db
      .prepare(
        `SELECT incident, integration, status, sent_at FROM sent_log WHERE incident IN (${incidents.map(() => '?').join(',')}) ORDER BY sent_at`,
      )
      .all(...incidents) as Array<{ incident: string; integration: string; status: string; sent_at: number }>;
    for (const row of rows) {
      const list = out.get(row.incident) ?? [];
      list.push({
        integration: row.integration,
        status: row.status as 'firing' | 'resolved',
        sentAt: row.sent_at,
      });
      out.set(row.incident, list);
    }
    return out;
  }

  /** Forgets the delivery log older than `before` (the incident history's retention). */
  pruneSentLog(before: number): void {
    this.statements.pruneSent.run(before);
  }

  markRetry(id: number, nextAttemptAt: number, error: string): void {
    this.statements.retry.run(nextAttemptAt, error, id);
  }

  markFailed(id: number, now: number, error: string): void {
    this.statements.failed.run(now, error, id);
  }

  depth(): OutboxDepth[] {
    return (
      this.statements.depth.all() as Array<{ integration: string; queued: number; oldest: number }>
    ).map((row) => ({ integration: row.integration, queued: row.queued, oldestCreatedAt: row.oldest }));
  }

  /** Forgets finished outbox rows and all-resolved log entries older than `before`. */
  prune(before: number): void {
    this.statements.pruneOutbox.run(before);
    this.statements.pruneNflog.run(before);
  }

  /**
   * The saved API silences. One whose matchers no longer parse (a pattern saved before regexes
   * ran in RE2, using lookaround or backreferences) cannot be enforced: it is reported through
   * `onUnreadable` and left out, so its alerts notify rather than being muted by guesswork.
   */
  loadSilences(onUnreadable: (id: string, problem: string) => void = () => {}): SilenceSpec[] {
    const loaded: SilenceSpec[] = [];
    for (const row of this.statements.silences.all() as Array<{
      id: string;
      matchers: string;
      starts_at: number;
      ends_at: number;
      created_by: string;
      comment: string;
    }>) {
      const texts = readStringList(row.matchers);
      if (texts === undefined) {
        onUnreadable(row.id, 'the stored matchers are not readable JSON');
        continue;
      }
      const parsed = texts.map((text) => parseMatcher(text));
      const problem = parsed.find((matcher): matcher is string => typeof matcher === 'string');
      if (problem !== undefined) {
        onUnreadable(row.id, problem);
        continue;
      }
      loaded.push({
        id: row.id,
        matchers: parsed as Matcher[],
        startsAt: row.starts_at,
        endsAt: row.ends_at,
        createdBy: row.created_by,
        comment: row.comment,
        origin: 'api',
      });
    }
    return loaded;
  }

  saveSilence(silence: SilenceSpec): void {
    this.statements.saveSilence.run(
      silence.id,
      JSON.stringify(silence.matchers.map(formatMatcher)),
      silence.startsAt,
      silence.endsAt,
      silence.createdBy,
      silence.comment,
    );
  }
}
