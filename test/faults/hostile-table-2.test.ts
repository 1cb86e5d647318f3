/**
 * The second hardening review's table (issue "Hardening II"), replayed against the real daemon
 * process: each input that once stopped prismwatch, leaked a secret or let a probe reach what it
 * did not show is sent again. The disk-full row lives in disk-full.test.ts, the trickling SMTP
 * row in receiver-sockets.test.ts; the class behind each row has its own test (the route fuzz,
 * the redaction rule, the database URL check).
 */
import { mkdtempSync, readdirSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import { runCli, startCli } from '../helpers/cli.js';
import { configDir } from '../helpers/config-dir.js';
import { eventually } from '../helpers/metrics.js';
import { withHttpServer } from '../helpers/servers.js';

const TOKEN = 'table2-t0ken';
const auth = { authorization: `Bearer ${TOKEN}`, 'content-type': 'application/json' };

describe('the second hardening table, against the running daemon', () => {
  it('refuses oversized bodies without dying, bounds peers, durations and artifacts, and shows no query secret', async () => {
    const target = await withHttpServer((_req, res) => res.end('ok'));
    // A peer whose /api/v1/probes lists 150,000 probes (4.3 MB, under the byte cap).
    const huge = JSON.stringify(
      Array.from({ length: 150_000 }, (_, i) => ({
        name: `p${i}`,
        state: 'up',
      })),
    );
    const peer = await withHttpServer((_req, res) =>
      res.writeHead(200, { 'content-type': 'application/json' }).end(huge),
    );
    const dir = configDir();
    dir.write(
      'probes.yaml',
      `probes:\n  - { name: web, kind: http, url: "${target.url}/?access_code=SECRET-CODE&page=2", interval: 200ms }\n`,
    );
    const dataDir = mkdtempSync(join(tmpdir(), 'prismwatch-table2-'));
    const daemon = await startCli(['--config', dir.path, '--data-dir', dataDir, '--peer', peer.url], {
      PRISMWATCH_API_TOKEN: TOKEN,
    });
    const big = Buffer.alloc(200_000, 0x61);

    // Row 1: bodies over 64 KiB, with and without a token, on pings and every write collection.
    expect((await fetch(`${daemon.baseUrl}/ping/anything`, { method: 'POST', body: big })).status).toBe(413);
    for (const collection of ['silences', 'maintenance', 'announcements']) {
      const answer = await fetch(`${daemon.baseUrl}/api/v1/${collection}`, {
        method: 'POST',
        headers: auth,
        body: big,
      });
      expect(answer.status, collection).toBe(413);
    }
    expect((await fetch(`${daemon.baseUrl}/-/healthy`)).status).toBe(200);

    // Row 3: the huge peer is read, capped, and the page says what it left out.
    let last = '';
    await eventually(
      async () => {
        last = await (await fetch(`${daemon.baseUrl}/`)).text();
        return last.includes('more probes not shown') || undefined;
      },
      60_000,
      500,
    ).catch((error: Error) => {
      const caption = /Each probe as[^<]*/.exec(last)?.[0];
      const peerLogs = daemon.logs.filter((line) => line.component === 'peers');
      throw new Error(`${error.message}; caption: ${caption}; logs: ${JSON.stringify(peerLogs)}`);
    });
    expect(last.length).toBeLessThan(1_500_000);
    const pages = await Promise.all([1, 2, 3].map(() => fetch(`${daemon.baseUrl}/`).then((r) => r.text())));
    for (const page of pages) expect(page.length).toBeLessThan(1_500_000);

    // Row 6: durations over the limit are a 400 naming it, on every collection that takes one.
    for (const [collection, body] of [
      ['announcements', { text: 'x', duration: '99999999999w', createdBy: 't' }],
      [
        'maintenance',
        { matchers: ['probe="web"'], duration: '99999999999w', createdBy: 't', mute: ['ProbeDown'] },
      ],
      ['silences', { matchers: ['probe="web"'], duration: '99999999999w', createdBy: 't', comment: 'c' }],
    ] as const) {
      const answer = await fetch(`${daemon.baseUrl}/api/v1/${collection}`, {
        method: 'POST',
        headers: auth,
        body: JSON.stringify(body),
      });
      expect(answer.status, collection).toBe(400);
      expect(JSON.stringify(await answer.json()), collection).toContain('366d');
    }

    // Row 7: a symbolic link in the artifacts folder is not served.
    const artifacts = join(dataDir, 'artifacts');
    await eventually(() => readdirSync(dataDir).includes('artifacts') || undefined);
    symlinkSync('/etc/passwd', join(artifacts, 'web--20260101000000000-000-shot.png'));
    writeFileSync(join(artifacts, 'planted--20260101000000000-000-x.png'), 'planted');
    expect((await fetch(`${daemon.baseUrl}/artifacts/web--20260101000000000-000-shot.png`)).status).toBe(404);
    expect((await fetch(`${daemon.baseUrl}/artifacts/planted--20260101000000000-000-x.png`)).status).toBe(
      404,
    );

    // Row 8: a query value is shown on no surface, whatever the parameter's name.
    const probes = await (await fetch(`${daemon.baseUrl}/api/v1/probes`)).text();
    const page = await (await fetch(`${daemon.baseUrl}/`)).text();
    for (const surface of [probes, page]) {
      expect(surface).not.toContain('SECRET-CODE');
      expect(surface).toContain('access_code=');
    }
    const cli = await runCli(['probe', '--kind', 'http', `${target.url}/?access_code=SECRET-CODE`]);
    expect(cli.stdout + cli.stderr).not.toContain('SECRET-CODE');
    expect(daemon.logs.map((line) => JSON.stringify(line)).join('\n')).not.toContain('SECRET-CODE');
    expect((await fetch(`${daemon.baseUrl}/-/healthy`)).status).toBe(200);
  }, 240_000);

  it('refuses database URLs that would connect elsewhere than they show, with a located error', async () => {
    const dir = configDir();
    dir.write(
      'probes.yaml',
      `probes:
  - { name: pg, kind: postgres, url: "postgres://u@203.0.113.9/db?host=/run/postgresql" }
  - { name: my, kind: mysql, url: "mysql://u@203.0.113.9/db?socketPath=/run/mysqld/mysqld.sock" }
  - { name: rd, kind: redis, url: "redis://203.0.113.9:6379/0?path=/run/redis.sock" }
  - { name: enc, kind: postgres, url: "postgres://u@%2Frun%2Fpostgresql/db" }
  - { name: pw, kind: postgres, url: "postgres://u:hunter/2-TOPSECRET@db.example:5432/app" }
  - { name: ok, kind: postgres, url: "postgres://u@127.0.0.1/db?host=/run/postgresql", allow_unix_socket: true }
`,
    );
    const { code, stdout, stderr } = await runCli(['check', dir.path]);
    const output = stdout + stderr;
    expect(code).not.toBe(0);
    for (const [line, name] of [
      [2, 'pg'],
      [3, 'my'],
      [4, 'rd'],
      [5, 'enc'],
      [6, 'pw'],
    ] as const) {
      expect(output, name).toMatch(new RegExp(`probes\\.yaml:${line}:\\d+ probes\\[${line - 2}\\]\\.url`));
    }
    expect(output).toContain('allow_unix_socket: true');
    expect(output).not.toMatch(/probes\.yaml:7:\d+/);
    expect(output).not.toContain('TOPSECRET');
  });

  it('quarantines an unreadable row and restores the rest', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'prismwatch-quarantine-'));
    const dir = configDir();
    dir.write('probes.yaml', 'probes:\n  - { name: a, kind: tcp, target: "127.0.0.1:1", interval: 1h }\n');
    const first = await startCli(['--config', dir.path, '--data-dir', dataDir]);
    first.child.kill('SIGTERM');
    await first.exited();
    const db = new Database(join(dataDir, 'prismwatch.db'));
    db.prepare('INSERT INTO uptime (probe, buckets) VALUES (?, ?)').run('broken', '{not json');
    db.prepare('INSERT OR REPLACE INTO slo_state (name, body) VALUES (?, ?)').run('fine', '{}');
    // Rows read later than the start (or by other stores) cost their row only, too.
    const far = Date.now() + 86_400_000;
    db.prepare('INSERT INTO silences VALUES (?, ?, ?, ?, ?, ?)').run('s1', '[broken', 0, far, 't', 'c');
    db.prepare('INSERT INTO maintenance VALUES (?, ?, ?)').run('m1', far, '{"matchers": 7');
    db.prepare(
      "INSERT INTO incidents (id, alertname, severity, probe, labels, summary, reason, started_at) VALUES ('i1', 'ProbeDown', 'critical', 'a', '{oops', 's', 'r', ?)",
    ).run(Date.now());
    db.prepare(
      "INSERT INTO outbox (integration, group_key, payload, created_at, next_attempt_at, state) VALUES ('x/webhook/0', 'g', '{cut', 0, 0, 'queued')",
    ).run();
    db.close();
    const second = await startCli(['--config', dir.path, '--data-dir', dataDir]);
    const metrics = await (await fetch(`${second.baseUrl}/metrics`)).text();
    expect(metrics).toContain('prismwatch_state_rows_quarantined_total 1');
    expect(metrics).toContain('prismwatch_state_resets_total 0');
    expect(second.logs.some((line) => String(line.msg).includes('quarantine table'))).toBe(true);
    const incidents = await fetch(`${second.baseUrl}/api/v1/incidents`);
    expect(incidents.status).toBe(200);
    expect(JSON.stringify(await incidents.json())).toContain('"id":"i1"');
    expect((await fetch(`${second.baseUrl}/`)).status).toBe(200);
    expect(second.logs.some((line) => line.silence === 's1')).toBe(true);
    expect(second.logs.some((line) => line.maintenance === 'm1')).toBe(true);
    second.child.kill('SIGTERM');
    await second.exited();
    const after = new Database(join(dataDir, 'prismwatch.db'), { readonly: true });
    expect(after.prepare('SELECT source, key FROM quarantine').all()).toEqual([
      { source: 'uptime', key: 'broken' },
    ]);
    after.close();
  });
});
