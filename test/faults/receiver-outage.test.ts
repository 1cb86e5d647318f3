/**
 * Both receivers down for a long outage while two probes flap, then back: every notification the
 * daemon queued is delivered once (no idempotency key twice, none missing), in order per group
 * (a group's notices alternate firing/resolved with non-decreasing starts, ending resolved), on
 * email and on webhook alike.
 *
 * CI runs a 20 s outage. The 10 minutes is the same test with
 *   PRISMWATCH_OUTAGE_SECONDS=600 npx vitest run test/faults/receiver-outage.test.ts
 * (docs/benchmarks.md records that run). The backoff caps at 60 s, so a longer outage only adds
 * waiting, not new states.
 */
import type { ParsedMail } from 'mailparser';
import { describe, expect, it } from 'vitest';
import { startCli } from '../helpers/cli.js';
import { configDir } from '../helpers/config-dir.js';
import { eventually, sample } from '../helpers/metrics.js';
import { sleep } from '../helpers/notifier.js';
import { withHttpServer } from '../helpers/servers.js';
import { smtpSink, webhookSink } from '../helpers/sinks.js';

const OUTAGE_S = Number(process.env.PRISMWATCH_OUTAGE_SECONDS ?? 20);
const FLIPS = 8;

interface Notice {
  readonly key: string;
  readonly group: string;
  readonly status: string;
  readonly startsAt: string;
}

/** Each group's notices in arrival order must alternate firing/resolved and never go back in time. */
function expectOrdered(notices: readonly Notice[], groups: readonly string[]): void {
  for (const group of groups) {
    const mine = notices.filter((notice) => notice.group === group);
    expect(mine.length, group).toBeGreaterThanOrEqual(2);
    for (let i = 1; i < mine.length; i++) {
      expect(mine[i]!.status, `${group} #${i}`).not.toBe(mine[i - 1]!.status);
      expect(mine[i]!.startsAt >= mine[i - 1]!.startsAt, `${group} #${i} starts`).toBe(true);
    }
    expect(mine.at(-1)!.status, group).toBe('resolved');
  }
}

const groupOf = (labels: Record<string, string>) => `${labels.alertname} ${labels.probe}`;

function mailNotice(mail: ParsedMail): Notice {
  const key = String(mail.headers.get('x-prismwatch-idempotency-key'));
  const subject = mail.subject ?? '';
  const starts = /since: (\S+)/.exec(mail.text ?? '')?.[1] ?? '';
  return {
    key,
    // "[FIRING:1] WebDown a (critical)": the group labels (alertname, probe) in name order.
    group: /^\[[^\]]+\] (\S+ \S+)/.exec(subject)?.[1] ?? subject,
    status: subject.startsWith('[RESOLVED]') ? 'resolved' : 'firing',
    startsAt: starts,
  };
}

describe('receivers down for a long outage', () => {
  it(
    `delivers everything queued during a ${OUTAGE_S} s outage once, in order per group, by email and webhook`,
    async () => {
      const hooks = await webhookSink();
      const smtp = await smtpSink();
      await hooks.down();
      await smtp.down();
      const states = { a: true, b: true };
      const a = await withHttpServer((_req, res) => res.writeHead(states.a ? 200 : 500).end());
      const b = await withHttpServer((_req, res) => res.writeHead(states.b ? 200 : 500).end());
      const dir = configDir();
      dir.write(
        'c.yaml',
        `probes:
  - { name: a, kind: http, url: "${a.url}/", interval: 100ms, timeout: 80ms }
  - { name: b, kind: http, url: "${b.url}/", interval: 100ms, timeout: 80ms }
rules:
  - { alert: WebDown, severity: critical, signal: up, op: '==', threshold: 0 }
route: { receiver: both, group_by: [alertname, probe], group_wait: 100ms, group_interval: 300ms }
receivers:
  - name: both
    webhook_configs: [{ url: "${hooks.url}", timeout: 2s }]
    email_configs: [{ to: ops@example.test, from: prismwatch@example.test, smarthost: "${smtp.smarthost}", require_tls: false, timeout: 2s }]
`,
      );
      const daemon = await startCli(['--config', dir.path, '--rules.evaluation-interval', '100ms']);

      // The outage: each probe goes down and up FLIPS / 2 times, out of step with the other.
      const step = (OUTAGE_S * 1000) / FLIPS;
      for (let flip = 0; flip < FLIPS; flip++) {
        if (flip % 2 === 0) states.a = !states.a;
        else states.b = !states.b;
        await sleep(step);
      }
      states.a = true;
      states.b = true;
      await sleep(1_000);
      const queued = async () => {
        const text = await (await fetch(`${daemon.baseUrl}/metrics`)).text();
        return (
          (sample(text, 'prismwatch_notification_outbox_depth', { integration: 'both/webhook/0' }) ?? 0) +
          (sample(text, 'prismwatch_notification_outbox_depth', { integration: 'both/email/0' }) ?? 0)
        );
      };
      expect(await queued()).toBeGreaterThan(0);
      expect(hooks.delivered).toHaveLength(0);

      await hooks.up();
      await smtp.up();
      // After the outage a delivery waits for its next attempt: at most the 60 s backoff cap (+50 % jitter).
      await eventually(async () => (await queued()) === 0, 120_000);
      await sleep(500);

      const webhookNotices = hooks.delivered.map(
        (delivery): Notice => ({
          key: String(delivery.headers['idempotency-key']),
          group: groupOf(delivery.body.groupLabels as Record<string, string>),
          status: delivery.body.status,
          startsAt: String(delivery.body.alerts[0]!.startsAt),
        }),
      );
      const mailNotices = smtp.mails.map(mailNotice);
      for (const notices of [webhookNotices, mailNotices]) {
        expect(new Set(notices.map((notice) => notice.key)).size).toBe(notices.length);
        expectOrdered(notices, ['WebDown a', 'WebDown b']);
      }
      // The same notifications went to both integrations. An outage longer than
      // notifications_failing_after also raises NotificationsFailing about each integration, which
      // goes to the other one (queued there too) and resolves once it delivers.
      const probeNotices = (notices: readonly Notice[]) =>
        notices
          .filter((n) => n.group.startsWith('WebDown'))
          .map((n) => `${n.group} ${n.status}`)
          .sort();
      expect(probeNotices(mailNotices)).toEqual(probeNotices(webhookNotices));
      for (const notices of [webhookNotices, mailNotices]) {
        const meta = notices.filter((n) => n.group.startsWith('NotificationsFailing'));
        if (meta.length > 0) expect(meta.at(-1)!.status).toBe('resolved');
      }
      const text = await (await fetch(`${daemon.baseUrl}/metrics`)).text();
      expect(sample(text, 'prismwatch_notifications_total', { integration: 'both/webhook/0' })).toBe(
        hooks.delivered.length,
      );
    },
    (OUTAGE_S + 180) * 1000,
  );
});
