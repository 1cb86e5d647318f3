/**
 * Webhook delivery against a real loopback sink that fails on demand. Every test checks exact
 * counts of what the sink accepted: a duplicate fails the test as surely as a loss.
 */
import { createHmac } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { eventually, sample } from '../helpers/metrics.js';
import { alertFor, resolved, sleep, startNotifier } from '../helpers/notifier.js';
import { withHttpServer } from '../helpers/servers.js';
import { webhookSink } from '../helpers/sinks.js';

function routing(url: string, extra = '') {
  return `
route:
  receiver: hooks
  group_by: [alertname, probe]
  group_wait: 50ms
  group_interval: 150ms
  repeat_interval: 1h
receivers:
  - name: hooks
    webhook_configs:
      - url: ${url}
        timeout: 300ms
        signing_secret: s3cret-hmac-key
${extra}`;
}

const metricsText = async (registry: { metrics(): Promise<string> }) => registry.metrics();

describe('webhook delivery', () => {
  it('sends Alertmanager payload v4 once on firing and once on resolution, signed, with an idempotency key', async () => {
    const sink = await webhookSink();
    const { evaluate } = startNotifier(routing(sink.url));
    const alert = alertFor();
    evaluate([alert]);
    await eventually(() => sink.delivered.length === 1);
    // The same state, evaluated again and again, notifies nobody.
    for (let i = 0; i < 5; i++) {
      evaluate([alert]);
      await sleep(100);
    }
    expect(sink.delivered).toHaveLength(1);
    const first = sink.delivered[0]!;
    expect(first.body).toMatchObject({
      version: '4',
      status: 'firing',
      receiver: 'hooks',
      groupLabels: { alertname: 'HighErrorRate', probe: 'api' },
      commonLabels: { alertname: 'HighErrorRate', probe: 'api', severity: 'critical' },
      commonAnnotations: { summary: 'api: 7% of requests failing' },
      externalURL: 'http://prismwatch.test:9797',
      truncatedAlerts: 0,
    });
    expect(first.body.groupKey).toBe('{}:{alertname="HighErrorRate", probe="api"}');
    expect(first.body.alerts).toHaveLength(1);
    expect(first.body.alerts[0]).toMatchObject({
      status: 'firing',
      fingerprint: alert.fingerprint,
      endsAt: '0001-01-01T00:00:00Z',
      generatorURL: `http://prismwatch.test:9797/#alert-${alert.fingerprint}`,
    });
    const signature = String(first.headers['x-prismwatch-signature']);
    const [, t, v1] = /^t=(\d+),v1=([0-9a-f]{64})$/.exec(signature) ?? [];
    expect(v1).toBe(createHmac('sha256', 's3cret-hmac-key').update(`${t}.${first.raw}`).digest('hex'));
    expect(first.headers['idempotency-key']).toMatch(/^[0-9a-f]{32}$/);

    evaluate([resolved(alert)]);
    await eventually(() => sink.delivered.length === 2);
    await sleep(400);
    expect(sink.delivered).toHaveLength(2);
    expect(sink.delivered[1]!.body).toMatchObject({ status: 'resolved', notificationReason: 'resolved' });
    expect(sink.delivered[1]!.body.alerts[0]).toMatchObject({ status: 'resolved' });
    expect(sink.delivered[1]!.headers['idempotency-key']).not.toBe(first.headers['idempotency-key']);
  });

  it('retries a 500 with backoff and delivers exactly once; counts each failed attempt', async () => {
    const sink = await webhookSink('fail500');
    const { evaluate, registry } = startNotifier(routing(sink.url));
    evaluate([alertFor()]);
    await eventually(() => sink.attempts.length >= 2, 5_000);
    sink.mode = 'ok';
    await eventually(() => sink.delivered.length === 1, 10_000);
    await sleep(500);
    expect(sink.delivered).toHaveLength(1);
    // Every attempt carried the same key: a receiver can drop replays safely.
    expect(new Set(sink.attempts.map((attempt) => attempt.headers['idempotency-key'])).size).toBe(1);
    const text = await metricsText(registry);
    expect(
      sample(text, 'prismwatch_notifications_failed_total', {
        integration: 'hooks/webhook/0',
        reason: 'http_5xx',
      }),
    ).toBe(sink.attempts.length - 1);
    expect(sample(text, 'prismwatch_notifications_total', { integration: 'hooks/webhook/0' })).toBe(1);
  });

  it('honours Retry-After on 429', async () => {
    const sink = await webhookSink('fail429');
    sink.retryAfterSeconds = 1;
    const { evaluate } = startNotifier(routing(sink.url));
    evaluate([alertFor()]);
    await eventually(() => sink.attempts.length === 1);
    const firstAt = sink.attempts[0]!.at;
    sink.mode = 'ok';
    await eventually(() => sink.delivered.length === 1, 5_000);
    expect(sink.delivered[0]!.at - firstAt).toBeGreaterThanOrEqual(950);
  });

  it('times out a receiver that hangs and a socket that closes, retries, and delivers once', async () => {
    const sink = await webhookSink('hang');
    const { evaluate, registry } = startNotifier(routing(sink.url));
    evaluate([alertFor()]);
    await eventually(() => sink.attempts.length >= 2, 5_000);
    sink.mode = 'close';
    const before = sink.attempts.length;
    await eventually(() => sink.attempts.length > before, 5_000);
    sink.mode = 'ok';
    await eventually(() => sink.delivered.length === 1, 10_000);
    await sleep(300);
    expect(sink.delivered).toHaveLength(1);
    const text = await metricsText(registry);
    expect(
      sample(text, 'prismwatch_notifications_failed_total', { reason: 'timeout' }),
    ).toBeGreaterThanOrEqual(1);
    expect(
      sample(text, 'prismwatch_notifications_failed_total', { reason: 'network' }),
    ).toBeGreaterThanOrEqual(1);
  });

  it('does not retry a 4xx other than 408 and 429', async () => {
    const notFound = await withHttpServer((_req, res) => res.writeHead(404).end());
    const { evaluate, notifier, registry } = startNotifier(routing(`${notFound.url}/hook`));
    evaluate([alertFor()]);
    await eventually(() => notFound.requests.length === 1);
    await sleep(1_500);
    expect(notFound.requests).toHaveLength(1);
    notifier.refreshMetrics();
    const text = await metricsText(registry);
    expect(sample(text, 'prismwatch_notifications_failed_total', { reason: 'http_4xx' })).toBe(1);
    // Rejected for good: not counted as waiting in the outbox.
    expect(sample(text, 'prismwatch_notification_outbox_depth', { integration: 'hooks/webhook/0' })).toBe(0);
  });

  it('keeps a notification while the receiver is down and delivers it once when it is back', async () => {
    const sink = await webhookSink();
    await sink.down();
    const { evaluate, notifier, registry } = startNotifier(routing(sink.url));
    evaluate([alertFor()]);
    await sleep(1_200);
    notifier.refreshMetrics();
    const text = await metricsText(registry);
    expect(sample(text, 'prismwatch_notification_outbox_depth', { integration: 'hooks/webhook/0' })).toBe(1);
    expect(
      sample(text, 'prismwatch_notification_outbox_oldest_age_seconds', { integration: 'hooks/webhook/0' }),
    ).toBeGreaterThan(0.5);
    await sink.up();
    await eventually(() => sink.delivered.length === 1, 10_000);
    await sleep(500);
    expect(sink.delivered).toHaveLength(1);
  });

  it('sends a body_template instead of the Alertmanager payload, and truncates to max_alerts otherwise', async () => {
    const sink = await webhookSink();
    const { evaluate } = startNotifier(`
route:
  receiver: chat
  group_by: [alertname]
  group_wait: 50ms
receivers:
  - name: chat
    webhook_configs:
      - url: ${sink.url}
        body_template:
          text: '[{{status}}] {{commonLabels.alertname}} ({{firing.count}} firing): {{summary}}'
          alerts: '{{alerts}}'
          tags: [prismwatch, '{{receiver}}']
  - name: unused
    webhook_configs:
      - url: ${sink.url}
        max_alerts: 1
`);
    evaluate([alertFor({ probe: 'a' }), alertFor({ probe: 'b' })]);
    await eventually(() => sink.delivered.length === 1);
    const body = sink.delivered[0]!.body as unknown as { text: string; alerts: unknown[]; tags: string[] };
    expect(body.text).toBe(
      '[firing] HighErrorRate (2 firing): a: 7% of requests failing; b: 7% of requests failing',
    );
    expect(body.alerts).toHaveLength(2);
    expect(body.tags).toEqual(['prismwatch', 'chat']);

    const truncating = await webhookSink();
    const other = startNotifier(
      routing(truncating.url)
        .replace('timeout: 300ms', 'max_alerts: 1')
        .replace('[alertname, probe]', '[alertname]'),
    );
    other.evaluate([alertFor({ probe: 'a' }), alertFor({ probe: 'b' })]);
    await eventually(() => truncating.delivered.length === 1);
    expect(truncating.delivered[0]!.body).toMatchObject({ truncatedAlerts: 1 });
    expect(truncating.delivered[0]!.body.alerts).toHaveLength(1);
  });

  it('rejects an unknown placeholder in body_template when the config loads', () => {
    expect(() =>
      startNotifier(`
route: { receiver: r }
receivers:
  - name: r
    webhook_configs:
      - url: http://127.0.0.1:9/x
        body_template: { text: '{{labels.probe}}' }
`),
    ).toThrow(/body_template: expected placeholders among .*got \{\{labels\.probe\}\}/);
  });

  it('delivers everything queued for a group during an outage, once each and in order', async () => {
    const sink = await webhookSink();
    await sink.down();
    const { evaluate } = startNotifier(routing(sink.url));
    const alert = alertFor();
    evaluate([alert]);
    await sleep(300);
    evaluate([resolved(alert)]);
    await sleep(300);
    evaluate([{ ...alert, firedAt: Date.now(), activeAt: Date.now() }]);
    await sleep(300);
    await sink.up();
    await eventually(() => sink.delivered.length === 3, 15_000);
    await sleep(500);
    expect(
      sink.delivered.map((delivery) => `${delivery.body.status}:${delivery.body.notificationReason}`),
    ).toEqual(['firing:first', 'resolved:resolved', 'firing:first']);
  });
});
