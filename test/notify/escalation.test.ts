/**
 * Escalation and acknowledgement on a virtual clock: a critical alert pages the route's receiver
 * (a team webhook and a mail to a real SMTP server), escalates to the first step exactly when its
 * delay has passed (not a flush before), survives a restart without repeating anything, and once
 * acknowledged through the link read from the mail: the receivers paged hear of it once (not the
 * mail, whose link was used), the next step is never told, and nothing repeats. The same through
 * the daemon's HTTP routes, on real time: test/operations/on-call.test.ts.
 */
import { describe, expect, it } from 'vitest';
import { acknowledgePage, acknowledgeSubmit } from '../../src/server/ack-pages.js';
import { eventually } from '../helpers/metrics.js';
import { alertFor, resolved, sleep, startNotifier, tempDataDir } from '../helpers/notifier.js';
import type { WebhookDelivery } from '../helpers/sinks.js';
import { notificationReasons, smtpSink, webhookSink } from '../helpers/sinks.js';

interface Payload {
  notificationReason: string;
  status: string;
  idempotencyKey: string;
  alerts: Array<{ acknowledgeURL?: string; acknowledged?: { by: string; comment?: string } }>;
}
const reasons = notificationReasons;
const payloads = (sink: { delivered: WebhookDelivery[] }) =>
  sink.delivered.map((delivery) => delivery.body as unknown as Payload);

const MINUTE = 60_000;

describe('escalation', () => {
  it('escalates when the delay has passed, stops at an acknowledgement, and a restart changes nothing', async () => {
    const [primary, secondary, manager] = await Promise.all([webhookSink(), webhookSink(), webhookSink()]);
    const smtp = await smtpSink();
    const t0 = Date.parse('2026-12-07T02:00:00Z');
    let now = t0;
    const yaml = `
route:
  receiver: primary
  group_by: [alertname]
  group_wait: 0s
  group_interval: 100ms
  repeat_interval: 1h
  routes:
    - matchers: [severity="critical"]
      escalate:
        - { after: 30m, receiver: manager }
        - { after: 10m, receiver: secondary }
receivers:
  - name: primary
    webhook_configs: [{ url: ${primary.url}, timeout: 2s }]
    email_configs: [{ to: oncall@example.test, from: pw@example.test, smarthost: "${smtp.smarthost}", require_tls: false, timeout: 5s }]
  - name: secondary
    webhook_configs: [{ url: ${secondary.url}, timeout: 2s }]
  - name: manager
    webhook_configs: [{ url: ${manager.url}, timeout: 2s }]
`;
    const dataDir = tempDataDir();
    const alert = alertFor({ alert: 'ProbeDown', firedAt: t0 - 1_000 });
    let harness = startNotifier(yaml, { dataDir, now: () => now });
    harness.evaluate([alert]);
    await eventually(() => expect(reasons(primary)).toEqual(['first']));
    expect(payloads(primary)[0]!.alerts[0]!.acknowledgeURL).toMatch(
      /^http:\/\/prismwatch\.test:9797\/ack\/v1\./,
    );
    await eventually(() => smtp.mails.length === 1);
    const token = /acknowledge: \S+\/ack\/(\S+)/.exec(smtp.mails[0]!.text ?? '')![1]!;

    // A moment before the step is due: several flushes, and nobody else is told.
    now = t0 + 10 * MINUTE - 1_000;
    await sleep(500);
    expect(secondary.delivered).toHaveLength(0);
    now = t0 + 10 * MINUTE + 1;
    await eventually(() => expect(reasons(secondary)).toEqual(['escalated']));
    expect(payloads(secondary)[0]!.alerts[0]!.acknowledgeURL).toBeDefined();
    expect(manager.delivered).toHaveLength(0);

    // Restart in the middle: the log knows who was told and when, so nothing is sent again.
    await harness.stop();
    harness = startNotifier(yaml, { dataDir, now: () => now });
    harness.evaluate([alert]);
    await sleep(500);
    expect(reasons(primary)).toEqual(['first']);
    expect(reasons(secondary)).toEqual(['escalated']);

    // Acknowledged through the link in the primary's mail, by the pages it leads to: opening it
    // acknowledges nothing, its form does.
    const pages = { acks: harness.acks, alerts: () => [alert], now: () => now };
    expect(acknowledgePage(token, pages).html).toContain('<form method="post"');
    expect(harness.acks.of(alert.fingerprint, alert.firedAt!)).toBeUndefined();
    expect(acknowledgeSubmit(token, 'by=Ana&comment=looking+at+the+database', pages).status).toBe(200);
    harness.evaluate([alert]);
    // The team's webhook (paged with the mail) and the secondary hear it once; the mail, whose
    // link was used, does not.
    await eventually(() => expect(reasons(secondary)).toEqual(['escalated', 'acknowledged']));
    await eventually(() => expect(reasons(primary)).toEqual(['first', 'acknowledged']));
    const notice = payloads(secondary)[1]!;
    expect(notice.alerts[0]!.acknowledged).toMatchObject({ by: 'Ana', comment: 'looking at the database' });
    expect(notice.alerts[0]!.acknowledgeURL).toBeUndefined();
    expect(notice.idempotencyKey).not.toBe(payloads(secondary)[0]!.idempotencyKey);

    // Past the second step and past repeat_interval: nobody is told anything more.
    now = t0 + 31 * MINUTE;
    harness.evaluate([alert]);
    await sleep(300);
    now = t0 + 3 * 60 * MINUTE;
    harness.evaluate([alert]);
    await sleep(500);
    expect(manager.delivered).toHaveLength(0);
    expect(reasons(primary)).toEqual(['first', 'acknowledged']);
    expect(reasons(secondary)).toEqual(['escalated', 'acknowledged']);
    expect(smtp.mails).toHaveLength(1);

    // Resolved: both paged receivers hear it, the manager (never told) does not.
    harness.evaluate([resolved(alert)]);
    await eventually(() => {
      expect(reasons(primary)).toEqual(['first', 'acknowledged', 'resolved']);
      expect(reasons(secondary)).toEqual(['escalated', 'acknowledged', 'resolved']);
      return true;
    });
    expect(manager.delivered).toHaveLength(0);
  });

  it('keeps repeating and escalating an alert nobody acknowledges', async () => {
    const [primary, secondary] = await Promise.all([webhookSink(), webhookSink()]);
    const t0 = Date.parse('2026-12-07T02:00:00Z');
    let now = t0;
    const harness = startNotifier(
      `
route:
  receiver: primary
  group_by: [alertname]
  group_wait: 0s
  group_interval: 100ms
  repeat_interval: 1h
  escalate: [{ after: 5m, receiver: secondary }]
receivers:
  - name: primary
    webhook_configs: [{ url: ${primary.url}, timeout: 2s }]
  - name: secondary
    webhook_configs: [{ url: ${secondary.url}, timeout: 2s }]
`,
      { now: () => now },
    );
    const alert = alertFor({ alert: 'ProbeDown', firedAt: t0 - 1_000 });
    harness.evaluate([alert]);
    await eventually(() => expect(reasons(primary)).toEqual(['first']));
    now = t0 + 5 * MINUTE;
    await eventually(() => expect(reasons(secondary)).toEqual(['escalated']));
    now = t0 + 65 * MINUTE;
    await eventually(() => {
      expect(reasons(primary)).toEqual(['first', 'repeat']);
      expect(reasons(secondary)).toEqual(['escalated', 'repeat']);
      return true;
    });
  });

  it('never offers to acknowledge the Watchdog', async () => {
    const sink = await webhookSink();
    const harness = startNotifier(`
global: { watchdog: true }
route:
  receiver: hooks
  group_wait: 0s
  group_interval: 100ms
receivers:
  - name: hooks
    webhook_configs: [{ url: ${sink.url}, timeout: 2s }]
`);
    harness.evaluate([]);
    await eventually(() => expect(sink.delivered.length).toBeGreaterThan(0));
    expect(payloads(sink)[0]!.alerts[0]!.acknowledgeURL).toBeUndefined();
  });
});
