/**
 * The shared store (`--state.url postgres://…`): several instances on one PostgreSQL database.
 *
 * Each instance keeps the SQLite store in memory as its working copy, so every read the daemon
 * makes stays synchronous and local, and the status page and API answer while the database is
 * away. Its committed writes are replayed on PostgreSQL in order (mirror.ts → writer.ts); changes
 * made by other instances come back within a second (sync.ts); one instance, chosen by a lease in
 * the database, leads (leadership.ts).
 */
import { hostname } from 'node:os';
import Database from 'better-sqlite3';
import type pg from 'pg';
import type { Logger } from 'pino';
import { StateStore } from '../store.js';
import { Leadership } from './leadership.js';
import { WriteMirror } from './mirror.js';
import { describe } from './pg-errors.js';
import { migratePg } from './pg-migrate.js';
import { openPool, redactUrl } from './pg-pool.js';
import type { SharedView } from './shared-metrics.js';
import { StateSync } from './sync.js';
import { SharedWriter, type WriterMetrics } from './writer.js';

export const DEFAULT_LEASE_MS = 8_000;
const SYNC_INTERVAL_MS = 1_000;

export interface SharedStateOptions {
  readonly url: string;
  readonly log: Logger;
  readonly metrics: WriterMetrics;
  readonly now?: () => number;
  /** How long a lease lasts without renewal: a dead leader is replaced within about 4/3 of it. */
  readonly leaseMs?: number;
  /** This instance's name in the lease; default host:pid and a random suffix. */
  readonly instance?: string;
}

export class SharedState implements SharedView {
  /** The last write and the last read each reached the database. */
  private writerUp = true;
  private readerUp = true;

  private constructor(
    readonly url: string,
    readonly store: StateStore,
    readonly pool: pg.Pool,
    readonly leadership: Leadership,
    readonly writer: SharedWriter,
    readonly sync: StateSync,
  ) {}

  /** Connects, migrates, loads every table into the working copy and looks for the lease once. */
  static async open(options: SharedStateOptions): Promise<SharedState> {
    const where = redactUrl(options.url);
    const log = options.log.child({ component: 'state' });
    let pool: pg.Pool | undefined;
    try {
      pool = await openPool(options.url);
      const migration = await migratePg(pool, where);
      if (migration.from !== migration.to)
        log.info({ database: where, ...migration }, 'State database migrated');
      const raw = new Database(':memory:');
      let writer: SharedWriter | undefined;
      const mirror = new WriteMirror(raw, (batch) => writer?.enqueue(batch));
      const store = new StateStore(undefined, mirror.db);
      const instance =
        options.instance ?? `${hostname()}:${process.pid}:${Math.random().toString(36).slice(2, 8)}`;
      const leadership = new Leadership(pool, instance, options.leaseMs ?? DEFAULT_LEASE_MS, log);
      let shared: SharedState | undefined;
      writer = new SharedWriter(
        pool,
        leadership,
        (table) => raw.prepare(`SELECT * FROM ${table}`).all(),
        options.metrics,
        log,
        options.now,
        (available) => {
          if (shared) shared.writerUp = available;
        },
      );
      const sync = new StateSync({
        pool,
        raw,
        leading: () => leadership.token() !== undefined,
        unwritten: () => writer.unwritten(),
        intervalMs: SYNC_INTERVAL_MS,
        log,
        onAvailability: (available) => {
          if (shared) shared.readerUp = available;
        },
      });
      // The alerts table changes under the store when it is reloaded: its next save writes it whole.
      sync.onLoaded((tables) => {
        if (tables.has('alerts')) store.forgetSavedAlerts();
      });
      await sync.loadAll();
      mirror.paused = false;
      shared = new SharedState(where, store, pool, leadership, writer, sync);
      leadership.onChange((change) => {
        if (!change.continuous) writer.dropLeaderWrites();
      });
      await leadership.start();
      sync.start();
      return shared;
    } catch (error) {
      await pool?.end().catch(() => {});
      throw new Error(`cannot open the state database ${where}: ${describe(error)}`);
    }
  }

  leading(): boolean {
    return this.leadership.confirmed();
  }

  databaseUp(): boolean {
    return this.writerUp && this.readerUp;
  }

  queuedStatements(): number {
    return this.writer.status().queuedStatements;
  }

  /**
   * Lets queued writes land (within the grace), hands the lease back, and disconnects. The
   * working copy stays open for its owner (StateKeeper) to close.
   */
  async close(graceMs: number): Promise<void> {
    await this.sync.stop();
    await this.writer.stop(graceMs);
    await this.leadership.stop();
    await this.pool.end().catch(() => {});
  }
}
