/**
 * Every notification carries its evidence (issue 15): a daemon probes a target that starts
 * answering 503, and the webhook, the email and the alert show why (the failure's code and
 * text), the value against the threshold, the first failure, a link to the probe; the resolved
 * notice says how long the incident lasted.
 */
import { describe, expect, it } from 'vitest';
import { configDir } from '../helpers/config-dir.js';
import { startDaemon } from '../helpers/daemon.js';
import { eventually } from '../helpers/metrics.js';
import { withHttpServer } from '../helpers/servers.js';
import { smtpSink, webhookSink } from '../helpers/sinks.js';

describe('notifications carry their evidence', () => {
  it('names the failure, the value, the first failure and the probe; the resolution says how long it lasted', async () => {
    let healthy = false;
    const target = await withHttpServer((_req, res) => res.writeHead(healthy ? 200 : 503).end('x'));
    const hook = await webhookSink();
    const smtp = await smtpSink();
    const dir = configDir();
    dir.write(
      'all.yaml',
      `probes:
  - { name: api, kind: http, url: "${target.url}/items", interval: 400ms, timeout: 350ms }
rules:
  - alert: ApiErrors
    severity: critical
    signal: error_ratio
    window: 4s
    min_samples: 3
    op: '>'
    threshold: 0.5
    annotations: { summary: '{{probe}} failing' }
route:
  receiver: both
  group_wait: 0s
  group_interval: 1h
receivers:
  - name: both
    webhook_configs: [{ url: ${hook.url}, timeout: 2s }]
    email_configs: [{ to: oncall@example.test, from: pw@example.test, smarthost: ${smtp.smarthost}, require_tls: false }]
`,
    );
    const { daemon } = await startDaemon(dir.path, { evaluationIntervalMs: 100 });
    const firing = await eventually(() => hook.delivered[0]?.body);
    const alert = firing.alerts[0] as Record<string, unknown> & {
      annotations: Record<string, string>;
      failure: { code: string; message: string };
    };
    expect(alert.failure.code).toBe('status_mismatch');
    expect(alert.failure.message).toContain('503');
    expect(alert.evidence).toMatch(/^\d+ of \d+ runs failed \(100%\) over 4s$/);
    expect(alert.threshold).toBe('> 50%');
    expect(alert.annotations.reason).toBe(`status_mismatch: ${alert.failure.message}`);
    expect(alert.annotations.evidence).toBe(alert.evidence);
    expect(Date.parse(alert.firstFailureAt as string)).toBeLessThanOrEqual(
      Date.parse(alert.startsAt as string),
    );
    expect(alert.probeURL).toBe(`${daemon.baseUrl}/#probe-api`);

    const mail = await eventually(() => smtp.mails[0]);
    expect(mail.text?.split('\n')[0]).toMatch(
      /^ApiErrors on api: \d+ of \d+ runs failed .* \(status_mismatch: .*503/,
    );

    healthy = true;
    const resolved = await eventually(
      () => hook.delivered.find((delivery) => delivery.body.status === 'resolved')?.body,
    );
    const after = resolved.alerts[0] as Record<string, unknown>;
    expect(after.duration).toMatch(/^(\d+m)?\d+s$|^\d+ms$/);
    expect(after.evidence).toMatch(/runs failed \(\d+(\.\d+)?%\) over 4s$/);
    // group_interval is an hour: only flush_on_resolve can have sent it this soon.
    const resolvedMail = await eventually(() => smtp.mails.find((m) => m.subject?.startsWith('[RESOLVED]')));
    expect(resolvedMail.text?.split('\n')[0]).toMatch(/^ApiErrors on api resolved after /);
  });
});
