/**
 * The PostgreSQL schema of the shared store: SQLite's tables and columns (schema.ts, translated by
 * postgresDdl), plus what sharing needs:
 * - `state_versions`: one counter per table, bumped in the transaction that writes it, so every
 *   instance learns what changed by reading a dozen rows a second (sync.ts);
 * - `leader_lease`: the one row whose holder evaluates rules and sends notifications, with the
 *   fencing token every leader-only write checks in its own transaction (leadership.ts);
 * - `outbox.claimed_token`: the token under which a notification was claimed for sending.
 *
 * Epoch milliseconds are DOUBLE PRECISION (SQLite's REAL); the outbox id is a BIGINT the leader
 * assigns (its in-memory copy numbers rows, so both sides agree on ids without a round trip).
 */
import { MIGRATIONS, type Migration } from '../schema.js';

/** Tables only the leader writes: its writes carry the fencing token. */
export const LEADER_TABLES = [
  'alerts',
  'meta',
  'nflog',
  'outbox',
  'sent_log',
  'incidents',
  'uptime',
  'slo_state',
] as const;

/** Tables any instance writes through its API (or its inboxes), visible to all within seconds. */
export const SHARED_TABLES = [
  'silences',
  'maintenance',
  'announcements',
  'kind_state',
  'quarantine',
  'acknowledgements',
  'status_incidents',
  'status_incident_updates',
  'subscribers',
  'subscriber_notices',
] as const;

export type TableName = (typeof LEADER_TABLES)[number] | (typeof SHARED_TABLES)[number];

export const ALL_TABLES: readonly TableName[] = [...LEADER_TABLES, ...SHARED_TABLES];

export const isLeaderTable = (table: string): boolean => (LEADER_TABLES as readonly string[]).includes(table);

/**
 * SQLite's DDL in PostgreSQL's words: the table definitions are written once (schema.ts), so the
 * two stores cannot drift apart. REAL is SQLite's 8-byte float; the outbox id is assigned by the
 * leader's working copy, so PostgreSQL takes it as given rather than from a sequence.
 */
export function postgresDdl(sqlite: string): string {
  return sqlite
    .replace(/\bREAL\b/g, 'DOUBLE PRECISION')
    .replace(/\bid INTEGER PRIMARY KEY AUTOINCREMENT\b/g, 'id BIGINT PRIMARY KEY');
}

function sqliteMigration(version: number): string {
  const migration = MIGRATIONS.find((candidate) => candidate.version === version);
  if (!migration) throw new Error(`no SQLite migration ${version}`);
  return postgresDdl(migration.sql);
}

export const PG_MIGRATIONS: readonly Migration[] = [
  {
    version: 1,
    name: 'every table of the store, versions and the leader lease',
    sql: `${sqliteMigration(2)}
      ALTER TABLE outbox ADD COLUMN IF NOT EXISTS claimed_token BIGINT;
      CREATE TABLE IF NOT EXISTS state_versions (name TEXT PRIMARY KEY, version BIGINT NOT NULL DEFAULT 0);
      CREATE TABLE IF NOT EXISTS leader_lease (
        id INTEGER PRIMARY KEY CHECK (id = 1),
        holder TEXT NOT NULL,
        token BIGINT NOT NULL,
        expires_at TIMESTAMPTZ NOT NULL
      );
      INSERT INTO leader_lease (id, holder, token, expires_at) VALUES (1, '', 0, 'epoch') ON CONFLICT DO NOTHING;
    `,
  },
  { version: 2, name: 'acknowledgements of firing alerts', sql: sqliteMigration(3) },
  { version: 3, name: 'incidents written for status pages, and their updates', sql: sqliteMigration(4) },
  { version: 4, name: "status pages' subscribers and the notices owed to them", sql: sqliteMigration(5) },
];

export const PG_SCHEMA_VERSION = Math.max(...PG_MIGRATIONS.map((migration) => migration.version));

/** Any number: the advisory lock that makes two instances starting at once migrate one at a time. */
export const MIGRATION_LOCK = 7_411_203;
