/**
 * One migration list for every table (src/state/schema.ts): a new store gets them all, a store
 * from the earlier scheme (schema_version 1, tables made by each module) upgrades in place and
 * keeps its rows, a store at version 2 gains the acknowledgements table, and a store from a newer
 * prismwatch is refused rather than misread.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import { SCHEMA_VERSION } from '../../src/state/schema.js';
import { StateStore } from '../../src/state/store.js';

const TABLES = [
  'acknowledgements',
  'alerts',
  'announcements',
  'incidents',
  'kind_state',
  'maintenance',
  'meta',
  'nflog',
  'outbox',
  'quarantine',
  'sent_log',
  'silences',
  'slo_state',
  'status_incident_updates',
  'status_incidents',
  'subscriber_notices',
  'subscribers',
  'uptime',
];

function tablesOf(db: Database.Database): string[] {
  return (
    db
      .prepare("SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'")
      .all() as Array<{
      name: string;
    }>
  )
    .map((row) => row.name)
    .sort();
}

const versionOf = (db: Database.Database) =>
  Number(
    (db.prepare("SELECT value FROM meta WHERE key = 'schema_version'").get() as { value: string }).value,
  );

describe('state store migrations', () => {
  it('give a new store every table, at the current version', () => {
    const store = new StateStore();
    expect(tablesOf(store.db)).toEqual(TABLES);
    expect(versionOf(store.db)).toBe(SCHEMA_VERSION);
    store.close();
  });

  it('upgrade a store of the earlier scheme in place, keeping its rows', () => {
    const dir = mkdtempSync(join(tmpdir(), 'prismwatch-migrate-'));
    const old = new Database(join(dir, 'prismwatch.db'));
    old.exec(`
      CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
      INSERT INTO meta VALUES ('schema_version', '1');
      CREATE TABLE uptime (probe TEXT PRIMARY KEY, buckets TEXT NOT NULL);
      INSERT INTO uptime VALUES ('api', '{"hourly":[],"daily":[]}');
    `);
    old.close();
    const store = new StateStore(dir);
    expect(tablesOf(store.db)).toEqual(TABLES);
    expect(versionOf(store.db)).toBe(SCHEMA_VERSION);
    expect(store.loadUptime().map(([probe]) => probe)).toEqual(['api']);
    store.close();
  });

  it('add the tables since to a store at version 2, keeping its incidents', () => {
    const dir = mkdtempSync(join(tmpdir(), 'prismwatch-migrate-'));
    const first = new StateStore(dir);
    first.db.exec(
      "DROP TABLE acknowledgements; DROP TABLE status_incidents; DROP TABLE status_incident_updates; DROP TABLE subscribers; DROP TABLE subscriber_notices; UPDATE meta SET value = '2' WHERE key = 'schema_version'",
    );
    first.db
      .prepare(
        "INSERT INTO incidents (id, alertname, severity, probe, labels, summary, reason, started_at) VALUES ('a@t', 'ProbeDown', 'critical', 'api', '{}', '', '', 1)",
      )
      .run();
    first.close();
    const store = new StateStore(dir);
    expect(tablesOf(store.db)).toEqual(TABLES);
    expect(versionOf(store.db)).toBe(SCHEMA_VERSION);
    expect(store.db.prepare('SELECT id FROM incidents').all()).toEqual([{ id: 'a@t' }]);
    store.close();
  });

  it('refuse a store written by a newer prismwatch, naming the file and both versions', () => {
    const dir = mkdtempSync(join(tmpdir(), 'prismwatch-migrate-'));
    const newer = new Database(join(dir, 'prismwatch.db'));
    newer.exec(`CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
      INSERT INTO meta VALUES ('schema_version', '99');`);
    newer.close();
    expect(() => new StateStore(dir)).toThrow(
      new RegExp(
        `prismwatch\\.db was written by a newer prismwatch \\(schema 99; this one knows up to ${SCHEMA_VERSION}\\)`,
      ),
    );
  });
});
