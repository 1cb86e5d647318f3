/**
 * Subscribers of the status pages and the notices owed to them: a durable queue of its own, in
 * the state store, that any instance writes (a subscription or an incident update may reach the
 * one that does not lead). Each notice is keyed by (subscriber, event), so an update is queued for
 * a subscriber once however often it is offered; it leaves the queue delivered, or failed for
 * good, never dropped. Addresses are never listed: callers get counts.
 */
import { randomBytes, randomUUID } from 'node:crypto';
import type Database from 'better-sqlite3';

export type SubscriberKind = 'email' | 'webhook';

export interface Subscriber {
  readonly id: string;
  readonly page: string;
  readonly kind: SubscriberKind;
  readonly address: string;
  /** Webhooks: the key their notices are signed with. */
  readonly secret: string;
  readonly createdAt: number;
  readonly confirmedAt?: number;
}

export interface SubscriberNotice {
  readonly id: string;
  readonly subscriber: Subscriber;
  readonly event: string;
  readonly payload: unknown;
  readonly attempts: number;
  readonly createdAt: number;
}

interface SubscriberRow {
  id: string;
  page: string;
  kind: string;
  address: string;
  secret: string;
  created_at: number;
  confirmed_at: number | null;
}

function fromRow(row: SubscriberRow): Subscriber {
  return {
    id: row.id,
    page: row.page,
    kind: row.kind === 'webhook' ? 'webhook' : 'email',
    address: row.address,
    secret: row.secret,
    createdAt: row.created_at,
    ...(row.confirmed_at === null ? {} : { confirmedAt: row.confirmed_at }),
  };
}

/** Unconfirmed subscriptions are forgotten after this; their link stops working with them. */
export const PENDING_FOR_MS = 48 * 60 * 60_000;

export class Subscribers {
  private readonly statements;

  constructor(
    private readonly db: Database.Database,
    private readonly now: () => number,
  ) {
    this.statements = {
      find: db.prepare('SELECT * FROM subscribers WHERE page = ? AND kind = ? AND address = ?'),
      get: db.prepare('SELECT * FROM subscribers WHERE id = ?'),
      insert: db.prepare(`
        INSERT INTO subscribers (id, page, kind, address, secret, created_at, confirmed_at)
        VALUES (@id, @page, @kind, @address, @secret, @created_at, @confirmed_at)`),
      confirm: db.prepare('UPDATE subscribers SET confirmed_at = ? WHERE id = ? AND confirmed_at IS NULL'),
      remove: db.prepare('DELETE FROM subscribers WHERE id = ?'),
      removeNotices: db.prepare("DELETE FROM subscriber_notices WHERE subscriber = ? AND state = 'queued'"),
      pending: db.prepare('SELECT count(*) AS n FROM subscribers WHERE page = ? AND confirmed_at IS NULL'),
      counts: db.prepare(
        'SELECT kind, confirmed_at IS NOT NULL AS confirmed, count(*) AS n FROM subscribers WHERE page = ? GROUP BY kind, confirmed',
      ),
      confirmed: db.prepare('SELECT * FROM subscribers WHERE page = ? AND confirmed_at IS NOT NULL'),
      pruneUnconfirmed: db.prepare('DELETE FROM subscribers WHERE confirmed_at IS NULL AND created_at < ?'),
      enqueue: db.prepare(`
        INSERT INTO subscriber_notices (id, subscriber, event, payload, state, attempts, next_attempt_at, created_at)
        VALUES (@id, @subscriber, @event, @payload, 'queued', 0, @at, @at)
        ON CONFLICT (subscriber, event) DO NOTHING`),
      due: db.prepare(
        "SELECT * FROM subscriber_notices WHERE state = 'queued' AND next_attempt_at <= ? ORDER BY created_at, id LIMIT ?",
      ),
      delivered: db.prepare(
        "UPDATE subscriber_notices SET state = 'delivered', attempts = attempts + 1, finished_at = ?, last_error = NULL WHERE id = ?",
      ),
      retry: db.prepare(
        'UPDATE subscriber_notices SET attempts = attempts + 1, next_attempt_at = ?, last_error = ? WHERE id = ?',
      ),
      failed: db.prepare(
        "UPDATE subscriber_notices SET state = 'failed', attempts = attempts + 1, finished_at = ?, last_error = ? WHERE id = ?",
      ),
      depth: db.prepare("SELECT count(*) AS n FROM subscriber_notices WHERE state = 'queued'"),
      pruneNotices: db.prepare("DELETE FROM subscriber_notices WHERE state != 'queued' AND finished_at < ?"),
    };
  }

  get(id: string): Subscriber | undefined {
    const row = this.statements.get.get(id) as SubscriberRow | undefined;
    return row && fromRow(row);
  }

  /**
   * A subscription as asked for: the existing one for this address (confirmed or not), or a new
   * one — pending for email, confirmed at once for webhooks (operators add those). 'full' when the
   * page already holds `maxPending` unconfirmed ones.
   */
  subscribe(
    page: string,
    kind: SubscriberKind,
    address: string,
    maxPending: number,
  ): { subscriber: Subscriber; created: boolean } | 'full' {
    const now = this.now();
    this.statements.pruneUnconfirmed.run(now - PENDING_FOR_MS);
    const existing = this.statements.find.get(page, kind, address) as SubscriberRow | undefined;
    if (existing) return { subscriber: fromRow(existing), created: false };
    if (kind === 'email' && (this.statements.pending.get(page) as { n: number }).n >= maxPending)
      return 'full';
    const row: SubscriberRow = {
      id: randomUUID(),
      page,
      kind,
      address,
      secret: kind === 'webhook' ? randomBytes(24).toString('base64url') : '',
      created_at: now,
      confirmed_at: kind === 'webhook' ? now : null,
    };
    this.statements.insert.run(row);
    return { subscriber: fromRow(row), created: true };
  }

  /** true when this confirmed it; false when it was confirmed already or is gone. */
  confirm(id: string): boolean {
    return this.statements.confirm.run(this.now(), id).changes === 1;
  }

  /** Removes the subscriber and what it is still owed. */
  unsubscribe(id: string): boolean {
    let removed = false;
    this.db.transaction(() => {
      this.statements.removeNotices.run(id);
      removed = this.statements.remove.run(id).changes === 1;
    })();
    return removed;
  }

  counts(page: string): { email: { confirmed: number; pending: number }; webhook: { confirmed: number } } {
    const out = { email: { confirmed: 0, pending: 0 }, webhook: { confirmed: 0 } };
    for (const row of this.statements.counts.all(page) as Array<{
      kind: string;
      confirmed: number;
      n: number;
    }>) {
      if (row.kind === 'webhook') out.webhook.confirmed += row.n;
      else if (row.confirmed) out.email.confirmed += row.n;
      else out.email.pending += row.n;
    }
    return out;
  }

  /** Queues `event` for every confirmed subscriber of `page`; returns how many were new. */
  offer(page: string, event: string, payload: unknown): number {
    const at = this.now();
    const text = JSON.stringify(payload);
    let queued = 0;
    this.db.transaction(() => {
      for (const row of this.statements.confirmed.all(page) as SubscriberRow[])
        queued += this.statements.enqueue.run({
          id: randomUUID(),
          subscriber: row.id,
          event,
          payload: text,
          at,
        }).changes;
    })();
    return queued;
  }

  /** Queues one notice for one subscriber (a confirmation request goes to a pending one). */
  offerTo(subscriber: string, event: string, payload: unknown): boolean {
    const at = this.now();
    return (
      this.statements.enqueue.run({
        id: randomUUID(),
        subscriber,
        event,
        payload: JSON.stringify(payload),
        at,
      }).changes === 1
    );
  }

  due(limit: number): SubscriberNotice[] {
    const rows = this.statements.due.all(this.now(), limit) as Array<{
      id: string;
      subscriber: string;
      event: string;
      payload: string;
      attempts: number;
      created_at: number;
    }>;
    const out: SubscriberNotice[] = [];
    for (const row of rows) {
      const subscriber = this.get(row.subscriber);
      if (!subscriber) {
        this.statements.failed.run(this.now(), 'the subscriber is gone', row.id);
        continue;
      }
      out.push({
        id: row.id,
        subscriber,
        event: row.event,
        payload: JSON.parse(row.payload) as unknown,
        attempts: row.attempts,
        createdAt: row.created_at,
      });
    }
    return out;
  }

  delivered(id: string): void {
    this.statements.delivered.run(this.now(), id);
  }

  retry(id: string, nextAttemptAt: number, error: string): void {
    this.statements.retry.run(nextAttemptAt, error, id);
  }

  failed(id: string, error: string): void {
    this.statements.failed.run(this.now(), error, id);
  }

  depth(): number {
    return (this.statements.depth.get() as { n: number }).n;
  }

  prune(before: number): void {
    this.statements.pruneNotices.run(before);
  }
}
