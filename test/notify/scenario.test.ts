/**
 * Issue 5's "done when", scaled in time (2 s → 200 ms, 5 min windows → seconds): a loopback target
 * goes healthy → 10 % errors → slow → healthy. (The scale leaves room for a busy machine: at
 * 50 ms, a loaded CI machine's own latency fired the warning in the healthy phase.) Critical alerts go to a pager (email + webhook),
 * warnings to a team (email + webhook); the SMTP server is down while the critical fires and the
 * webhook is down while the warning fires. Every expected notification arrives exactly once, grouped,
 * then resolved; the warning stays muted while the critical on the same probe fires.
 */
import type { ParsedMail } from 'mailparser';
import { describe, expect, it } from 'vitest';
import { configDir } from '../helpers/config-dir.js';
import { startDaemon } from '../helpers/daemon.js';
import { eventually } from '../helpers/metrics.js';
import { sleep, tempDataDir } from '../helpers/notifier.js';
import { withHttpServer } from '../helpers/servers.js';
import { smtpSink, type WebhookDelivery, webhookSink } from '../helpers/sinks.js';

function target() {
  const switches = { errorEvery: 0, latencyMs: 0 };
  let count = 0;
  const server = withHttpServer((_req, res) => {
    count += 1;
    const fail = switches.errorEvery > 0 && count % switches.errorEvery === 0;
    setTimeout(() => res.writeHead(fail ? 500 : 200).end(fail ? 'error' : 'ok'), switches.latencyMs);
  });
  return { switches, server };
}

const summaryOf = (delivery: WebhookDelivery) =>
  `${delivery.body.receiver} ${delivery.body.status} ${String((delivery.body.commonLabels as Record<string, string>).alertname)}`;
const subjects = (mails: readonly ParsedMail[]) =>
  mails.map(
    (mail) =>
      `${String(mail.to && (Array.isArray(mail.to) ? mail.to[0]!.text : mail.to.text))} ${mail.subject}`,
  );

describe('delivery scenario: healthy → 10 % errors → slow → recovered', () => {
  it('delivers exactly the expected critical and warning notifications on email and webhook, with each down for a while', async () => {
    const { switches, server } = target();
    const api = await server;
    const smtp = await smtpSink();
    const hooks = await webhookSink();
    const dir = configDir();
    dir.write(
      'probes.yaml',
      `probes:
  - name: api
    kind: http
    url: ${api.url}/api
    interval: 400ms
    timeout: 380ms
`,
    );
    dir.write(
      'alerts.yaml',
      `rules:
  - alert: HighErrorRate
    severity: critical
    signal: error_ratio
    window: 10s
    min_samples: 20
    op: '>'
    threshold: 0.05
    keep_firing_for: 1s
    annotations: { summary: '{{probe}}: {{value}} of requests failing' }
  - alert: SlowResponses
    severity: warning
    signal: latency_p95
    window: 4s
    min_samples: 5
    op: '>'
    threshold: 200ms
    keep_firing_for: 1s
    annotations: { summary: '{{probe}}: p95 {{value}}' }
route:
  receiver: log
  group_by: [alertname, probe]
  group_wait: 200ms
  group_interval: 500ms
  repeat_interval: 1h
  routes:
    - receiver: log
      continue: true
    - receiver: pager
      matchers: ['severity="critical"']
    - receiver: team
      matchers: ['severity="warning"']
receivers:
  - name: log
    log_configs: [{}]
  - name: pager
    email_configs:
      - { smarthost: "${smtp.smarthost}", from: prismwatch@example.test, to: pager@example.test, require_tls: false, timeout: 2s }
    webhook_configs: [{ url: "${hooks.url}", timeout: 1s }]
  - name: team
    email_configs:
      - { smarthost: "${smtp.smarthost}", from: prismwatch@example.test, to: team@example.test, require_tls: false, timeout: 2s }
    webhook_configs: [{ url: "${hooks.url}", timeout: 1s }]
inhibit_rules:
  - source_matchers: ['severity="critical"']
    target_matchers: ['severity="warning"']
    equal: [probe]
`,
    );
    await startDaemon(dir.path, { evaluationIntervalMs: 100, dataDir: tempDataDir() });

    // Healthy: nobody hears anything.
    await sleep(1_500);
    expect(hooks.attempts).toHaveLength(0);
    expect(smtp.mails).toHaveLength(0);

    // 10 % errors (1 request in 10) while the SMTP server is down: the webhook pages, the email waits.
    await smtp.down();
    switches.errorEvery = 10;
    await eventually(
      () => hooks.delivered.some((d) => summaryOf(d) === 'pager firing HighErrorRate'),
      20_000,
    );
    expect(smtp.mails).toHaveLength(0);
    await sleep(500);
    await smtp.up();
    await eventually(
      () => subjects(smtp.mails).includes('pager@example.test [FIRING:1] HighErrorRate api (critical)'),
      20_000,
    );

    // Slow (300 ms against a 200 ms threshold), errors gone, and now the webhook is down.
    await hooks.down();
    switches.errorEvery = 0;
    switches.latencyMs = 300;
    await eventually(
      () =>
        subjects(smtp.mails).includes('pager@example.test [RESOLVED] HighErrorRate api (critical)') &&
        subjects(smtp.mails).includes('team@example.test [FIRING:1] SlowResponses api (warning)'),
      20_000,
    );
    await hooks.up();
    await eventually(
      () =>
        hooks.delivered.some((d) => summaryOf(d) === 'pager resolved HighErrorRate') &&
        hooks.delivered.some((d) => summaryOf(d) === 'team firing SlowResponses'),
      20_000,
    );

    // Recovery.
    switches.latencyMs = 0;
    await eventually(
      () =>
        hooks.delivered.some((d) => summaryOf(d) === 'team resolved SlowResponses') &&
        subjects(smtp.mails).includes('team@example.test [RESOLVED] SlowResponses api (warning)'),
      20_000,
    );
    await sleep(2_000);

    expect(subjects(smtp.mails).sort()).toEqual([
      'pager@example.test [FIRING:1] HighErrorRate api (critical)',
      'pager@example.test [RESOLVED] HighErrorRate api (critical)',
      'team@example.test [FIRING:1] SlowResponses api (warning)',
      'team@example.test [RESOLVED] SlowResponses api (warning)',
    ]);
    const delivered = hooks.delivered.map(summaryOf);
    expect([...delivered].sort()).toEqual([
      'pager firing HighErrorRate',
      'pager resolved HighErrorRate',
      'team firing SlowResponses',
      'team resolved SlowResponses',
    ]);
    // In order within a group; two groups queued during the outage may arrive in either order.
    expect(delivered.indexOf('pager firing HighErrorRate')).toBeLessThan(
      delivered.indexOf('pager resolved HighErrorRate'),
    );
    expect(delivered.indexOf('team firing SlowResponses')).toBeLessThan(
      delivered.indexOf('team resolved SlowResponses'),
    );
    // The warning was muted while the critical fired: its first notice went out only after the
    // critical resolved (the two groups flush on their own timers, so mail order can differ).
    const criticalResolved = smtp.mails.find((mail) => mail.subject?.startsWith('[RESOLVED] HighErrorRate'))!;
    const resolvedAt = Date.parse(/resolved: (\S+)/.exec(criticalResolved.text ?? '')![1]!);
    const warningFired = smtp.mails.find((mail) => mail.subject?.startsWith('[FIRING:1] SlowResponses'))!;
    // The Date header has whole seconds.
    expect(warningFired.date!.getTime()).toBeGreaterThanOrEqual(Math.floor(resolvedAt / 1000) * 1000);
  }, 240_000);
});
