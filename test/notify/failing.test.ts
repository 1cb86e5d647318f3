/** NotificationsFailing: a receiver down for longer than the threshold is announced by the others. */
import { describe, expect, it } from 'vitest';
import { eventually } from '../helpers/metrics.js';
import { alertFor, startNotifier } from '../helpers/notifier.js';
import { webhookSink } from '../helpers/sinks.js';

describe('NotificationsFailing', () => {
  it('fires through the other receivers while one fails, never to the failing one, and resolves when it recovers', async () => {
    const broken = await webhookSink('fail500');
    const healthy = await webhookSink();
    const { evaluate, notifier } = startNotifier(`
global:
  notifications_failing_after: 300ms
route:
  receiver: b
  group_wait: 50ms
  group_interval: 200ms
  routes:
    - receiver: a
      continue: true
    - receiver: b
receivers:
  - name: a
    webhook_configs: [{ url: "${broken.url}", timeout: 300ms }]
  - name: b
    webhook_configs: [{ url: "${healthy.url}", timeout: 300ms }]
`);
    const alert = alertFor();
    const timer = setInterval(() => evaluate([alert]), 100);
    try {
      const failingNotice = () =>
        healthy.delivered.find(
          (delivery) =>
            delivery.body.commonLabels?.['alertname' as never] === 'NotificationsFailing' &&
            delivery.body.status === 'firing',
        );
      const notice = await eventually(failingNotice, 10_000);
      expect(notice.body.commonLabels).toMatchObject({
        alertname: 'NotificationsFailing',
        integration: 'a/webhook/0',
        receiver: 'a',
        severity: 'critical',
      });
      expect(notifier.ownAlerts().map((own) => own.state)).toEqual(['firing']);
      broken.mode = 'ok';
      await eventually(
        () =>
          healthy.delivered.some(
            (delivery) =>
              delivery.body.commonLabels?.['alertname' as never] === 'NotificationsFailing' &&
              delivery.body.status === 'resolved',
          ),
        15_000,
      );
      // The failing receiver got its own queued alert, and nothing about its own failure.
      expect(broken.delivered.map((delivery) => delivery.body.commonLabels?.['alertname' as never])).toEqual([
        'HighErrorRate',
      ]);
    } finally {
      clearInterval(timer);
    }
  }, 240_000);
});
