/**
 * Keeps an instance's working copy in step with the shared database. Every write bumps its
 * table's row in `state_versions` (writer.ts); each instance reads those few rows every second and
 * reloads the tables that moved: silences, maintenance windows, announcements and pushed values
 * for everybody, and the leader's alerts and incidents for the others, whose status pages and APIs
 * show them. A table with writes of this instance still queued is left alone until they land, so
 * a reload never takes back what was just written here.
 */
import type Database from 'better-sqlite3';
import type pg from 'pg';
import type { Logger } from 'pino';
import { describe } from './pg-errors.js';
import { ALL_TABLES, SHARED_TABLES, type TableName } from './pg-schema.js';

/**
 * A table is reloaded at most once per this many times what its last reload cost (and at least
 * every MAX_RELOAD_GAP_MS when it keeps changing): a follower whose incident history is large and
 * changes at every delivery spends about 5 % of a core on keeping it, not all of one.
 */
const RELOAD_COST_FACTOR = 20;
const MAX_RELOAD_GAP_MS = 10_000;

/** What a follower needs of the leader's tables to show what the leader decided. */
const FOLLOWED_TABLES: readonly TableName[] = ['alerts', 'meta', 'incidents', 'sent_log'];

export interface SyncOptions {
  readonly pool: pg.Pool;
  /** The working copy, written directly (not through the mirror: these rows came from the database). */
  readonly raw: Database.Database;
  readonly leading: () => boolean;
  /** Tables with writes of this instance not yet in the database. */
  readonly unwritten: () => ReadonlySet<string>;
  readonly intervalMs: number;
  readonly log: Logger;
  /** Whether the last look at the database worked: a follower that writes nothing learns of an outage here. */
  readonly onAvailability?: (available: boolean) => void;
}

export class StateSync {
  private readonly seen = new Map<string, number>();
  private readonly columns = new Map<string, string[]>();
  /** performance.now() before which a table is not reloaded again (its last reload's cost). */
  private readonly notBefore = new Map<string, number>();
  private readonly listeners: Array<(tables: ReadonlySet<string>) => void> = [];
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<void> | undefined;
  private stopped = false;

  constructor(private readonly options: SyncOptions) {}

  /** Called after tables were reloaded, with their names. */
  onLoaded(listener: (tables: ReadonlySet<string>) => void): void {
    this.listeners.push(listener);
  }

  start(): void {
    this.schedule();
  }

  async stop(): Promise<void> {
    this.stopped = true;
    clearTimeout(this.timer);
    await this.running;
  }

  /** Every table reloaded from the database (at start, and when this instance becomes leader). */
  async loadAll(): Promise<void> {
    const versions = await this.versions();
    await this.load(ALL_TABLES, versions);
  }

  /** Looks for changes now (also on its own timer). */
  poll(): Promise<void> {
    this.running ??= this.pollOnce().finally(() => {
      this.running = undefined;
    });
    return this.running;
  }

  private schedule(): void {
    if (this.stopped) return;
    this.timer = setTimeout(() => {
      void this.poll().finally(() => this.schedule());
    }, this.options.intervalMs);
    this.timer.unref?.();
  }

  private async pollOnce(): Promise<void> {
    try {
      const versions = await this.versions();
      const wanted = this.options.leading() ? SHARED_TABLES : [...SHARED_TABLES, ...FOLLOWED_TABLES];
      const unwritten = this.options.unwritten();
      const now = performance.now();
      const changed = wanted.filter(
        (table) =>
          (versions.get(table) ?? 0) !== (this.seen.get(table) ?? 0) &&
          !unwritten.has(table) &&
          (this.notBefore.get(table) ?? 0) <= now,
      );
      if (changed.length > 0) await this.load(changed, versions);
      this.options.onAvailability?.(true);
    } catch (error) {
      // The copy stays as it was and is read from meanwhile; the outage shows as
      // prismwatch_state_database_up 0 (and the writer logs it when a write fails).
      this.options.log.debug({ err: describe(error) }, 'Could not read state changes');
      this.options.onAvailability?.(false);
    }
  }

  private async versions(): Promise<Map<string, number>> {
    const result = await this.options.pool.query<{ name: string; version: number }>(
      'SELECT name, version FROM state_versions',
    );
    return new Map(result.rows.map((row) => [row.name, Number(row.version)]));
  }

  private columnsOf(table: string): string[] {
    let columns = this.columns.get(table);
    if (!columns) {
      columns = (
        this.options.raw.prepare(`PRAGMA table_info(${table})`).all() as Array<{ name: string }>
      ).map((column) => column.name);
      this.columns.set(table, columns);
    }
    return columns;
  }

  private async load(tables: readonly string[], versions: ReadonlyMap<string, number>): Promise<void> {
    const contents = new Map<string, Array<Record<string, unknown>>>();
    const cost = new Map<string, number>();
    // Read in one snapshot, so alerts and incidents (say) are of the same moment.
    const client = await this.options.pool.connect();
    try {
      await client.query('BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY');
      for (const table of tables) {
        const started = performance.now();
        const columns = this.columnsOf(table);
        const result = await client.query(`SELECT ${columns.join(', ')} FROM ${table}`);
        contents.set(table, result.rows);
        cost.set(table, performance.now() - started);
      }
      await client.query('COMMIT');
    } finally {
      client.release();
    }
    const { raw } = this.options;
    raw.transaction(() => {
      for (const [table, rows] of contents) {
        const started = performance.now();
        const columns = this.columnsOf(table);
        raw.prepare(`DELETE FROM ${table}`).run();
        const insert = raw.prepare(
          `INSERT INTO ${table} (${columns.join(', ')}) VALUES (${columns.map(() => '?').join(', ')})`,
        );
        for (const row of rows) insert.run(...columns.map((column) => row[column] ?? null));
        cost.set(table, (cost.get(table) ?? 0) + performance.now() - started);
      }
    })();
    const now = performance.now();
    for (const table of tables) {
      this.seen.set(table, versions.get(table) ?? 0);
      this.notBefore.set(
        table,
        now + Math.min(MAX_RELOAD_GAP_MS, RELOAD_COST_FACTOR * (cost.get(table) ?? 0)),
      );
    }
    const loaded = new Set(tables);
    for (const listener of this.listeners) {
      try {
        listener(loaded);
      } catch (error) {
        this.options.log.error({ err: error }, 'Applying reloaded shared state failed');
      }
    }
  }
}
