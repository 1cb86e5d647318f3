/**
 * When to notify (Alertmanager's needsUpdate, TestBatching, TestRepeat, TestResolved) and the
 * places where users of Alertmanager got hurt: resolves swallowed by inhibition, notifications
 * repeated or lost across restarts. Exact counts at a real webhook sink throughout.
 */
import { describe, expect, it } from 'vitest';
import { eventually } from '../helpers/metrics.js';
import { alertFor, resolved, routingConfig, sleep, startNotifier, tempDataDir } from '../helpers/notifier.js';
import { webhookSink } from '../helpers/sinks.js';

function routing(
  url: string,
  options: { groupBy?: string; repeat?: string; extra?: string; sendResolved?: boolean } = {},
) {
  return `
route:
  receiver: hooks
  group_by: ${options.groupBy ?? '[alertname, probe]'}
  group_wait: 100ms
  group_interval: 300ms
  repeat_interval: ${options.repeat ?? '1h'}
receivers:
  - name: hooks
    webhook_configs:
      - url: ${url}
        timeout: 500ms
        send_resolved: ${options.sendResolved ?? true}
${options.extra ?? ''}`;
}

const alertsOf = (body: { alerts: Array<Record<string, unknown>> }) =>
  body.alerts
    .map((alert) => `${(alert.labels as Record<string, string>).probe}:${String(alert.status)}`)
    .sort();

describe('grouping and dedup', () => {
  it('batches alerts of one group, then adds a newcomer at the next group_interval', async () => {
    const sink = await webhookSink();
    const { evaluate } = startNotifier(routing(sink.url, { groupBy: '[alertname]' }));
    const a = alertFor({ probe: 'a' });
    const b = alertFor({ probe: 'b' });
    evaluate([a]);
    evaluate([a, b]);
    await eventually(() => sink.delivered.length === 1);
    expect(alertsOf(sink.delivered[0]!.body)).toEqual(['a:firing', 'b:firing']);
    const c = alertFor({ probe: 'c' });
    evaluate([a, b, c]);
    await eventually(() => sink.delivered.length === 2);
    expect(sink.delivered[1]!.body.notificationReason).toBe('new_alerts');
    expect(alertsOf(sink.delivered[1]!.body)).toEqual(['a:firing', 'b:firing', 'c:firing']);
    await sleep(700);
    expect(sink.delivered).toHaveLength(2);
  });

  it('repeats after repeat_interval, each reminder with its own idempotency key', async () => {
    const sink = await webhookSink();
    const { evaluate } = startNotifier(routing(sink.url, { repeat: '500ms' }));
    const alert = alertFor();
    evaluate([alert]);
    await eventually(() => sink.delivered.length === 3, 5_000);
    expect(sink.delivered.map((d) => d.body.notificationReason)).toEqual(['first', 'repeat', 'repeat']);
    expect(new Set(sink.delivered.map((d) => d.headers['idempotency-key'])).size).toBe(3);
  });

  it('an alert stamped ahead of the clock (an evaluation slot) is told once, not again at the next flush', async () => {
    // Evaluations are stamped with their slot's time, up to half an interval ahead of the clock:
    // a notice queued before that moment once read the alert as newer than itself and re-sent it.
    const sink = await webhookSink();
    const { evaluate } = startNotifier(routing(sink.url));
    evaluate([alertFor({ firedAt: Date.now() + 2_000 })]);
    await eventually(() => sink.delivered.length === 1);
    await sleep(3_000); // ten group intervals, past the stamp
    expect(sink.delivered).toHaveLength(1);
  });

  it('never notifies a pending alert, nor a resolution of something never notified', async () => {
    const sink = await webhookSink();
    const { evaluate } = startNotifier(routing(sink.url));
    evaluate([alertFor({ state: 'pending' })]);
    await sleep(400);
    // Fired and resolved before group_wait ended: nobody heard of it, nobody hears of its end.
    const blip = alertFor({ probe: 'blip' });
    evaluate([blip]);
    evaluate([resolved(blip)]);
    await sleep(700);
    expect(sink.delivered).toHaveLength(0);
  });

  it('a re-fire after a resolution between flushes is notified again', async () => {
    const sink = await webhookSink();
    const { evaluate } = startNotifier(routing(sink.url));
    const alert = alertFor();
    evaluate([alert]);
    await eventually(() => sink.delivered.length === 1);
    const refired = { ...alert, firedAt: Date.now(), activeAt: Date.now() };
    evaluate([refired]);
    await eventually(() => sink.delivered.length === 2);
    expect(sink.delivered[1]!.body.notificationReason).toBe('new_alerts');
    // Same group, same fingerprint, same status: only the new start tells the two apart, and a
    // receiver deduplicating on the key must not drop the second.
    expect(sink.delivered[1]!.headers['idempotency-key']).not.toBe(
      sink.delivered[0]!.headers['idempotency-key'],
    );
  });

  it('with send_resolved: false, stays quiet on resolution and notifies the next firing', async () => {
    const sink = await webhookSink();
    const { evaluate } = startNotifier(routing(sink.url, { sendResolved: false }));
    const alert = alertFor();
    evaluate([alert]);
    await eventually(() => sink.delivered.length === 1);
    evaluate([resolved(alert)]);
    await sleep(700);
    expect(sink.delivered).toHaveLength(1);
    evaluate([{ ...alert, firedAt: Date.now() }]);
    await eventually(() => sink.delivered.length === 2);
  });
});

describe('inhibition', () => {
  const inhibit = `
inhibit_rules:
  - source_matchers: ['severity="critical"']
    target_matchers: ['severity="warning"']
    equal: [probe]
`;

  it('mutes warnings of a probe while its critical fires, but still delivers the resolution of one already notified', async () => {
    const sink = await webhookSink();
    const { evaluate } = startNotifier(routing(sink.url, { extra: inhibit }));
    const warning = alertFor({ alert: 'SlowResponses', severity: 'warning' });
    evaluate([warning]);
    await eventually(() => sink.delivered.length === 1);
    const critical = alertFor({ alert: 'HighErrorRate', severity: 'critical' });
    const otherWarning = alertFor({ alert: 'MemoryHigh', severity: 'warning' });
    evaluate([warning, critical, otherWarning]);
    await eventually(() => sink.delivered.length === 2);
    await sleep(700);
    // Only the critical: the new warning on the same probe is muted.
    expect(sink.delivered).toHaveLength(2);
    expect(sink.delivered[1]!.body.commonLabels).toMatchObject({ alertname: 'HighErrorRate' });
    // The first warning resolves while muted: Alertmanager would swallow this; we deliver it.
    evaluate([resolved(warning), critical, otherWarning]);
    await eventually(() => sink.delivered.length === 3);
    expect(sink.delivered[2]!.body).toMatchObject({
      status: 'resolved',
      commonLabels: { alertname: 'SlowResponses' },
    });
    await sleep(700);
    expect(sink.delivered).toHaveLength(3);
  });

  it('does not inhibit across probes (equal: [probe])', async () => {
    const sink = await webhookSink();
    const { evaluate } = startNotifier(routing(sink.url, { extra: inhibit }));
    evaluate([
      alertFor({ probe: 'db', severity: 'critical' }),
      alertFor({ probe: 'web', alert: 'Slow', severity: 'warning' }),
    ]);
    await eventually(() => sink.delivered.length === 2);
  });
});

describe('silences', () => {
  it('a config silence mutes; an API silence mutes until expired, then the alert is notified', async () => {
    const sink = await webhookSink();
    const { evaluate, mutes } = startNotifier(
      routing(sink.url, {
        extra: `
silences:
  - matchers: ['probe="maintenance"']
    ends_at: "2999-01-01T00:00:00Z"
    created_by: ops
    comment: planned work
`,
      }),
    );
    const silenced = mutes.silences.add({
      matchers: ['alertname="HighErrorRate"', 'probe=~"ap.*"'],
      endsAt: Date.now() + 60_000,
      createdBy: 'alice',
      comment: 'deploying',
    });
    expect(typeof silenced).not.toBe('string');
    evaluate([alertFor({ probe: 'maintenance' }), alertFor({ probe: 'api' })]);
    await sleep(700);
    expect(sink.delivered).toHaveLength(0);
    expect(mutes.silences.expire((silenced as { id: string }).id)).toBe('expired');
    await eventually(() => sink.delivered.length === 1);
    expect(sink.delivered[0]!.body.commonLabels).toMatchObject({ probe: 'api' });
    await sleep(700);
    expect(sink.delivered).toHaveLength(1);
  });

  it('refuses silences that would mute everything or have no author', () => {
    const { mutes } = startNotifier(routing('http://127.0.0.1:9/hook'));
    const base = { endsAt: Date.now() + 60_000, createdBy: 'a', comment: 'c' };
    expect(mutes.silences.add({ ...base, matchers: ['probe=~".*"'] })).toMatch(/empty string/);
    expect(mutes.silences.add({ ...base, matchers: ['probe="x"'], createdBy: ' ' })).toMatch(/createdBy/);
    expect(mutes.silences.add({ ...base, matchers: ['probe=x y'] })).toMatch(/double quotes/);
  });
});

describe('reloads', () => {
  it('rebuilds groups on a reload without notifying again', async () => {
    const sink = await webhookSink();
    const { evaluate, notifier } = startNotifier(routing(sink.url));
    const alert = alertFor();
    evaluate([alert]);
    await eventually(() => sink.delivered.length === 1);
    notifier.configure(routingConfig(routing(sink.url, { repeat: '2h' })).notify, [alert]);
    evaluate([alert]);
    await sleep(800);
    expect(sink.delivered).toHaveLength(1);
  });
});

describe('restarts', () => {
  it('does not notify again after a restart, and delivers the resolution that happened while down', async () => {
    const sink = await webhookSink();
    const dataDir = tempDataDir();
    const alert = alertFor();
    const first = startNotifier(routing(sink.url), { dataDir });
    first.evaluate([alert]);
    await eventually(() => sink.delivered.length === 1);
    await first.stop();

    const second = startNotifier(routing(sink.url), { dataDir });
    second.evaluate([alert]);
    await sleep(800);
    expect(sink.delivered).toHaveLength(1);
    second.evaluate([resolved(alert)]);
    await eventually(() => sink.delivered.length === 2);
    expect(sink.delivered[1]!.body.status).toBe('resolved');
    await second.stop();

    const third = startNotifier(routing(sink.url), { dataDir });
    third.evaluate([resolved(alert)]);
    await sleep(800);
    expect(sink.delivered).toHaveLength(2);
  });

  it('a notification queued while the receiver was down survives a restart and is delivered once', async () => {
    const sink = await webhookSink();
    await sink.down();
    const dataDir = tempDataDir();
    const alert = alertFor();
    const first = startNotifier(routing(sink.url), { dataDir });
    first.evaluate([alert]);
    await sleep(600);
    await first.stop();
    await sink.up();
    const second = startNotifier(routing(sink.url), { dataDir });
    second.evaluate([alert]);
    await eventually(() => sink.delivered.length === 1, 10_000);
    await sleep(800);
    expect(sink.delivered).toHaveLength(1);
  });
});
