/**
 * The shipped routing (alerts/routing.yaml) as an on-call engineer meets it (issue 15): one
 * broken service is one page, and what a down probe makes redundant stays quiet.
 */
import { Registry } from 'prom-client';
import { describe, expect, it, onTestFinished } from 'vitest';
import { loadConfig } from '../../src/config/load.js';
import type { Alert } from '../../src/model/alert.js';
import { Notifier } from '../../src/notify/notifier.js';
import { StateStore } from '../../src/state/store.js';
import { captureLog } from '../helpers/log.js';
import { eventually } from '../helpers/metrics.js';
import { alertFor, sleep } from '../helpers/notifier.js';
import { webhookSink } from '../helpers/sinks.js';

function withService(alert: Alert, service: string): Alert {
  return { ...alert, labels: { ...alert.labels, service } };
}

describe('the shipped routing', () => {
  it('pages once for a down service, listing its down probes, and mutes what the outage explains', async () => {
    const pager = await webhookSink();
    const team = await webhookSink();
    const config = loadConfig(['alerts/routing.yaml'], {
      PRISMWATCH_PAGER_WEBHOOK_URL: pager.url,
      PRISMWATCH_TEAM_WEBHOOK_URL: team.url,
    });
    const state = new StateStore();
    const notifier = new Notifier(config.notify, {
      db: state.db,
      registry: new Registry(),
      log: captureLog('error').log,
      now: Date.now,
      baseUrl: () => 'http://prismwatch.test:9797',
      evaluationIntervalMs: 1_000,
    });
    onTestFinished(async () => {
      await notifier.stop(200);
      state.close();
    });
    const down = ['prismai-health', 'prismai-api', 'prismai-web'].map((probe) =>
      withService(alertFor({ alert: 'ProbeDown', probe }), 'prismai'),
    );
    const explained = [
      withService(alertFor({ alert: 'HighErrorRate', probe: 'prismai-api' }), 'prismai'),
      withService(alertFor({ alert: 'SecurityHeadersBelowPolicy', probe: 'prismai-security' }), 'prismai'),
      withService(alertFor({ alert: 'HighLatency', probe: 'prismai-web', severity: 'warning' }), 'prismai'),
    ];
    notifier.afterEvaluation([...down, ...explained]);
    // The pager route's group_wait is 10 s; the team's 1 m (nothing should reach it anyway).
    await eventually(() => pager.delivered.length >= 1, 30_000);
    await sleep(1_000);
    expect(pager.delivered).toHaveLength(1);
    const page = pager.delivered[0]!.body;
    expect(page.groupLabels).toEqual({ service: 'prismai', alertname: 'ProbeDown' });
    expect(
      (page.alerts as Array<{ labels: Record<string, string> }>).map((alert) => alert.labels.probe).sort(),
    ).toEqual(['prismai-api', 'prismai-health', 'prismai-web']);
    expect(team.delivered).toHaveLength(0);
  }, 60_000);
});
