/**
 * What sharing state on PostgreSQL costs, on this machine's PostgreSQL (127.0.0.1:5432; set
 * PRISMWATCH_BENCH_PG for another), each figure in a fresh database. Prints a Markdown table for
 * docs/benchmarks.md.
 *
 * npm run bench:shared-state
 *   alert state: one evaluation's save of 10,000 alerts (a firing probe each), first and unchanged;
 *   uptime: the periodic save of 10,000 probes' counts;
 *   outbox: notifications committed, claimed under the lease, sent (nowhere) and marked
 *   delivered, end to end through the database, per second;
 *   failover: a leader that stops renewing (as after kill -9) replaced by another, default lease;
 *   and a leader that stops cleanly (hands the lease back).
 */
import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { createLogger } from '../src/log.js';
import type { Notification } from '../src/model/notification.js';
import { SharedState } from '../src/state/shared/shared-store.js';
import { firingAlerts } from './lib.js';

const ADMIN = process.env.PRISMWATCH_BENCH_PG ?? 'postgres://postgres@127.0.0.1:5432/postgres';
const log = createLogger({ level: 'silent' });
const PROBES = 10_000;
let statements = 0;
const metrics = {
  statementsWritten: (count: number) => {
    statements += count;
  },
  transactionSeconds: () => {},
  dropped: () => {},
};

async function admin(sql: string): Promise<void> {
  const client = new pg.Client({ connectionString: ADMIN });
  await client.connect();
  await client.query(sql);
  await client.end();
}

const databases: string[] = [];
async function freshDatabase(): Promise<string> {
  const name = `prismwatch_bench_${randomBytes(4).toString('hex')}`;
  await admin(`CREATE DATABASE ${name}`);
  databases.push(name);
  const url = new URL(ADMIN);
  url.pathname = `/${name}`;
  return url.toString();
}

async function timed(run: () => void, shared: SharedState): Promise<{ ms: number; statements: number }> {
  const before = statements;
  const started = performance.now();
  run();
  await shared.writer.drained();
  return { ms: performance.now() - started, statements: statements - before };
}

const rows: string[] = [];
const row = (what: string, figure: string, note: string) => rows.push(`| ${what} | ${figure} | ${note} |`);

async function alertState(): Promise<void> {
  const shared = await SharedState.open({ url: await freshDatabase(), log, metrics, instance: 'bench' });
  const now = Date.now();
  const first = await timed(() => shared.store.save(firingAlerts(PROBES, now), now), shared);
  row(
    'alert state, first save of 10,000 alerts',
    `${Math.round(first.ms)} ms`,
    `${first.statements} statements`,
  );
  const again = await timed(() => shared.store.save(firingAlerts(PROBES, now), now + 10_000), shared);
  row(
    'alert state, next evaluation (unchanged)',
    `${Math.round(again.ms)} ms`,
    `${again.statements} statements`,
  );
  const uptime = Array.from({ length: PROBES }, (_, i) => [
    `p${i}`,
    { daily: Array.from({ length: 90 }, () => [1000, 999, 0, 0]) },
  ]) as never;
  const saved = await timed(() => shared.store.saveUptime(uptime), shared);
  row(
    'uptime counts of 10,000 probes (every 5 min)',
    `${Math.round(saved.ms)} ms`,
    `${saved.statements} statements`,
  );
  await shared.close(5_000);
  shared.store.close();
}

async function outbox(): Promise<void> {
  const shared = await SharedState.open({ url: await freshDatabase(), log, metrics, instance: 'bench' });
  const count = 2_000;
  const started = performance.now();
  const notifications = shared.store.notifications;
  for (let i = 0; i < count; i++)
    notifications.commit(
      `hooks/webhook/${i % 4}`,
      `g${i}`,
      { firing: [`f${i}`], resolved: [], sentAt: i, repeatSeq: 0 },
      { idempotencyKey: `k${i}`, alerts: [] } as unknown as Notification,
    );
  const heads = notifications.heads();
  // Claims go out together, as delivery's parallel attempts do; each is marked when it returns.
  await Promise.all(
    heads.map(async (head) => {
      if (await shared.writer.claim(head.id)) notifications.markDelivered(head.id, Date.now());
    }),
  );
  await shared.writer.drained();
  const seconds = (performance.now() - started) / 1000;
  row(
    'outbox: commit → claim → delivered',
    `${Math.round(count / seconds).toLocaleString('en-US')} notifications/s`,
    `${count} notifications, ${heads.length} claimed`,
  );
  await shared.close(5_000);
  shared.store.close();
}

async function failover(clean: boolean): Promise<void> {
  const url = await freshDatabase();
  const a = await SharedState.open({ url, log, metrics, instance: 'a' });
  const b = await SharedState.open({ url, log, metrics, instance: 'b' });
  const started = performance.now();
  if (clean) await a.close(1_000);
  // As after kill -9: A's connections go, nothing is handed back.
  else await a.pool.end();
  while (b.leadership.token() === undefined) await new Promise((resolve) => setTimeout(resolve, 20));
  const ms = performance.now() - started;
  row(
    clean ? 'failover, leader stopped cleanly' : 'failover, leader gone without a word (kill -9)',
    `${(ms / 1000).toFixed(1)} s`,
    clean
      ? 'the lease is handed back'
      : `lease ${b.leadership.leaseMs / 1000} s (default), renewed every third`,
  );
  if (!clean) await a.close(0).catch(() => {});
  await b.close(1_000);
  a.store.close();
  b.store.close();
}

/**
 * What a follower pays to keep the leader's incident history: 10,000 incidents and 50,000 delivery
 * records (a busy quarter), reloaded when they change; the reload throttle (sync.ts) spaces the
 * next reload by 20 times this.
 */
async function followerReload(): Promise<void> {
  const url = await freshDatabase();
  const leader = await SharedState.open({ url, log, metrics, instance: 'leader' });
  const follower = await SharedState.open({ url, log, metrics, instance: 'follower' });
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  await client.query(`INSERT INTO incidents (id, alertname, severity, probe, labels, summary, reason, started_at, ended_at)
    SELECT 'i' || n, 'ProbeDown', 'critical', 'p' || (n % 1000), '{"alertname":"ProbeDown"}', 'p is down', 'refused', n * 1000.0, n * 1000.0 + 60000
    FROM generate_series(1, 10000) AS n`);
  await client.query(`INSERT INTO sent_log (incident, integration, status, sent_at)
    SELECT 'i' || (n % 10000), 'oncall/email/0', 'firing', n * 100.0 FROM generate_series(1, 50000) AS n`);
  await client.query(
    "UPDATE state_versions SET version = version + 1 WHERE name IN ('incidents', 'sent_log')",
  );
  await client.query(
    "INSERT INTO state_versions (name, version) VALUES ('incidents', 1), ('sent_log', 1) ON CONFLICT DO NOTHING",
  );
  await client.end();
  const started = performance.now();
  await follower.sync.poll();
  const ms = performance.now() - started;
  row(
    'follower: reload of 10,000 incidents and 50,000 delivery records',
    `${Math.round(ms)} ms`,
    `next reload of them no sooner than ${((20 * ms) / 1000).toFixed(1)} s later (at most 10 s)`,
  );
  await follower.close(1_000);
  await leader.close(1_000);
  follower.store.close();
  leader.store.close();
}

try {
  await alertState();
  await followerReload();
  await outbox();
  await failover(false);
  await failover(true);
  console.log('| what | figure | notes |\n| --- | --- | --- |');
  console.log(rows.join('\n'));
} finally {
  for (const name of databases) await admin(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`).catch(() => {});
}
