/**
 * The shared store's parts against the local PostgreSQL: statements captured from the SQLite
 * working copy and translated, migrations, the lease and its fencing, and `state copy`.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { createLogger } from '../../src/log.js';
import { inlineChunks } from '../../src/state/shared/inline-sql.js';
import { translate, WriteMirror } from '../../src/state/shared/mirror.js';
import { migratePg } from '../../src/state/shared/pg-migrate.js';
import { openPool, redactUrl } from '../../src/state/shared/pg-pool.js';
import { PG_SCHEMA_VERSION } from '../../src/state/shared/pg-schema.js';
import { SharedState } from '../../src/state/shared/shared-store.js';
import { StateStore } from '../../src/state/store.js';
import { runCli } from '../helpers/cli.js';
import { eventually } from '../helpers/metrics.js';
import { freshDatabase, query } from '../helpers/postgres.js';

const log = createLogger({ level: 'silent' });
const metrics = { statementsWritten: () => {}, transactionSeconds: () => {}, dropped: () => {} };

describe('statement capture', () => {
  it('translates placeholders, named parameters and the outbox id', () => {
    expect(translate('UPDATE outbox SET attempts = attempts + ? WHERE id = ?', [1, 7])).toEqual({
      table: 'outbox',
      text: 'UPDATE outbox SET attempts = attempts + $1 WHERE id = $2',
      params: [1, 7],
    });
    expect(
      translate('INSERT INTO announcements (id, text) VALUES (@id, @text)', [{ text: 't', id: 'a' }]),
    ).toEqual({
      table: 'announcements',
      text: 'INSERT INTO announcements (id, text) VALUES ($1, $2)',
      params: ['a', 't'],
    });
    expect(translate("INSERT INTO outbox (integration, state) VALUES (?, 'queued')", ['hooks'], 12n)).toEqual(
      {
        table: 'outbox',
        text: "INSERT INTO outbox (id, integration, state) VALUES ($1, $2, 'queued')",
        params: [12, 'hooks'],
      },
    );
    expect(() => translate('SELECT 1', [])).toThrow(/not a write/);
    expect(() => translate('DELETE FROM meta WHERE key = ?', [])).toThrow(/1 placeholders and 0 values/);
  });

  it('numbers any count of placeholders in order, whatever the values', () => {
    fc.assert(
      fc.property(
        fc.array(fc.oneof(fc.string(), fc.double(), fc.constant(null)), { maxLength: 30 }),
        (values) => {
          const sql = `UPDATE meta SET value = value WHERE ${values.map(() => 'key = ?').join(' OR ') || 'true'}`;
          const out = translate(sql, values);
          expect(out.params).toEqual(values);
          expect(out.text.match(/\$\d+/g) ?? []).toEqual(values.map((_, i) => `$${i + 1}`));
        },
      ),
    );
  });

  it('hands over committed transactions only, one batch each', () => {
    const batches: string[][] = [];
    const mirror = new WriteMirror(new Database(':memory:'), (batch) =>
      batches.push(batch.map((s) => s.text)),
    );
    const store = new StateStore(undefined, mirror.db);
    mirror.paused = false;
    store.save([], 1_000);
    store.saveSlos({ a: { n: 1 } });
    expect(batches).toEqual([
      [
        'INSERT INTO meta (key, value) VALUES ($1, $2) ON CONFLICT (key) DO UPDATE SET value = excluded.value',
      ],
      ['DELETE FROM slo_state', 'INSERT INTO slo_state (name, body) VALUES ($1, $2)'],
    ]);
    expect(() =>
      mirror.db.transaction(() => {
        mirror.db.prepare('INSERT INTO uptime (probe, buckets) VALUES (?, ?)').run('p', '{}');
        throw new Error('rolled back');
      })(),
    ).toThrow('rolled back');
    expect(batches).toHaveLength(2);
  });
});

describe('statements with their values written in', () => {
  it('reads back every string and number exactly as bound parameters would', async () => {
    const url = await freshDatabase();
    const pool = await openPool(url, 1);
    const client = await pool.connect();
    try {
      await client.query('CREATE TABLE t (n INTEGER, s TEXT, d DOUBLE PRECISION)');
      await fc.assert(
        fc.asyncProperty(
          fc.array(
            fc.record({
              // PostgreSQL text cannot hold NUL, bound or not; everything else can.
              s: fc.option(
                fc.string({ unit: 'binary' }).map((text) => text.replaceAll('\0', '')),
                { nil: null },
              ),
              d: fc.option(
                fc.double({ noDefaultInfinity: false }).filter((x) => !Object.is(x, -0)),
                { nil: null },
              ),
            }),
            { minLength: 1, maxLength: 20 },
          ),
          async (rows) => {
            await client.query('TRUNCATE t');
            const statements = rows.map((row, n) => ({
              table: 't',
              text: 'INSERT INTO t (n, s, d) VALUES ($1, $2, $3)',
              params: [n, row.s, row.d],
            }));
            for (const chunk of inlineChunks(statements, (text) => client.escapeLiteral(text), 200))
              await client.query(chunk);
            const back = (
              await client.query<{ s: string | null; d: number | null }>('SELECT s, d FROM t ORDER BY n')
            ).rows;
            expect(back).toEqual(rows.map((row) => ({ s: row.s, d: row.d })));
          },
        ),
        { numRuns: 60 },
      );
    } finally {
      client.release();
      await pool.end();
    }
  });
});

describe('PostgreSQL schema', () => {
  it('migrates a fresh database once, and refuses one written by a newer prismwatch', async () => {
    const url = await freshDatabase();
    const pool = await openPool(url, 1);
    try {
      expect(await migratePg(pool, 'db')).toEqual({ from: 0, to: PG_SCHEMA_VERSION });
      expect(await migratePg(pool, 'db')).toEqual({ from: PG_SCHEMA_VERSION, to: PG_SCHEMA_VERSION });
      await pool.query('INSERT INTO prismwatch_schema (version) VALUES (99)');
      await expect(migratePg(pool, 'db')).rejects.toThrow(/written by a newer prismwatch \(schema 99/);
    } finally {
      await pool.end();
    }
  });
});

describe('the URL in logs and errors', () => {
  it('never shows the password, whatever it and the rest of the URL hold', () => {
    const part = fc.string({ minLength: 1, maxLength: 20 });
    fc.assert(
      fc.property(part, part, part, (user, password, database) => {
        const url = `postgres://${encodeURIComponent(user)}:${encodeURIComponent(password)}@db.example:5432/${encodeURIComponent(database)}?password=${encodeURIComponent(password)}&sslmode=require`;
        const shown = redactUrl(url);
        expect(shown).not.toContain(`:${encodeURIComponent(password)}@`);
        expect(shown).not.toContain(`password=${encodeURIComponent(password)}&`);
        expect(shown).toContain('sslmode=require');
      }),
    );
    expect(redactUrl('postgres://[not a url')).toBe('an unparseable state URL');
  });
});

describe('opening', () => {
  it('names the database with its password masked when it cannot be opened', async () => {
    const error = await SharedState.open({
      url: 'postgres://nobody:hunter2-secret@127.0.0.1:5432/prismwatch_nowhere',
      log,
      metrics,
    }).catch((caught: Error) => caught);
    expect(error).toBeInstanceOf(Error);
    expect(String(error)).toContain(
      'cannot open the state database postgres://nobody:***@127.0.0.1:5432/prismwatch_nowhere',
    );
    expect(String(error)).not.toContain('hunter2');
  });
});

describe('leadership', () => {
  it('fences a former leader: once another holds the lease, its claims and writes are refused', async () => {
    const url = await freshDatabase();
    // A renews only every 10 s: between two renewals it is as good as paused.
    const a = await SharedState.open({ url, log, metrics, leaseMs: 30_000, instance: 'a' });
    const b = await SharedState.open({ url, log, metrics, leaseMs: 1_000, instance: 'b' });
    try {
      expect(a.leadership.token()).toBeDefined();
      expect(b.leadership.token()).toBeUndefined();
      a.store.notifications.commit('hooks', 'g', { firing: ['x'], resolved: [], sentAt: 1, repeatSeq: 0 }, {
        idempotencyKey: 'k',
        alerts: [],
      } as never);
      await a.writer.drained();
      const [row] = await query<{ id: number }>(url, 'SELECT id FROM outbox');
      expect(row).toBeDefined();
      // A is paused past its lease (its renewals stop reaching the database); B takes over.
      await query(url, "UPDATE leader_lease SET expires_at = now() - interval '1 second'");
      await eventually(() => b.leadership.token() !== undefined);
      // A has not noticed yet, or has: either way the database refuses its claim.
      expect(await a.writer.claim(Number(row!.id))).toBe(false);
      expect(await b.writer.claim(Number(row!.id))).toBe(true);
      // Nor does its alert state land: the fenced transaction rolls back.
      a.store.save([], 5);
      await a.writer.drained();
      expect(await query(url, "SELECT value FROM meta WHERE key = 'last_evaluation_at'")).not.toContainEqual({
        value: '5',
      });
      expect(a.leadership.token()).toBeUndefined();
      const [claimed] = await query<{ claimed_token: string }>(url, 'SELECT claimed_token FROM outbox');
      expect(Number(claimed!.claimed_token)).toBe(b.leadership.token());
    } finally {
      await a.close(1_000);
      await b.close(1_000);
      a.store.close();
      b.store.close();
    }
  });
});

describe('prismwatch state copy', () => {
  it('moves a SQLite installation to PostgreSQL and back with every row, and refuses to overwrite', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'prismwatch-copy-'));
    const store = new StateStore(dataDir);
    store.save(
      [
        {
          fingerprint: 'f1',
          rule: 'SiteDown',
          probe: 'web',
          labels: { alertname: 'SiteDown' },
          annotations: {},
          state: 'firing',
          value: 0,
          activeAt: 1,
          firedAt: 2,
        },
      ],
      3,
    );
    store.notifications.commit('hooks', 'g', { firing: ['f1'], resolved: [], sentAt: 4, repeatSeq: 0 }, {
      idempotencyKey: 'k1',
      alerts: [],
    } as never);
    store.maintenance.save('w1', 10, '{"id":"w1"}');
    store.close();
    const url = await freshDatabase();

    const copied = await runCli(['state', 'copy', '--from', `sqlite:${dataDir}`, '--to', url]);
    expect(copied.stderr).toBe('');
    expect(copied.code).toBe(0);
    expect(copied.stdout).toMatch(/^copied \d+ rows from sqlite:/);
    expect(await query(url, 'SELECT fingerprint, state, fired_at FROM alerts')).toEqual([
      { fingerprint: 'f1', state: 'firing', fired_at: 2 },
    ]);
    expect(await query(url, 'SELECT id::int AS id, integration, state FROM outbox')).toEqual([
      { id: 1, integration: 'hooks', state: 'queued' },
    ]);

    const again = await runCli(['state', 'copy', '--from', `sqlite:${dataDir}`, '--to', url]);
    expect(again.code).toBe(2);
    expect(again.stderr).toMatch(/already holds \d+ rows of state; copy with --replace/);

    const back = mkdtempSync(join(tmpdir(), 'prismwatch-copy-back-'));
    expect((await runCli(['state', 'copy', '--from', url, '--to', `sqlite:${back}`])).code).toBe(0);
    const returned = new StateStore(back);
    expect(returned.load().alerts.map((alert) => alert.fingerprint)).toEqual(['f1']);
    expect(returned.notifications.heads().map((row) => row.id)).toEqual([1]);
    expect(returned.maintenance.all()).toEqual([{ id: 'w1', body: '{"id":"w1"}' }]);
    returned.close();

    const migrated = await runCli(['state', 'migrate', url]);
    expect(migrated.stdout).toContain(`schema ${PG_SCHEMA_VERSION}, nothing to migrate`);
    const fresh = mkdtempSync(join(tmpdir(), 'prismwatch-migrate-'));
    expect((await runCli(['state', 'migrate', `sqlite:${fresh}`])).stdout).toMatch(
      /^sqlite:.*: migrated from schema 0 to \d+\n$/,
    );
    expect((await runCli(['state', 'migrate', `sqlite:${fresh}`])).stdout).toMatch(/nothing to migrate/);
    const unreachable = await runCli([
      'run',
      '--state.url',
      'postgres://me:pa55word@127.0.0.1:1/x',
      '--config',
      dataDir,
    ]);
    expect(unreachable.code).toBe(1);
    expect(unreachable.stderr).toContain('cannot open the state database postgres://me:***@127.0.0.1:1/x');
    expect(unreachable.stderr + unreachable.stdout).not.toContain('pa55word');
    const bad = await runCli(['state', 'copy', '--from', 'mysql://x', '--to', url]);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain('a store is "sqlite:<data directory>" or "postgres://…"');
  });
});
