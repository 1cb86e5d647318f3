/**
 * Who watches the watcher: the heartbeat pings a loopback healthchecks-style receiver every
 * interval, says /fail with the reason when prismwatch is unhealthy, and a prismwatch killed with
 * SIGKILL stops pinging, which the receiver notices within one period plus its grace. The
 * Watchdog alert fires for as long as prismwatch runs, through the routes like any alert.
 */
import { describe, expect, it } from 'vitest';
import { startCli } from '../helpers/cli.js';
import { configDir } from '../helpers/config-dir.js';
import { eventually } from '../helpers/metrics.js';
import { refusedPort, withHttpServer } from '../helpers/servers.js';
import { webhookSink } from '../helpers/sinks.js';

interface Ping {
  readonly path: string;
  readonly body: string;
  readonly at: number;
}

/** A check as healthchecks.io keeps one: down once period + grace pass without a ping. */
async function healthcheck(periodMs: number, graceMs: number) {
  const pings: Ping[] = [];
  const server = await withHttpServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      pings.push({ path: req.url ?? '', body: Buffer.concat(chunks).toString(), at: Date.now() });
      res.writeHead(200).end('OK');
    });
  });
  return {
    url: `${server.url}/ping/5f2c`,
    pings,
    /** When the check goes down: the last ping, plus period and grace. */
    downAt: () => (pings.at(-1)?.at ?? 0) + periodMs + graceMs,
  };
}

describe('heartbeat and Watchdog', () => {
  it('pings while healthy; a daemon killed -9 stops, and the check notices within period + grace', async () => {
    const PERIOD = 300;
    const GRACE = 500;
    const check = await healthcheck(PERIOD, GRACE);
    const target = await withHttpServer((_req, res) => res.end('ok'));
    const dir = configDir();
    dir.write(
      'c.yaml',
      `probes:
  - { name: web, kind: http, url: "${target.url}/", interval: 100ms }
global:
  heartbeat: { url: "${check.url}", interval: ${PERIOD}ms, timeout: 1s }
`,
    );
    const daemon = await startCli(['--config', dir.path]);
    await eventually(() => check.pings.length >= 3, 10_000);
    expect(check.pings.every((ping) => ping.path === '/ping/5f2c' && ping.body === 'ok')).toBe(true);
    const killedAt = Date.now();
    daemon.child.kill('SIGKILL');
    await daemon.exited();
    // Pings came every 300 ms; after the kill, at most the one already on the wire arrives, and
    // the check goes down at the last ping + period + grace.
    await eventually(() => Date.now() > Math.max(check.downAt(), killedAt + 1_500), 5_000);
    const late = check.pings.filter((ping) => ping.at > killedAt);
    expect(late.length).toBeLessThanOrEqual(1);
    const lastBeforeKill = check.pings.filter((ping) => ping.at <= killedAt).at(-1)!;
    expect(killedAt - lastBeforeKill.at).toBeLessThan(PERIOD + 1_000);
    expect(check.downAt() - (late[0]?.at ?? killedAt)).toBeLessThanOrEqual(PERIOD + GRACE);
  });

  it('says /fail with the reason while notifications fail, and routes the Watchdog alert', async () => {
    const check = await healthcheck(300, 500);
    const sink = await webhookSink();
    const dir = configDir();
    dir.write(
      'c.yaml',
      `rules:
  - { alert: Always, severity: critical, signal: up, op: '>=', threshold: 0 }
probes:
  - { name: web, kind: http, url: "http://127.0.0.1:${await refusedPort()}/", interval: 100ms }
global:
  watchdog: true
  notifications_failing_after: 200ms
  heartbeat: { url: "${check.url}", interval: 200ms }
route:
  receiver: broken
  group_wait: 50ms
  group_interval: 200ms
  routes:
    - { receiver: switch, matchers: ['alertname="Watchdog"'] }
receivers:
  - name: broken
    webhook_configs: [{ url: "http://127.0.0.1:${await refusedPort()}/hook", timeout: 200ms }]
  - name: switch
    webhook_configs: [{ url: "${sink.url}" }]
`,
    );
    await startCli(['--config', dir.path, '--rules.evaluation-interval', '100ms']);
    const fail = await eventually(() => check.pings.find((ping) => ping.path === '/ping/5f2c/fail'), 15_000);
    expect(fail.body).toMatch(/^firing: NotificationsFailing \(broken\/webhook\/0\)/);
    const watchdog = await eventually(() =>
      sink.delivered.find((delivery) => delivery.body.commonLabels?.['alertname' as never] === 'Watchdog'),
    );
    expect(watchdog.body.status).toBe('firing');
  });
});
