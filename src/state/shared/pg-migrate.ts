/**
 * Brings a PostgreSQL database to this prismwatch's schema: the migrations it has not had run in
 * order, each in its own transaction, under an advisory lock so that instances starting together
 * take turns. A database written by a newer prismwatch is refused, as a newer SQLite file is.
 */
import type pg from 'pg';
import { MIGRATION_LOCK, PG_MIGRATIONS, PG_SCHEMA_VERSION } from './pg-schema.js';

export interface MigrationOutcome {
  readonly from: number;
  readonly to: number;
}

export async function migratePg(pool: pg.Pool, where: string): Promise<MigrationOutcome> {
  const client = await pool.connect();
  try {
    await client.query('SELECT pg_advisory_lock($1)', [MIGRATION_LOCK]);
    await client.query('CREATE TABLE IF NOT EXISTS prismwatch_schema (version INTEGER NOT NULL)');
    const row = (
      await client.query<{ version: number }>('SELECT max(version) AS version FROM prismwatch_schema')
    ).rows[0];
    const from = row?.version ?? 0;
    if (from > PG_SCHEMA_VERSION)
      throw new Error(
        `${where} was written by a newer prismwatch (schema ${from}; this one knows up to ${PG_SCHEMA_VERSION})`,
      );
    for (const migration of PG_MIGRATIONS) {
      if (migration.version <= from) continue;
      await client.query('BEGIN');
      try {
        await client.query(migration.sql);
        await client.query('INSERT INTO prismwatch_schema (version) VALUES ($1)', [migration.version]);
        await client.query('COMMIT');
      } catch (error) {
        await client.query('ROLLBACK');
        throw new Error(
          `migration ${migration.version} (${migration.name}) failed on ${where}: ${error instanceof Error ? error.message : String(error)}`,
        );
      }
    }
    return { from, to: Math.max(from, PG_SCHEMA_VERSION) };
  } finally {
    await client.query('SELECT pg_advisory_unlock($1)', [MIGRATION_LOCK]).catch(() => {});
    client.release();
  }
}
