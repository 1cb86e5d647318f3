/**
 * The HA acceptance: three `prismwatch run` processes share state on a PostgreSQL server of the
 * test's own. Six sites flap while the leader is killed with SIGKILL and, later, PostgreSQL is
 * restarted. Every notification the instances decided (the outbox rows in the database) reaches
 * the webhook and the email sink; none is lost, and each idempotency key arrives once — a
 * re-send is allowed only for a notification that was in flight at the kill, with the same key.
 */
import { describe, expect, it } from 'vitest';
import { startCli } from '../helpers/cli.js';
import { configDir } from '../helpers/config-dir.js';
import { eventually } from '../helpers/metrics.js';
import { sleep } from '../helpers/notifier.js';
import { query } from '../helpers/postgres.js';
import { privatePostgres } from '../helpers/private-postgres.js';
import { withHttpServer } from '../helpers/servers.js';
import { smtpSink, webhookSink } from '../helpers/sinks.js';

const SITES = 6;

interface Status {
  state: { leading: boolean; databaseUp?: boolean; leader?: { holder: string; token: number } };
}

async function status(base: string): Promise<Status | undefined> {
  try {
    return (await (await fetch(`${base}/api/v1/status`)).json()) as Status;
  } catch {
    return undefined;
  }
}

async function leaderOf(bases: readonly string[]): Promise<string | undefined> {
  const states = await Promise.all(bases.map(status));
  const leading = bases.filter((_, i) => states[i]?.state.leading);
  return leading.length === 1 ? leading[0] : undefined;
}

describe('HA on PostgreSQL', () => {
  it('a killed leader is replaced within 15 s and a restarted database loses nothing: every notification once', async () => {
    const pg = await privatePostgres();
    const hooks = await webhookSink();
    const smtp = await smtpSink();
    const up = Array.from({ length: SITES }, () => true);
    const sites = await Promise.all(
      up.map((_, i) => withHttpServer((_req, res) => res.writeHead(up[i] ? 200 : 500).end())),
    );
    const dir = configDir();
    dir.write(
      'c.yaml',
      `probes:
${sites.map((site, i) => `  - { name: site-${i}, kind: http, url: "${site.url}/", interval: 200ms, timeout: 150ms }`).join('\n')}
rules:
  - { alert: SiteDown, severity: critical, signal: up, op: '==', threshold: 0 }
route:
  receiver: both
  group_by: [alertname, probe]
  group_wait: 100ms
  group_interval: 300ms
  repeat_interval: 1h
receivers:
  - name: both
    webhook_configs: [{ url: "${hooks.url}", timeout: 5s }]
    email_configs: [{ to: oncall@example.test, from: pw@example.test, smarthost: ${smtp.smarthost}, require_tls: false }]
`,
    );
    // The default lease (8 s): the takeover measured is the one operators get.
    const args = ['--config', dir.path, '--state.url', pg.url, '--rules.evaluation-interval', '100ms'];
    const instances = [await startCli(args), await startCli(args), await startCli(args)];
    let bases = instances.map((instance) => instance.baseUrl);
    await eventually(async () => (await leaderOf(bases)) !== undefined);

    // The burst: sites go down and come back, a few at a time, until told to stop.
    let flapping = true;
    const burst = (async () => {
      for (let round = 0; flapping; round++) {
        const site = round % SITES;
        up[site] = !up[site];
        await sleep(150 + ((round * 37) % 400));
      }
    })();

    await eventually(() => hooks.delivered.length >= 8);
    const leader = (await leaderOf(bases))!;
    const victim = instances.find((instance) => instance.baseUrl === leader)!;
    victim.child.kill('SIGKILL');
    const killedAt = Date.now();
    await victim.exited();
    bases = bases.filter((base) => base !== leader);
    await eventually(async () => (await leaderOf(bases)) !== undefined);
    const takeoverMs = Date.now() - killedAt;
    console.log(`takeover after kill -9: ${takeoverMs} ms`);
    expect(takeoverMs).toBeLessThan(15_000);

    // The database restarts while the sites still flap.
    const before = hooks.delivered.length;
    await eventually(() => hooks.delivered.length >= before + 6).catch((error) => {
      // What the survivors last said, for a failure in CI.
      for (const instance of instances.filter((instance) => instance !== victim))
        console.log(
          instance.baseUrl,
          instance.logs
            .slice(-20)
            .map((line) => JSON.stringify(line))
            .join('\n'),
        );
      throw error;
    });
    await pg.stop();
    await sleep(2_000);
    await pg.start();
    await eventually(async () =>
      (await Promise.all(bases.map(status))).every((s) => s?.state.databaseUp === true),
    );
    const afterRestart = hooks.delivered.length;
    await eventually(() => hooks.delivered.length >= afterRestart + 6);

    flapping = false;
    await burst;
    up.fill(true);
    // Settled: nothing queued in the database, every alert resolved, and both sinks have heard
    // every notification the database holds.
    const outbox = async () =>
      query<{ integration: string; payload: string; state: string }>(
        pg.url,
        'SELECT integration, payload, state FROM outbox',
      );
    await eventually(async () => {
      const rows = await outbox();
      if (rows.some((row) => row.state !== 'delivered')) return false;
      const keys = (integration: string) =>
        rows
          .filter((row) => row.integration.includes(integration))
          .map((row) => JSON.parse(row.payload).idempotencyKey as string);
      const hookKeys = new Set(
        hooks.delivered.map((delivery) => String(delivery.headers['idempotency-key'])),
      );
      const mailKeys = new Set(
        smtp.mails.map((mail) => String(mail.headers.get('x-prismwatch-idempotency-key'))),
      );
      const lastWords = Array.from({ length: SITES }, (_, i) =>
        hooks.delivered
          .filter((delivery) => JSON.stringify(delivery.body.groupLabels).includes(`site-${i}"`))
          .at(-1),
      );
      return (
        keys('webhook').every((key) => hookKeys.has(key)) &&
        keys('email').every((key) => mailKeys.has(key)) &&
        lastWords.every((last) => last === undefined || last.body.status === 'resolved')
      );
    }, 120_000);
    const rows = await outbox();
    const decided = (integration: string) =>
      rows
        .filter((row) => row.integration.includes(integration))
        .map((row) => JSON.parse(row.payload).idempotencyKey as string);
    const hookKeys = hooks.delivered.map((delivery) => String(delivery.headers['idempotency-key']));
    const mailKeys = smtp.mails.map((mail) => String(mail.headers.get('x-prismwatch-idempotency-key')));
    // Received = decided, key for key: nothing lost, nothing invented.
    expect(new Set(hookKeys)).toEqual(new Set(decided('webhook')));
    expect(new Set(mailKeys)).toEqual(new Set(decided('email')));
    const repeats = (keys: string[]) => keys.length - new Set(keys).size;
    console.log(
      `notifications: ${decided('webhook').length} webhook, ${decided('email').length} email; re-sent: ${repeats(hookKeys)} webhook, ${repeats(mailKeys)} email`,
    );
    // A re-send happens only for what was in flight when the leader died: at most one per group.
    expect(repeats(hookKeys)).toBeLessThanOrEqual(SITES);
    expect(repeats(mailKeys)).toBeLessThanOrEqual(SITES);
  }, 400_000);
});
