/**
 * Instances sharing state on the local PostgreSQL (--state.url), in one process: one leads, what
 * is written through any instance's API takes effect on all, and a leader that stops hands over
 * without a notification lost or repeated.
 */
import { describe, expect, it } from 'vitest';
import { configDir } from '../helpers/config-dir.js';
import { startDaemon } from '../helpers/daemon.js';
import { flappingSite } from '../helpers/flapping.js';
import { eventually } from '../helpers/metrics.js';
import { freshDatabase, query } from '../helpers/postgres.js';
import { privatePostgres } from '../helpers/private-postgres.js';

const TOKEN = 'shared-state-test-token';

async function api(base: string, path: string, init: { method?: string; body?: unknown } = {}) {
  const response = await fetch(`${base}${path}`, {
    method: init.method ?? 'GET',
    headers: { authorization: `Bearer ${TOKEN}`, 'content-type': 'application/json' },
    ...(init.body === undefined ? {} : { body: JSON.stringify(init.body) }),
  });
  return { status: response.status, body: (await response.json()) as Record<string, unknown> };
}

const leaderGauge = async (scrape: () => Promise<string>) =>
  Number(/^prismwatch_leader (\d)/m.exec(await scrape())?.[1]);

describe('shared state on PostgreSQL', () => {
  it('one leader; a window and an announcement made through one instance act on all', async () => {
    const url = await freshDatabase();
    const site = await flappingSite();
    const options = { stateUrl: url, stateLeaseMs: 8_000, apiToken: TOKEN, evaluationIntervalMs: 100 };
    const a = await startDaemon(site.configPath, options);
    const b = await startDaemon(site.configPath, options);
    await eventually(async () => (await leaderGauge(a.scrape)) + (await leaderGauge(b.scrape)) === 1);
    const [leader, follower] = (await leaderGauge(a.scrape)) === 1 ? [a, b] : [b, a];

    const opened = await api(follower.daemon.baseUrl, '/api/v1/maintenance', {
      method: 'POST',
      body: { matchers: ['probe="web"'], duration: '1h', createdBy: 'test', comment: 'deploying' },
    });
    expect(opened.status).toBe(201);
    await api(follower.daemon.baseUrl, '/api/v1/announcements', {
      method: 'POST',
      body: { text: 'Shared notice', severity: 'info', duration: '1h', createdBy: 'test' },
    });
    for (const instance of [leader, follower])
      await eventually(async () =>
        (await (await fetch(`${instance.daemon.baseUrl}/`)).text()).includes('Shared notice'),
      );
    // The leader has the window. (Before it had, a run timing out on a loaded machine, 80 ms
    // here, could fire and resolve WebDown: that is not what this test is about.)
    await eventually(async () =>
      JSON.stringify((await api(leader.daemon.baseUrl, '/api/v1/maintenance')).body).includes(
        String(opened.body.id),
      ),
    );
    const windowOpenedAt = Date.now();
    const sentBefore = site.sink.delivered.length;

    site.state.up = false;
    // The leader fires and the follower shows it; the window opened on the follower mutes it.
    for (const instance of [leader, follower])
      await eventually(async () => {
        const alerts = (await (await fetch(`${instance.daemon.baseUrl}/api/v1/alerts`)).json()) as Array<{
          labels: Record<string, string>;
          status: { state: string; mutedBy?: { by: string } };
        }>;
        return alerts.some(
          (alert) =>
            alert.labels.alertname === 'WebDown' &&
            alert.status.state === 'firing' &&
            JSON.stringify(alert.status.mutedBy ?? '').includes('maintenance'),
        );
      });
    const status = (await (await fetch(`${follower.daemon.baseUrl}/api/v1/status`)).json()) as {
      state: { leading: boolean; leader?: { holder: string } };
    };
    expect(status.state.leading).toBe(false);
    // The leader alone exports prismwatch_alerts: summed over replicas, each alert counts once.
    expect(await leader.scrape()).toMatch(/^prismwatch_alerts\{alertname="WebDown"/m);
    expect(await follower.scrape()).not.toMatch(/^prismwatch_alerts\{/m);
    expect(await (await fetch(`${leader.daemon.baseUrl}/`)).text()).toContain('this instance leads (lease');
    expect(await (await fetch(`${follower.daemon.baseUrl}/`)).text()).toContain(
      'standing by: another instance leads',
    );
    expect(status.state.leader?.holder).toBeTruthy();
    // A silence made through the follower reaches the leader's muting too.
    const silenced = await api(follower.daemon.baseUrl, '/api/v1/silences', {
      method: 'POST',
      body: { matchers: ['alertname="WebDown"'], duration: '1h', createdBy: 'test', comment: 'known' },
    });
    expect(silenced.status).toBe(201);
    await eventually(async () => {
      const alerts = (await (await fetch(`${leader.daemon.baseUrl}/api/v1/alerts`)).json()) as Array<{
        status: { mutedBy?: unknown };
      }>;
      return alerts.some((alert) =>
        JSON.stringify(alert.status.mutedBy ?? '').includes(String(silenced.body.silenceID)),
      );
    });
    // Nothing was sent since: muted by the window opened through the other instance.
    expect(
      site.sink.delivered.slice(sentBefore).map((delivery) => ({
        status: delivery.body.status,
        labels: delivery.body.commonLabels,
        at: delivery.at - windowOpenedAt,
        via: delivery.headers['user-agent'],
        alerts: delivery.body.alerts.map((alert) => [alert.startsAt, alert.endsAt]),
      })),
    ).toEqual([]);
  });

  it('goes on while the database is away: pages StateStoreUnavailable, then writes what waited', async () => {
    const pg = await privatePostgres();
    const site = await flappingSite();
    const { daemon, scrape } = await startDaemon(site.configPath, {
      stateUrl: pg.url,
      apiToken: TOKEN,
      evaluationIntervalMs: 100,
    });
    await eventually(async () => (await leaderGauge(scrape)) === 1);
    await pg.stop();
    site.state.up = false;
    // The database is away: the page goes out anyway, and only it.
    await eventually(() =>
      site.sink.delivered.some(
        (delivery) =>
          delivery.body.status === 'firing' &&
          JSON.stringify(delivery.body.commonLabels).includes('StateStoreUnavailable'),
      ),
    );
    expect(site.sink.delivered.some((delivery) => JSON.stringify(delivery.body).includes('WebDown'))).toBe(
      false,
    );
    expect(await scrape()).toMatch(/^prismwatch_state_database_up 0/m);
    expect((await fetch(`${daemon.baseUrl}/`)).status).toBe(200);
    const status = (await (await fetch(`${daemon.baseUrl}/api/v1/status`)).json()) as {
      state: { databaseUp: boolean; queuedStatements: number };
    };
    expect(status.state.databaseUp).toBe(false);
    expect(status.state.queuedStatements).toBeGreaterThan(0);

    await pg.start();
    // Back: WebDown, decided meanwhile, goes out; the store alert resolves; the database has it all.
    await eventually(() =>
      site.sink.delivered.some((delivery) => JSON.stringify(delivery.body).includes('WebDown')),
    );
    await eventually(() =>
      site.sink.delivered.some(
        (delivery) =>
          delivery.body.status === 'resolved' &&
          JSON.stringify(delivery.body.commonLabels).includes('StateStoreUnavailable'),
      ),
    );
    await eventually(
      async () => (await query(pg.url, "SELECT 1 FROM incidents WHERE alertname = 'WebDown'")).length === 1,
    );
  });

  it('counts a heartbeat ping on every instance, whichever one received it', async () => {
    const url = await freshDatabase();
    const token = 'c0ffee00c0ffee00c0ffee00c0ffee00';
    const dir = configDir();
    dir.write(
      'hb.yaml',
      `probes:
  - { name: backup, kind: heartbeat, period: 1h, grace: 1h, token: ${token}, interval: 200ms }
`,
    );
    const options = { stateUrl: url, stateLeaseMs: 8_000, evaluationIntervalMs: 100 };
    const a = await startDaemon(dir.path, options);
    const b = await startDaemon(dir.path, options);
    await eventually(async () => (await leaderGauge(a.scrape)) + (await leaderGauge(b.scrape)) === 1);
    const [leader, follower] = (await leaderGauge(a.scrape)) === 1 ? [a, b] : [b, a];
    const state = (instance: typeof a) => instance.daemon.results.get('backup')?.last?.facts.heartbeat?.state;
    await eventually(() => state(leader) === 'new');
    // The job's ping reaches the follower only (a load balancer chose it); the leader judges it.
    expect((await fetch(`${follower.daemon.baseUrl}/ping/${token}`)).status).toBe(200);
    await eventually(() => state(follower) === 'up');
    await eventually(() => state(leader) === 'up');
  });
});
