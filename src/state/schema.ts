/**
 * Every table prismwatch keeps, in one numbered list of migrations: the only DDL in the tree.
 * A store records the highest migration it has run as `meta.schema_version`; opening one runs
 * what is missing, in order, each in its own transaction, and refuses a store written by a newer
 * prismwatch (its tables may mean something this version does not know).
 *
 * Version 1 was the scheme before this list: each module created its own tables at start with
 * CREATE IF NOT EXISTS and the file said "1". Migration 2 is that same set, written once, so a
 * store at 1 gains whatever table its prismwatch did not have yet and loses nothing.
 *
 * This is SQLite's DDL (`INTEGER PRIMARY KEY AUTOINCREMENT`, `IF NOT EXISTS`); the shared store
 * translates it for PostgreSQL (shared/pg-schema.ts), so a table is defined once for both. What callers may rely on is in repositories.ts, not here: REAL epoch
 * milliseconds and TEXT JSON are the only column conventions they see.
 */
export interface Migration {
  readonly version: number;
  readonly name: string;
  readonly sql: string;
}

export const MIGRATIONS: readonly Migration[] = [
  {
    version: 2,
    name: 'one schema for every table',
    sql: `
      CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
      CREATE TABLE IF NOT EXISTS uptime (probe TEXT PRIMARY KEY, buckets TEXT NOT NULL);
      CREATE TABLE IF NOT EXISTS slo_state (name TEXT PRIMARY KEY, body TEXT NOT NULL);
      CREATE TABLE IF NOT EXISTS kind_state (
        kind TEXT NOT NULL, key TEXT NOT NULL, value TEXT NOT NULL, PRIMARY KEY (kind, key)
      );
      CREATE TABLE IF NOT EXISTS quarantine (
        source TEXT NOT NULL, key TEXT NOT NULL, body TEXT NOT NULL, reason TEXT NOT NULL, at REAL NOT NULL
      );
      CREATE TABLE IF NOT EXISTS alerts (
        fingerprint TEXT PRIMARY KEY,
        rule TEXT NOT NULL,
        probe TEXT NOT NULL,
        labels TEXT NOT NULL,
        annotations TEXT NOT NULL,
        state TEXT NOT NULL CHECK (state IN ('pending', 'firing', 'resolved')),
        value REAL NOT NULL,
        active_at REAL NOT NULL,
        fired_at REAL,
        resolved_at REAL,
        keep_firing_since REAL
      );
      CREATE TABLE IF NOT EXISTS nflog (
        integration TEXT NOT NULL,
        group_key TEXT NOT NULL,
        firing TEXT NOT NULL,
        resolved TEXT NOT NULL,
        sent_at REAL NOT NULL,
        repeat_seq INTEGER NOT NULL DEFAULT 0,
        PRIMARY KEY (integration, group_key)
      );
      CREATE TABLE IF NOT EXISTS outbox (
        id INTEGER PRIMARY KEY AUTOINCREMENT,
        integration TEXT NOT NULL,
        group_key TEXT NOT NULL,
        payload TEXT NOT NULL,
        created_at REAL NOT NULL,
        attempts INTEGER NOT NULL DEFAULT 0,
        next_attempt_at REAL NOT NULL,
        last_error TEXT,
        state TEXT NOT NULL CHECK (state IN ('queued', 'delivered', 'failed')),
        finished_at REAL
      );
      CREATE INDEX IF NOT EXISTS outbox_by_state ON outbox (state, integration, id);
      CREATE TABLE IF NOT EXISTS sent_log (
        incident TEXT NOT NULL,
        integration TEXT NOT NULL,
        status TEXT NOT NULL,
        sent_at REAL NOT NULL
      );
      CREATE INDEX IF NOT EXISTS sent_log_by_incident ON sent_log (incident);
      CREATE TABLE IF NOT EXISTS silences (
        id TEXT PRIMARY KEY,
        matchers TEXT NOT NULL,
        starts_at REAL NOT NULL,
        ends_at REAL NOT NULL,
        created_by TEXT NOT NULL,
        comment TEXT NOT NULL
      );
      CREATE TABLE IF NOT EXISTS maintenance (id TEXT PRIMARY KEY, ends_at REAL NOT NULL, body TEXT NOT NULL);
      CREATE TABLE IF NOT EXISTS incidents (
        id TEXT PRIMARY KEY,
        alertname TEXT NOT NULL,
        severity TEXT NOT NULL,
        probe TEXT NOT NULL,
        labels TEXT NOT NULL,
        summary TEXT NOT NULL,
        reason TEXT NOT NULL,
        started_at REAL NOT NULL,
        first_failure_at REAL,
        ended_at REAL,
        closed_by_reload INTEGER NOT NULL DEFAULT 0
      );
      CREATE INDEX IF NOT EXISTS incidents_by_start ON incidents (started_at);
      CREATE TABLE IF NOT EXISTS announcements (
        id TEXT PRIMARY KEY, text TEXT NOT NULL, severity TEXT NOT NULL, created_by TEXT NOT NULL,
        created_at REAL NOT NULL, expires_at REAL NOT NULL
      );
    `,
  },
  {
    version: 3,
    name: 'acknowledgements of firing alerts',
    sql: `
      CREATE TABLE IF NOT EXISTS acknowledgements (
        incident TEXT PRIMARY KEY,
        fingerprint TEXT NOT NULL,
        fired_at REAL NOT NULL,
        acknowledged_by TEXT NOT NULL,
        acknowledged_at REAL NOT NULL,
        comment TEXT NOT NULL,
        via TEXT NOT NULL,
        origin TEXT NOT NULL
      );
      CREATE INDEX IF NOT EXISTS acknowledgements_by_time ON acknowledgements (acknowledged_at);
    `,
  },
  {
    version: 4,
    name: 'incidents written for status pages, and their updates',
    sql: `
      CREATE TABLE IF NOT EXISTS status_incidents (
        id TEXT PRIMARY KEY,
        title TEXT NOT NULL,
        impact TEXT NOT NULL,
        components TEXT NOT NULL,
        alert_incident TEXT NOT NULL,
        created_at REAL NOT NULL,
        resolved_at REAL,
        postmortem TEXT NOT NULL
      );
      CREATE INDEX IF NOT EXISTS status_incidents_by_start ON status_incidents (created_at);
      CREATE TABLE IF NOT EXISTS status_incident_updates (
        id TEXT PRIMARY KEY,
        incident TEXT NOT NULL,
        state TEXT NOT NULL,
        body TEXT NOT NULL,
        created_by TEXT NOT NULL,
        at REAL NOT NULL
      );
      CREATE INDEX IF NOT EXISTS status_incident_updates_by_incident ON status_incident_updates (incident, at);
    `,
  },
  {
    version: 5,
    name: "status pages' subscribers and the notices owed to them",
    sql: `
      CREATE TABLE IF NOT EXISTS subscribers (
        id TEXT PRIMARY KEY,
        page TEXT NOT NULL,
        kind TEXT NOT NULL,
        address TEXT NOT NULL,
        secret TEXT NOT NULL,
        created_at REAL NOT NULL,
        confirmed_at REAL,
        UNIQUE (page, kind, address)
      );
      CREATE TABLE IF NOT EXISTS subscriber_notices (
        id TEXT PRIMARY KEY,
        subscriber TEXT NOT NULL,
        event TEXT NOT NULL,
        payload TEXT NOT NULL,
        state TEXT NOT NULL,
        attempts INTEGER NOT NULL DEFAULT 0,
        next_attempt_at REAL NOT NULL,
        last_error TEXT,
        created_at REAL NOT NULL,
        finished_at REAL,
        UNIQUE (subscriber, event)
      );
      CREATE INDEX IF NOT EXISTS subscriber_notices_due ON subscriber_notices (state, next_attempt_at);
    `,
  },
];

/** The version a store has once every migration here has run. */
export const SCHEMA_VERSION = Math.max(...MIGRATIONS.map((migration) => migration.version));
