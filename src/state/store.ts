/**
 * The one place that touches disk: alert state in SQLite (WAL, synchronous=FULL) in the data
 * directory. Each evaluation's outcome is committed in one transaction before anything acts on
 * it, so a crash never leaves half an evaluation, and a restart resumes exactly where it stopped.
 */
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import type { Alert, AlertState } from '../model/alert.js';
import type { KindStore } from '../probers/definition.js';
import type { UptimeSnapshot } from '../results/uptime.js';
import { sqliteKindStore } from './kind-store.js';
import { MaintenanceStore } from './maintenance-store.js';
import { NotifyStore } from './notification-store.js';
import type { MaintenanceRepository, NotificationRepository, Store } from './repositories.js';
import { MIGRATIONS, SCHEMA_VERSION } from './schema.js';

/** The value if it is a JSON object (not an array or a scalar); throws otherwise. */
function object(value: unknown): Record<string, unknown> {
  if (!value || typeof value !== 'object' || Array.isArray(value)) throw new Error('expected a JSON object');
  return value as Record<string, unknown>;
}

function stringRecord(value: unknown): Record<string, string> {
  const record = object(value);
  if (!Object.values(record).every((entry) => typeof entry === 'string'))
    throw new Error('expected an object of strings');
  return record as Record<string, string>;
}

export interface StoredState {
  readonly alerts: Alert[];
  /** Epoch ms of the last evaluation written, or undefined for a new store. */
  readonly lastEvaluationAt?: number;
}

interface AlertRow {
  fingerprint: string;
  rule: string;
  probe: string;
  labels: string;
  annotations: string;
  state: string;
  value: number;
  active_at: number;
  fired_at: number | null;
  resolved_at: number | null;
  keep_firing_since: number | null;
}

/** A row that could not be read back: moved to the `quarantine` table, reported, and skipped. */
export interface QuarantinedRow {
  readonly source: string;
  readonly key: string;
  readonly reason: string;
}

export class StateStore implements Store {
  /** Rows set aside while loading (a corrupt JSON cell): one bad row costs that row, not the file. */
  readonly quarantined: QuarantinedRow[] = [];
  /** Every repository shares it: one file, one WAL, one fsync per commit. */
  readonly db: Database.Database;
  /** Outbox, notification log, delivery log and API silences (notification-store.ts). */
  readonly notifications: NotificationRepository;
  readonly maintenance: MaintenanceRepository;
  private readonly upsert: Database.Statement;
  /** Each alert row as last saved (its JSON), to skip writing rows that did not change. */
  private savedAlerts = new Map<string, string>();
  private readonly setMeta: Database.Statement;

  /** Without a data directory the state lives in memory: same code path, nothing survives a restart. */
  /** `db`: a handle made elsewhere (the shared store's in-memory working copy, state/shared/). */
  constructor(
    readonly dataDir?: string,
    db?: Database.Database,
  ) {
    if (dataDir) mkdirSync(dataDir, { recursive: true });
    this.db = db ?? new Database(dataDir ? join(dataDir, 'prismwatch.db') : ':memory:');
    if (!db) {
      this.db.pragma('journal_mode = WAL');
      // FULL: a committed evaluation survives power loss, not only a process crash.
      this.db.pragma('synchronous = FULL');
    }
    this.db.exec('CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL)');
    this.setMeta = this.db.prepare(
      'INSERT INTO meta (key, value) VALUES (?, ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value',
    );
    this.migrate(dataDir);
    this.notifications = new NotifyStore(this.db);
    this.maintenance = new MaintenanceStore(this.db);
    this.upsert = this.db.prepare(`
      INSERT INTO alerts (fingerprint, rule, probe, labels, annotations, state, value, active_at, fired_at, resolved_at, keep_firing_since)
      VALUES (@fingerprint, @rule, @probe, @labels, @annotations, @state, @value, @active_at, @fired_at, @resolved_at, @keep_firing_since)
      ON CONFLICT (fingerprint) DO UPDATE SET
        annotations = excluded.annotations, state = excluded.state, value = excluded.value, active_at = excluded.active_at,
        fired_at = excluded.fired_at, resolved_at = excluded.resolved_at, keep_firing_since = excluded.keep_firing_since`);
  }

  /** Runs the migrations this store has not had yet (schema.ts), each in its own transaction. */
  private migrate(dataDir: string | undefined): void {
    const row = this.db.prepare("SELECT value FROM meta WHERE key = 'schema_version'").get() as
      | { value: string }
      | undefined;
    const version = row ? Number(row.value) : 0;
    if (version > SCHEMA_VERSION) {
      throw new Error(
        `${join(dataDir ?? '', 'prismwatch.db')} was written by a newer prismwatch (schema ${version}; this one knows up to ${SCHEMA_VERSION})`,
      );
    }
    for (const migration of MIGRATIONS) {
      if (migration.version <= version) continue;
      this.db.transaction(() => {
        this.db.exec(migration.sql);
        this.setMeta.run('schema_version', String(migration.version));
      })();
    }
  }

  load(): StoredState {
    const rows = this.db.prepare('SELECT * FROM alerts').all() as AlertRow[];
    const last = this.db.prepare("SELECT value FROM meta WHERE key = 'last_evaluation_at'").get() as
      | { value: string }
      | undefined;
    const alerts = this.readable(
      'alerts',
      'fingerprint',
      rows,
      (row) => row.fingerprint,
      (row): Alert => ({
        fingerprint: row.fingerprint,
        rule: row.rule,
        probe: row.probe,
        labels: stringRecord(JSON.parse(row.labels)),
        annotations: stringRecord(JSON.parse(row.annotations)),
        state: row.state as AlertState,
        value: row.value,
        activeAt: row.active_at,
        ...(row.fired_at === null ? {} : { firedAt: row.fired_at }),
        ...(row.resolved_at === null ? {} : { resolvedAt: row.resolved_at }),
        ...(row.keep_firing_since === null ? {} : { keepFiringSince: row.keep_firing_since }),
      }),
    );
    return last ? { alerts, lastEvaluationAt: Number(last.value) } : { alerts };
  }

  /**
   * Replaces the stored alerts with `alerts` and records the evaluation time, atomically. Rows
   * that did not change since the last save are not written again: at 10,000 alerts an evaluation
   * was 10,000 upserts (and, with a shared database, 10,000 round trips) to say nothing new.
   */
  save(alerts: readonly Alert[], evaluatedAt: number): void {
    const rows = alerts.map((alert) => ({
      fingerprint: alert.fingerprint,
      rule: alert.rule,
      probe: alert.probe,
      labels: JSON.stringify(alert.labels),
      annotations: JSON.stringify(alert.annotations),
      state: alert.state,
      value: Number.isFinite(alert.value) ? alert.value : 0,
      active_at: alert.activeAt,
      fired_at: alert.firedAt ?? null,
      resolved_at: alert.resolvedAt ?? null,
      keep_firing_since: alert.keepFiringSince ?? null,
    }));
    const texts = new Map(rows.map((row) => [row.fingerprint, JSON.stringify(row)]));
    this.db.transaction(() => {
      for (const { fingerprint } of this.db.prepare('SELECT fingerprint FROM alerts').all() as Array<{
        fingerprint: string;
      }>) {
        if (!texts.has(fingerprint))
          this.db.prepare('DELETE FROM alerts WHERE fingerprint = ?').run(fingerprint);
      }
      for (const row of rows)
        if (this.savedAlerts.get(row.fingerprint) !== texts.get(row.fingerprint)) this.upsert.run(row);
      this.setMeta.run('last_evaluation_at', String(evaluatedAt));
    })();
    // Only once committed: a save that failed is written whole next time.
    this.savedAlerts = texts;
  }

  /** The alerts table was written from elsewhere (a shared store's reload): the next save writes every row. */
  forgetSavedAlerts(): void {
    this.savedAlerts = new Map();
  }

  /** Uptime counts of every probe, replacing what was saved (removed probes are forgotten). */
  saveUptime(entries: ReadonlyArray<[string, UptimeSnapshot]>): void {
    const insert = this.db.prepare('INSERT INTO uptime (probe, buckets) VALUES (?, ?)');
    this.db.transaction(() => {
      this.db.prepare('DELETE FROM uptime').run();
      for (const [probe, snapshot] of entries) insert.run(probe, JSON.stringify(snapshot));
    })();
  }

  loadUptime(): Array<[string, UptimeSnapshot]> {
    const rows = this.db.prepare('SELECT probe, buckets FROM uptime').all() as Array<{
      probe: string;
      buckets: string;
    }>;
    return this.readable(
      'uptime',
      'probe',
      rows,
      (row) => row.probe,
      (row): [string, UptimeSnapshot] => [
        row.probe,
        object(JSON.parse(row.buckets)) as unknown as UptimeSnapshot,
      ],
    );
  }

  saveSlos(snapshots: Readonly<Record<string, unknown>>): void {
    const insert = this.db.prepare('INSERT INTO slo_state (name, body) VALUES (?, ?)');
    this.db.transaction(() => {
      this.db.prepare('DELETE FROM slo_state').run();
      for (const [name, snapshot] of Object.entries(snapshots)) insert.run(name, JSON.stringify(snapshot));
    })();
  }

  loadSlos(): Record<string, unknown> {
    const rows = this.db.prepare('SELECT name, body FROM slo_state').all() as Array<{
      name: string;
      body: string;
    }>;
    return Object.fromEntries(
      this.readable(
        'slo_state',
        'name',
        rows,
        (row) => row.name,
        (row) => [row.name, object(JSON.parse(row.body))],
      ),
    );
  }

  /**
   * Each row read through `read`; a row it cannot read is moved to the quarantine table (its body
   * kept for a person) and reported in `quarantined`, and the rest load. Before, one unreadable
   * JSON cell moved the whole database aside.
   */
  private readable<Row extends object, T>(
    source: string,
    keyColumn: string,
    rows: readonly Row[],
    keyOf: (row: Row) => string,
    read: (row: Row) => T,
  ): T[] {
    const out: T[] = [];
    for (const row of rows) {
      try {
        out.push(read(row));
      } catch (error) {
        const key = keyOf(row);
        const reason = error instanceof Error ? error.message : String(error);
        this.quarantined.push({ source, key, reason });
        try {
          this.db.transaction(() => {
            this.db
              .prepare('INSERT INTO quarantine (source, key, body, reason, at) VALUES (?, ?, ?, ?, ?)')
              .run(source, key, JSON.stringify(row), reason, Date.now());
            this.db.prepare(`DELETE FROM ${source} WHERE ${keyColumn} = ?`).run(key);
          })();
        } catch {
          // A read-only or full disk: the row stays where it is, skipped again at the next start.
        }
      }
    }
    return out;
  }

  kindStore(kind: string, onWriteError: (error: unknown) => void): KindStore {
    return sqliteKindStore(this.db, kind, onWriteError);
  }

  close(): void {
    this.db.close();
  }
}
