/**
 * Moves an installation's state between stores without losing history: every table of the store
 * (alert state, incidents, the notification log and outbox with their ids, silences, maintenance
 * windows, announcements, uptime and SLO counts, pushed values) read from one and written to the
 * other in one transaction. SQLite is named by its data directory (`sqlite:./data`), PostgreSQL by
 * its URL. A target that already holds state is refused unless `replace` is set: copying over a
 * running installation's history is never what someone meant by accident.
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import type pg from 'pg';
import { StateStore } from '../store.js';
import { migratePg } from './pg-migrate.js';
import { openPool, redactUrl } from './pg-pool.js';
import { ALL_TABLES } from './pg-schema.js';

type Rows = Array<Record<string, unknown>>;

interface Side {
  readonly name: string;
  read(table: string, columns: readonly string[]): Promise<Rows>;
  count(): Promise<number>;
  replaceAll(
    contents: ReadonlyMap<string, Rows>,
    columns: (table: string) => readonly string[],
  ): Promise<void>;
  close(): Promise<void>;
}

export interface CopyOutcome {
  readonly from: string;
  readonly to: string;
  /** Rows copied per table. */
  readonly rows: Readonly<Record<string, number>>;
}

/** `sqlite:<data dir>` or a postgres:// URL; anything else is a usage error naming the forms. */
export function parseStoreLocation(
  text: string,
): { kind: 'sqlite'; dataDir: string } | { kind: 'postgres'; url: string } {
  if (text.startsWith('sqlite:')) return { kind: 'sqlite', dataDir: text.slice('sqlite:'.length) || '.' };
  if (/^postgres(ql)?:\/\//.test(text)) return { kind: 'postgres', url: text };
  throw new Error(`a store is "sqlite:<data directory>" or "postgres://…", got "${text.slice(0, 40)}"`);
}

function sqliteSide(dataDir: string, mustExist: boolean): Side {
  if (mustExist && !existsSync(join(dataDir, 'prismwatch.db')))
    throw new Error(`${join(dataDir, 'prismwatch.db')} does not exist`);
  // Opening runs the SQLite migrations, so an older file is read with today's columns.
  const store = new StateStore(dataDir);
  const { db } = store;
  return {
    name: `sqlite:${dataDir}`,
    read: async (table, columns) => db.prepare(`SELECT ${columns.join(', ')} FROM ${table}`).all() as Rows,
    count: async () =>
      ALL_TABLES.filter((table) => table !== 'meta').reduce(
        (sum, table) => sum + (db.prepare(`SELECT count(*) AS n FROM ${table}`).get() as { n: number }).n,
        0,
      ),
    replaceAll: async (contents, columns) => {
      db.transaction(() => {
        for (const [table, rows] of contents) {
          const names = columns(table);
          db.prepare(`DELETE FROM ${table}`).run();
          const insert = db.prepare(
            `INSERT INTO ${table} (${names.join(', ')}) VALUES (${names.map(() => '?').join(', ')})`,
          );
          for (const row of rows) insert.run(...names.map((name) => row[name] ?? null));
        }
      })();
    },
    close: async () => store.close(),
  };
}

async function postgresSide(url: string): Promise<Side> {
  const pool: pg.Pool = await openPool(url, 2);
  try {
    await migratePg(pool, redactUrl(url));
  } catch (error) {
    await pool.end();
    throw error;
  }
  return {
    name: redactUrl(url),
    read: async (table, columns) =>
      (await pool.query(`SELECT ${columns.join(', ')} FROM ${table}`)).rows as Rows,
    count: async () => {
      let sum = 0;
      for (const table of ALL_TABLES)
        if (table !== 'meta')
          sum += Number((await pool.query(`SELECT count(*) AS n FROM ${table}`)).rows[0].n);
      return sum;
    },
    replaceAll: async (contents) => {
      const client = await pool.connect();
      try {
        await client.query('BEGIN');
        for (const [table, rows] of contents) {
          await client.query(`DELETE FROM ${table}`);
          if (rows.length > 0)
            await client.query(
              `INSERT INTO ${table} SELECT * FROM json_populate_recordset(NULL::${table}, $1::json)`,
              [JSON.stringify(rows)],
            );
        }
        // Instances already running on this database reload every table.
        await client.query(
          `INSERT INTO state_versions (name, version) SELECT unnest($1::text[]), 1
           ON CONFLICT (name) DO UPDATE SET version = state_versions.version + 1`,
          [[...contents.keys()]],
        );
        await client.query('COMMIT');
      } catch (error) {
        await client.query('ROLLBACK').catch(() => {});
        throw error;
      } finally {
        client.release();
      }
    },
    close: () => pool.end(),
  };
}

async function open(text: string, source: boolean): Promise<Side> {
  const location = parseStoreLocation(text);
  return location.kind === 'sqlite' ? sqliteSide(location.dataDir, source) : postgresSide(location.url);
}

/** The columns of the store's tables, as the SQLite schema defines them (the PostgreSQL one has the same, plus its own). */
function columnsOfSchema(): (table: string) => string[] {
  const store = new StateStore();
  const columns = new Map<string, string[]>(
    ALL_TABLES.map((table) => [
      table,
      (store.db.prepare(`PRAGMA table_info(${table})`).all() as Array<{ name: string }>).map(
        (column) => column.name,
      ),
    ]),
  );
  store.close();
  return (table) => columns.get(table) ?? [];
}

export async function copyState(fromText: string, toText: string, replace: boolean): Promise<CopyOutcome> {
  const from = await open(fromText, true);
  let to: Side | undefined;
  try {
    to = await open(toText, false);
    const existing = await to.count();
    if (existing > 0 && !replace)
      throw new Error(
        `${to.name} already holds ${existing} rows of state; copy with --replace to overwrite them`,
      );
    const columns = columnsOfSchema();
    const contents = new Map<string, Rows>();
    for (const table of ALL_TABLES) {
      const rows = await from.read(table, columns(table));
      // SQLite's own bookkeeping (its schema version) is not state to carry over.
      contents.set(table, table === 'meta' ? rows.filter((row) => row.key !== 'schema_version') : rows);
    }
    await to.replaceAll(contents, columns);
    return {
      from: from.name,
      to: to.name,
      rows: Object.fromEntries([...contents].map(([table, rows]) => [table, rows.length])),
    };
  } finally {
    await from.close();
    await to?.close();
  }
}

/** Runs the migrations a store has not had; returns the schema versions before and after. */
export async function migrateState(text: string): Promise<{ store: string; from: number; to: number }> {
  const location = parseStoreLocation(text);
  if (location.kind === 'sqlite') {
    const before = sqliteVersion(location.dataDir);
    new StateStore(location.dataDir).close();
    return { store: `sqlite:${location.dataDir}`, from: before, to: sqliteVersion(location.dataDir) };
  }
  const pool = await openPool(location.url, 1);
  try {
    return { store: redactUrl(location.url), ...(await migratePg(pool, redactUrl(location.url))) };
  } finally {
    await pool.end();
  }
}

/** The schema version a SQLite store records (0 when it has none yet). */
function sqliteVersion(dataDir: string): number {
  const file = join(dataDir, 'prismwatch.db');
  if (!existsSync(file)) return 0;
  const db = new Database(file, { readonly: true });
  try {
    const row = db.prepare("SELECT value FROM meta WHERE key = 'schema_version'").get() as
      | { value: string }
      | undefined;
    return row ? Number(row.value) : 0;
  } catch {
    return 0;
  } finally {
    db.close();
  }
}
