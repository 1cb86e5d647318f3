/**
 * Replays the working copy's committed writes (mirror.ts) on PostgreSQL, in order, in
 * transactions. Writes to the leader's tables, and claims of notifications about to be sent, go
 * only under the fencing token, checked with the lease row locked in the same transaction
 * (leadership.ts): a former leader's late writes and claims are refused by the database itself.
 *
 * When the database is away, batches wait here and are written when it is back, oldest first.
 * The bound: MAX_QUEUED_STATEMENTS statements. Past it, the leader's queued batches are dropped
 * and replaced by one snapshot of its tables, written when the database returns — nothing is lost,
 * because the working copy holds it all; what the bound limits is memory. Writes through the API
 * (silences, maintenance, announcements) are never dropped: they are few and made by people.
 * What is only in memory is lost if the process dies before the database returns; the next
 * leader then decides those notifications again (sent at least once, never lost).
 */
import type pg from 'pg';
import type { Logger } from 'pino';
import { inlineChunks } from './inline-sql.js';
import type { Leadership } from './leadership.js';
import type { MirroredStatement } from './mirror.js';
import { describe, isUnavailable } from './pg-errors.js';
import { isLeaderTable, LEADER_TABLES } from './pg-schema.js';

export const MAX_QUEUED_STATEMENTS = 100_000;
/** Batches written per transaction: a burst is one round of commits, not one each. */
const BATCHES_PER_TRANSACTION = 500;
const MAX_RETRY_MS = 2_000;

interface Batch {
  readonly kind: 'batch';
  readonly statements: readonly MirroredStatement[];
  readonly leader: boolean;
}

interface Claim {
  readonly kind: 'claim';
  readonly id: number;
  readonly resolve: (claimed: boolean) => void;
}

type Item = Batch | Claim;

export interface WriterStatus {
  /** Epoch ms since the database has refused writes; undefined while it takes them. */
  readonly unavailableSince?: number;
  readonly reason?: string;
  readonly queuedStatements: number;
  readonly snapshotOwed: boolean;
}

export interface WriterMetrics {
  statementsWritten(count: number): void;
  transactionSeconds(seconds: number): void;
  dropped(reason: 'not_leader' | 'bound' | 'rejected', count: number): void;
}

/** Reads every row of a table of the working copy (for snapshots). */
export type LocalRows = (table: string) => unknown[];

export class SharedWriter {
  private queue: Item[] = [];
  private queuedStatements = 0;
  private snapshotOwed = false;
  private running: Promise<void> | undefined;
  private retryTimer: NodeJS.Timeout | undefined;
  private failures = 0;
  private unavailableSince: number | undefined;
  private reason: string | undefined;
  private stopped = false;
  private readonly idle: Array<() => void> = [];

  constructor(
    private readonly pool: pg.Pool,
    private readonly leadership: Leadership,
    private readonly localRows: LocalRows,
    private readonly metrics: WriterMetrics,
    private readonly log: Logger,
    private readonly now: () => number = Date.now,
    private readonly onAvailability: (available: boolean) => void = () => {},
  ) {}

  status(): WriterStatus {
    return {
      ...(this.unavailableSince !== undefined
        ? { unavailableSince: this.unavailableSince, reason: this.reason }
        : {}),
      queuedStatements: this.queuedStatements,
      snapshotOwed: this.snapshotOwed,
    };
  }

  /** Tables with writes not yet in the database: a reload must not overwrite them (sync.ts). */
  unwritten(): Set<string> {
    const tables = new Set<string>();
    for (const item of this.queue)
      if (item.kind === 'batch') for (const statement of item.statements) tables.add(statement.table);
    return tables;
  }

  enqueue(statements: readonly MirroredStatement[]): void {
    const leader = statements.some((statement) => isLeaderTable(statement.table));
    if (leader && this.leadership.token() === undefined) {
      // A follower's own bookkeeping of a leader table (a periodic save): the leader's copy rules.
      this.metrics.dropped('not_leader', statements.length);
      return;
    }
    this.queue.push({ kind: 'batch', statements, leader });
    this.queuedStatements += statements.length;
    if (this.queuedStatements > MAX_QUEUED_STATEMENTS) this.collapse();
    this.kick();
  }

  /**
   * Marks a queued notification as being sent under this leader's token, after every write before
   * it. False when this instance does not hold the lease (or the row is no longer queued): then
   * it must not send.
   */
  claim(id: number): Promise<boolean> {
    if (this.leadership.token() === undefined) return Promise.resolve(false);
    return new Promise((resolve) => {
      this.queue.push({ kind: 'claim', id, resolve });
      this.kick();
    });
  }

  /** Leadership changed hands: the leader's queued writes are another stint's; claims fail. */
  dropLeaderWrites(): void {
    const dropped = this.queue.filter((item) => item.kind === 'batch' && item.leader) as Batch[];
    this.remove((item) => item.kind === 'batch' && item.leader);
    const count = dropped.reduce((sum, batch) => sum + batch.statements.length, 0);
    if (count > 0) this.metrics.dropped('not_leader', count);
    this.failClaims();
    this.snapshotOwed = false;
  }

  /** Resolves once everything queued now is written (or the writer stopped). */
  drained(): Promise<void> {
    if (this.queue.length === 0 && !this.snapshotOwed && !this.running) return Promise.resolve();
    return new Promise((resolve) => this.idle.push(resolve));
  }

  async stop(graceMs: number): Promise<void> {
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([
      this.drained(),
      new Promise<void>((resolve) => {
        timer = setTimeout(resolve, graceMs);
      }),
    ]);
    clearTimeout(timer);
    this.stopped = true;
    clearTimeout(this.retryTimer);
    this.failClaims();
    for (const resolve of this.idle.splice(0)) resolve();
  }

  private collapse(): void {
    const dropped = this.queue.filter((item) => item.kind === 'batch' && item.leader) as Batch[];
    this.remove((item) => item.kind === 'batch' && item.leader);
    const count = dropped.reduce((sum, batch) => sum + batch.statements.length, 0);
    this.metrics.dropped('bound', count);
    if (!this.snapshotOwed)
      this.log.warn(
        { statements: count, bound: MAX_QUEUED_STATEMENTS },
        'The state database has been away long: queued writes are folded into one snapshot of the leader state, written when it is back',
      );
    this.snapshotOwed = true;
  }

  private remove(predicate: (item: Item) => boolean): void {
    this.queue = this.queue.filter((item) => !predicate(item));
    this.queuedStatements = this.queue.reduce(
      (sum, item) => sum + (item.kind === 'batch' ? item.statements.length : 0),
      0,
    );
  }

  private failClaims(): void {
    for (const item of this.queue) if (item.kind === 'claim') item.resolve(false);
    this.remove((item) => item.kind === 'claim');
  }

  private kick(): void {
    if (this.running || this.stopped || this.retryTimer) return;
    this.running = this.drain().finally(() => {
      this.running = undefined;
      if (this.queue.length > 0 || this.snapshotOwed) {
        if (!this.retryTimer) this.kick();
      } else for (const resolve of this.idle.splice(0)) resolve();
    });
  }

  private async drain(): Promise<void> {
    while ((this.queue.length > 0 || this.snapshotOwed) && !this.stopped) {
      const items = this.queue.slice(0, BATCHES_PER_TRANSACTION);
      const ok = await this.write(items);
      if (!ok) return;
    }
  }

  /** Writes `items` in one transaction; false when the database is away (retried later). */
  private async write(items: Item[]): Promise<boolean> {
    const token = this.leadership.token();
    const fenced = this.snapshotOwed || items.some((item) => item.kind === 'claim' || item.leader);
    if (fenced && token === undefined) {
      this.dropLeaderWrites();
      return true;
    }
    const started = performance.now();
    let client: pg.PoolClient | undefined;
    const claimed = new Map<Claim, boolean>();
    let statements = 0;
    try {
      client = await this.pool.connect();
      await client.query('BEGIN');
      if (fenced) {
        const lease = await client.query(
          'SELECT 1 FROM leader_lease WHERE id = 1 AND holder = $1 AND token = $2 AND expires_at > now() FOR SHARE',
          [this.leadership.holder, token],
        );
        if (lease.rowCount === 0) {
          await client.query('ROLLBACK');
          this.leadership.lost('a fenced write found the lease held by another instance or expired');
          this.dropLeaderWrites();
          this.available();
          return true;
        }
      }
      if (this.snapshotOwed) statements += await this.writeSnapshot(client);
      const tables = new Set<string>(this.snapshotOwed ? LEADER_TABLES : []);
      // Consecutive batches go in as few round trips as their text allows (inline-sql.ts);
      // a claim needs its own, for its row count.
      // Claims in a row go as one statement; each learns whether its row was still queued.
      const quote = (text: string) => client!.escapeLiteral(text);
      let pending: MirroredStatement[] = [];
      let claims: Claim[] = [];
      const flush = async () => {
        for (const chunk of inlineChunks(pending, quote)) await client!.query(chunk);
        pending = [];
        if (claims.length === 0) return;
        const result = await client!.query<{ id: number }>(
          "UPDATE outbox SET claimed_token = $1 WHERE id = ANY($2::bigint[]) AND state = 'queued' RETURNING id",
          [token, claims.map((claim) => claim.id)],
        );
        const ids = new Set(result.rows.map((row) => Number(row.id)));
        for (const claim of claims) claimed.set(claim, ids.has(claim.id));
        claims = [];
      };
      for (const item of items) {
        if (item.kind === 'claim') {
          if (pending.length > 0) await flush();
          claims.push(item);
          continue;
        }
        if (claims.length > 0) await flush();
        for (const statement of item.statements) {
          pending.push(statement);
          tables.add(statement.table);
          statements++;
        }
      }
      await flush();
      if (tables.size > 0)
        await client.query(
          `INSERT INTO state_versions (name, version) SELECT unnest($1::text[]), 1
           ON CONFLICT (name) DO UPDATE SET version = state_versions.version + 1`,
          [[...tables]],
        );
      await client.query('COMMIT');
    } catch (error) {
      await client?.query('ROLLBACK').catch(() => {});
      client?.release(true);
      client = undefined;
      if (isUnavailable(error)) {
        this.unavailable(error);
        return false;
      }
      // A statement the database rejects would be retried forever: it is dropped, reported, and
      // the leader's tables are rewritten whole from the working copy at the next write.
      this.log.error(
        {
          err: describe(error),
          tables: [
            ...new Set(
              items.flatMap((item) => (item.kind === 'batch' ? item.statements.map((s) => s.table) : [])),
            ),
          ],
        },
        'The state database rejected a write; the leader state will be rewritten whole',
      );
      this.metrics.dropped('rejected', statements);
      const rejected = new Set(items);
      this.remove((item) => rejected.has(item) && item.kind === 'batch');
      if (this.leadership.token() !== undefined) this.snapshotOwed = true;
      return true;
    } finally {
      client?.release();
    }
    this.metrics.transactionSeconds((performance.now() - started) / 1000);
    this.metrics.statementsWritten(statements);
    this.snapshotOwed = false;
    const written = new Set(items);
    this.remove((item) => written.has(item));
    for (const [claim, ok] of claimed) claim.resolve(ok);
    this.available();
    return true;
  }

  /** Every leader table replaced by the working copy's rows (json_populate_recordset maps columns by name). */
  private async writeSnapshot(client: pg.PoolClient): Promise<number> {
    for (const table of LEADER_TABLES) {
      const rows = this.localRows(table);
      await client.query(`DELETE FROM ${table}`);
      if (rows.length > 0)
        await client.query(
          `INSERT INTO ${table} SELECT * FROM json_populate_recordset(NULL::${table}, $1::json)`,
          [JSON.stringify(rows)],
        );
    }
    this.log.info('The leader state was written whole to the state database');
    return LEADER_TABLES.length;
  }

  private unavailable(error: unknown): void {
    this.failures++;
    if (this.unavailableSince === undefined) {
      this.unavailableSince = this.now();
      this.reason = describe(error);
      this.log.error(
        { err: this.reason, queued_statements: this.queuedStatements },
        'The state database is unavailable: probing and the status page go on, writes wait in memory',
      );
      this.onAvailability(false);
    }
    const delay = Math.min(MAX_RETRY_MS, 100 * 2 ** Math.min(this.failures, 5));
    this.retryTimer = setTimeout(() => {
      this.retryTimer = undefined;
      this.kick();
    }, delay);
    this.retryTimer.unref?.();
  }

  private available(): void {
    this.failures = 0;
    if (this.unavailableSince === undefined) return;
    this.log.info(
      { unavailable_for_ms: this.now() - this.unavailableSince },
      'The state database is back; what waited in memory is written',
    );
    this.unavailableSince = undefined;
    this.reason = undefined;
    this.onAvailability(true);
  }
}
