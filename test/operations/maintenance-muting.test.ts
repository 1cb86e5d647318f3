/**
 * Maintenance muting on a virtual clock: a recurring window (Alertmanager time_intervals in a
 * timezone with daylight saving) mutes exactly the alerts routed through it at exactly the right
 * minutes, and an ad-hoc window mutes only the alerts it names for the probes in its scope; a
 * muted alert that resolves inside the window is never sent, one that outlives it is sent once after.
 */
import { describe, expect, it } from 'vitest';
import { type Alert, fingerprintOf } from '../../src/model/alert.js';
import { intervalContains, timeIntervalSchema, toTimeInterval } from '../../src/muting/time-intervals.js';
import { maintenanceApi } from '../../src/server/maintenance-api.js';
import { eventually } from '../helpers/metrics.js';
import { alertFor, sleep, startNotifier } from '../helpers/notifier.js';
import { webhookSink } from '../helpers/sinks.js';

const at = (iso: string) => Date.parse(iso);

function withLabels(alert: Alert, extra: Record<string, string>): Alert {
  const labels = { ...alert.labels, ...extra };
  return { ...alert, labels, fingerprint: fingerprintOf(labels) };
}

const alertnames = (sink: Awaited<ReturnType<typeof webhookSink>>) =>
  sink.delivered.flatMap((delivery) =>
    (
      delivery.body as unknown as { alerts: Array<{ status: string; labels: Record<string, string> }> }
    ).alerts.map((alert) => `${alert.labels.alertname}/${alert.labels.probe}/${alert.status}`),
  );

describe('a recurring window across a daylight-saving change', () => {
  // Europe/Berlin moves from UTC+1 to UTC+2 at 01:00 UTC on Sunday 2027-03-28.
  const deploys = toTimeInterval(
    timeIntervalSchema.parse({
      name: 'deploys',
      time_intervals: [
        {
          times: [{ start_time: '09:00', end_time: '09:30' }],
          weekdays: ['saturday', 'sunday'],
          location: 'Europe/Berlin',
        },
      ],
    }),
  );

  it('starts and ends at the local minute on both sides of the change', () => {
    // Saturday, UTC+1: 09:00 local is 08:00 UTC.
    expect(intervalContains(deploys, at('2027-03-27T07:59:59Z'))).toBe(false);
    expect(intervalContains(deploys, at('2027-03-27T08:00:00Z'))).toBe(true);
    expect(intervalContains(deploys, at('2027-03-27T08:29:59Z'))).toBe(true);
    expect(intervalContains(deploys, at('2027-03-27T08:30:00Z'))).toBe(false);
    // Sunday, UTC+2: 09:00 local is 07:00 UTC; the same UTC minute as Saturday's start is outside.
    expect(intervalContains(deploys, at('2027-03-28T06:59:59Z'))).toBe(false);
    expect(intervalContains(deploys, at('2027-03-28T07:00:00Z'))).toBe(true);
    expect(intervalContains(deploys, at('2027-03-28T07:29:59Z'))).toBe(true);
    expect(intervalContains(deploys, at('2027-03-28T08:00:00Z'))).toBe(false);
  });

  it('mutes only the alerts routed through it, and sends one that outlives it at the first flush after', async () => {
    const sink = await webhookSink();
    let now = at('2027-03-28T07:05:00Z'); // 09:05 Berlin summer time: inside
    const { evaluate } = startNotifier(
      `
route:
  receiver: hooks
  group_by: [alertname]
  group_wait: 0s
  group_interval: 200ms
  routes:
    - { receiver: hooks, matchers: [alertname="ProbeDown"], group_by: [alertname], group_wait: 0s, group_interval: 200ms, mute_time_intervals: [deploys] }
receivers:
  - name: hooks
    webhook_configs: [{ url: ${sink.url}, timeout: 2s }]
time_intervals:
  - name: deploys
    time_intervals:
      - times: [{ start_time: '09:00', end_time: '09:30' }]
        weekdays: ['saturday', 'sunday']
        location: Europe/Berlin
`,
      { now: () => now },
    );
    const down = alertFor({ alert: 'ProbeDown', probe: 'api', firedAt: now - 1_000 });
    const errors = alertFor({ alert: 'HighErrorRate', probe: 'api', firedAt: now - 1_000 });
    evaluate([down, errors]);
    await eventually(() => alertnames(sink).includes('HighErrorRate/api/firing'));
    await sleep(600); // three group intervals inside the window
    expect(alertnames(sink)).toEqual(['HighErrorRate/api/firing']);
    now = at('2027-03-28T07:30:00Z'); // 09:30 Berlin: the window has ended
    await eventually(() => alertnames(sink).includes('ProbeDown/api/firing'));
    expect(alertnames(sink)).toEqual(['HighErrorRate/api/firing', 'ProbeDown/api/firing']);
  });
});

describe('an ad-hoc maintenance window', () => {
  const routing = (url: string) => `
route:
  receiver: hooks
  group_by: [alertname, probe]
  group_wait: 0s
  group_interval: 200ms
receivers:
  - name: hooks
    webhook_configs: [{ url: ${url}, timeout: 2s }]
`;

  it('mutes the named alerts of the probes in scope, lets everything else page, and never sends what resolved inside it', async () => {
    const sink = await webhookSink();
    let now = at('2026-12-02T10:00:00Z');
    const { mutes, evaluate } = startNotifier(routing(sink.url), { now: () => now });
    const window = mutes.maintenance.start({
      matchers: ['service="api"'],
      mute: ['ProbeDown'],
      endsAt: now + 15 * 60_000,
      createdBy: 'deployer',
      comment: 'rolling out v2',
    });
    if (typeof window === 'string') throw new Error(window);

    const apiDown = withLabels(alertFor({ alert: 'ProbeDown', probe: 'api-1', firedAt: now - 1_000 }), {
      service: 'api',
    });
    const apiBlip = withLabels(alertFor({ alert: 'ProbeDown', probe: 'api-2', firedAt: now - 1_000 }), {
      service: 'api',
    });
    const apiErrors = withLabels(alertFor({ alert: 'HighErrorRate', probe: 'api-1', firedAt: now - 1_000 }), {
      service: 'api',
    });
    const shopDown = withLabels(alertFor({ alert: 'ProbeDown', probe: 'shop', firedAt: now - 1_000 }), {
      service: 'shop',
    });
    evaluate([apiDown, apiBlip, apiErrors, shopDown]);
    await eventually(() => alertnames(sink).length === 2);
    expect(alertnames(sink).sort()).toEqual(['HighErrorRate/api-1/firing', 'ProbeDown/shop/firing']);

    // api-2 recovers inside the window: nothing is ever sent about it.
    now += 5 * 60_000;
    evaluate([apiDown, { ...apiBlip, state: 'resolved', resolvedAt: now }, apiErrors, shopDown]);
    await sleep(600);
    expect(alertnames(sink)).toHaveLength(2);

    // The window ends while api-1 is still down: its ProbeDown is sent once, now.
    now += 11 * 60_000;
    evaluate([apiDown, apiErrors, shopDown]);
    await eventually(() => alertnames(sink).includes('ProbeDown/api-1/firing'));
    await sleep(600);
    expect(alertnames(sink).filter((name) => name.startsWith('ProbeDown/api'))).toEqual([
      'ProbeDown/api-1/firing',
    ]);
  });

  it('refuses what it cannot enforce, and ends early', () => {
    const now = at('2026-12-02T10:00:00Z');
    const { mutes } = startNotifier(routing('http://127.0.0.1:9/'), { now: () => now });
    const base = { endsAt: now + 60_000, createdBy: 'a', comment: 'b' };
    expect(mutes.maintenance.start({ ...base, matchers: ['probe=~".*"'] })).toMatch(/empty string/);
    expect(mutes.maintenance.start({ ...base, matchers: ['probe="api"'], mute: ['not a name'] })).toMatch(
      /not an alert name/,
    );
    expect(mutes.maintenance.start({ ...base, matchers: ['probe="api"'], endsAt: now - 1 })).toMatch(
      /endsAt/,
    );
    const window = mutes.maintenance.start({ ...base, matchers: ['probe="api"'] });
    if (typeof window === 'string') throw new Error(window);
    expect(mutes.maintenance.covering({ probe: 'api' })?.id).toBe(window.id);
    expect(mutes.maintenance.mutedBy({ probe: 'api', alertname: 'Anything' })).toBe(window.id);
    expect(mutes.maintenance.end(window.id)).toBe('ended');
    expect(mutes.maintenance.covering({ probe: 'api' })).toBeUndefined();
    expect(mutes.maintenance.end(window.id)).toBe('already_ended');
    expect(mutes.maintenance.end('nope')).toBe('not_found');
  });
});

describe('a maintenance window that names nothing', () => {
  it('is accepted with warnings: matchers that select no probe, alert names no rule raises', () => {
    const now = at('2026-12-02T10:00:00Z');
    const { mutes } = startNotifier(
      'route: { receiver: log }\nreceivers: [{ name: log, log_configs: [{}] }]\n',
      {
        now: () => now,
      },
    );
    const api = maintenanceApi(mutes.maintenance, () => now, {
      probeLabels: () => [{ probe: 'api', service: 'shop' }],
      alertNames: () => new Set(['ProbeDown', 'HighErrorRate']),
    });
    const open = (matchers: string[], mute: string[]) =>
      api.create!(
        JSON.stringify({
          matchers,
          mute,
          endsAt: new Date(now + 60_000).toISOString(),
          createdBy: 'a',
          comment: 'b',
        }),
      );
    expect(
      (open(['service="shop"'], ['ProbeDown']).body as { warnings?: string[] }).warnings,
    ).toBeUndefined();
    expect((open(['service="shopp"'], ['ProbeDwon']).body as { warnings?: string[] }).warnings).toEqual([
      'the matchers select no configured probe: this window mutes nothing until one is added',
      'mute names alerts no rule raises: ProbeDwon',
    ]);
  });
});
