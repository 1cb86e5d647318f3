/**
 * One leader among the instances sharing a database, chosen by PostgreSQL itself: a lease row
 * (`leader_lease`) with a holder, an expiry in the database's clock, and a fencing token that
 * grows by one at every change of hands. The leader renews it every third of its length; anyone
 * may take it once it has expired. Every write only a leader may make (alert state, the outbox,
 * claims of notifications) checks holder and token in its own transaction, with the row locked
 * against a takeover (writer.ts): a leader that was paused or cut off and still believes it leads
 * cannot write or send once another holds the lease. Clocks of the instances play no part.
 *
 * A lease that expired while nobody else took it (the database was away) is taken back with the
 * next token and reported as continuous: nothing another leader decided has to be reloaded.
 */
import type pg from 'pg';
import type { Logger } from 'pino';
import { describe } from './pg-errors.js';

export interface LeadershipChange {
  readonly leading: boolean;
  /** When leading again: no other instance held the lease since this one last did. */
  readonly continuous: boolean;
  readonly token?: number;
}

export interface LeaderInfo {
  readonly holder: string;
  readonly token: number;
  readonly expiresAt: number;
}

export class Leadership {
  private held: number | undefined;
  private lastToken: number | undefined;
  /** performance.now() when the last successful renewal was asked for. */
  private confirmedAt = Number.NEGATIVE_INFINITY;
  private timer: NodeJS.Timeout | undefined;
  private stopped = false;
  private ticking: Promise<void> | undefined;
  private readonly listeners: Array<(change: LeadershipChange) => void> = [];
  /** The lease as last read: who leads, for the status page and API. */
  current: LeaderInfo | undefined;

  constructor(
    private readonly pool: pg.Pool,
    readonly holder: string,
    readonly leaseMs: number,
    private readonly log: Logger,
  ) {}

  onChange(listener: (change: LeadershipChange) => void): void {
    this.listeners.push(listener);
  }

  /** The fencing token while this instance holds the lease. */
  token(): number | undefined {
    return this.held;
  }

  /** Holds the lease and renewed it within its length (by this process's clock). */
  confirmed(): boolean {
    return this.held !== undefined && performance.now() - this.confirmedAt < this.leaseMs;
  }

  start(): Promise<void> {
    this.ticking = this.tick();
    return this.ticking;
  }

  /** Lost by a fenced write that found another token: stop leading now, not at the next renewal. */
  lost(reason: string): void {
    if (this.held === undefined) return;
    this.log.warn({ token: this.held, reason }, 'Leadership lost: no longer evaluating rules or sending');
    this.held = undefined;
    this.emit({ leading: false, continuous: false });
  }

  /** Stops renewing and hands the lease back, so another instance takes over at once. */
  async stop(): Promise<void> {
    this.stopped = true;
    clearTimeout(this.timer);
    await this.ticking;
    const token = this.held;
    this.held = undefined;
    if (token === undefined) return;
    try {
      await this.pool.query(
        "UPDATE leader_lease SET expires_at = now() - interval '1 millisecond' WHERE id = 1 AND holder = $1 AND token = $2",
        [this.holder, token],
      );
      this.log.info({ token }, 'Leadership handed back');
    } catch (error) {
      this.log.warn({ err: describe(error) }, 'Could not hand leadership back; it expires by itself');
    }
  }

  private schedule(): void {
    if (this.stopped) return;
    // Leaders renew every third of the lease; the others look every second (or as often, for a
    // short lease), so a lease handed back is taken within a second and an expired one within the
    // lease plus a second.
    const third = Math.max(100, Math.floor(this.leaseMs / 3));
    const delay = this.held === undefined ? Math.min(third, 1_000) : third;
    this.timer = setTimeout(() => {
      this.ticking = this.tick();
    }, delay);
    this.timer.unref?.();
  }

  private async tick(): Promise<void> {
    try {
      if (this.held !== undefined && (await this.renew())) return;
      await this.acquire();
    } catch (error) {
      // The database is away: a leader keeps acting (its writes queue, its sends wait for claims
      // that need the database), and confirmed() turns false when the lease would have expired.
      this.log.debug({ err: describe(error) }, 'Leader lease not reachable');
    } finally {
      this.schedule();
    }
  }

  private async renew(): Promise<boolean> {
    const asked = performance.now();
    const result = await this.pool.query<{ token: number; expires_ms: number }>(
      `UPDATE leader_lease SET expires_at = now() + $3 * interval '1 millisecond'
       WHERE id = 1 AND holder = $1 AND token = $2 AND expires_at > now()
       RETURNING token, extract(epoch FROM expires_at) * 1000 AS expires_ms`,
      [this.holder, this.held, this.leaseMs],
    );
    const row = result.rows[0];
    if (!row) return false;
    this.confirmedAt = asked;
    this.current = { holder: this.holder, token: row.token, expiresAt: Number(row.expires_ms) };
    return true;
  }

  private async acquire(): Promise<void> {
    const asked = performance.now();
    const result = await this.pool.query<{
      token: number;
      previous_holder: string;
      holder: string;
      expires_ms: number;
      taken: boolean;
    }>(
      `WITH previous AS (SELECT holder, token, expires_at FROM leader_lease WHERE id = 1 FOR UPDATE),
       taken AS (
         UPDATE leader_lease l SET holder = $1, token = previous.token + 1,
           expires_at = now() + $2 * interval '1 millisecond'
         FROM previous WHERE l.id = 1 AND previous.expires_at <= now()
         RETURNING l.token, l.holder, l.expires_at)
       SELECT COALESCE(taken.token, previous.token) AS token, previous.holder AS previous_holder,
              COALESCE(taken.holder, previous.holder) AS holder,
              extract(epoch FROM COALESCE(taken.expires_at, previous.expires_at)) * 1000 AS expires_ms,
              taken.token IS NOT NULL AS taken
       FROM previous LEFT JOIN taken ON true`,
      [this.holder, this.leaseMs],
    );
    const row = result.rows[0];
    if (!row) throw new Error('the leader_lease row is missing (the schema was not migrated?)');
    this.current = { holder: row.holder, token: row.token, expiresAt: Number(row.expires_ms) };
    if (!row.taken) {
      if (this.held !== undefined) this.lost(`the lease is held by ${row.holder} (token ${row.token})`);
      return;
    }
    const continuous =
      this.lastToken !== undefined && row.previous_holder === this.holder && row.token === this.lastToken + 1;
    const wasLeading = this.held !== undefined;
    this.held = row.token;
    this.lastToken = row.token;
    this.confirmedAt = asked;
    if (wasLeading && continuous) {
      this.log.info(
        { token: row.token },
        'Leader lease expired while unreachable and was taken back; still leading',
      );
      return;
    }
    if (wasLeading) this.emit({ leading: false, continuous: false });
    this.log.info(
      { token: row.token, previous_holder: row.previous_holder || undefined },
      'Leading: evaluating rules and sending notifications',
    );
    this.emit({ leading: true, continuous, token: row.token });
  }

  private emit(change: LeadershipChange): void {
    for (const listener of this.listeners) {
      try {
        listener(change);
      } catch (error) {
        this.log.error({ err: error }, 'A leadership listener failed');
      }
    }
  }
}
