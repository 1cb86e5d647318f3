/**
 * Email through a real SMTP server (smtp-server), mails parsed with mailparser: content, auth,
 * STARTTLS with a CA made in the test, a server down then up, a greeting that stalls.
 */
import { describe, expect, it } from 'vitest';
import { makeCa, makeLeaf, writeCaFile } from '../helpers/certs.js';
import { eventually, sample } from '../helpers/metrics.js';
import { alertFor, resolved, sleep, startNotifier } from '../helpers/notifier.js';
import { smtpSink } from '../helpers/sinks.js';

function routing(smarthost: string, extra: string[] = []) {
  return `
global:
  grafana_url: http://grafana.test:3000/d/prismwatch
route:
  receiver: mail
  group_wait: 50ms
  group_interval: 200ms
receivers:
  - name: mail
    email_configs:
      - smarthost: ${smarthost}
        from: prismwatch@example.test
        to: [oncall@example.test, lead@example.test]
        require_tls: false
        timeout: 2s
        connect_timeout: 500ms
        greeting_timeout: 300ms
        socket_timeout: 1s
${extra.map((line) => `        ${line}`).join('\n')}
`;
}

describe('email delivery', () => {
  it('sends one mail on firing and one on resolution, with text and HTML bodies', async () => {
    const smtp = await smtpSink();
    const { evaluate } = startNotifier(routing(smtp.smarthost));
    const alert = alertFor({ value: 0.0725 });
    evaluate([alert]);
    await eventually(() => smtp.mails.length === 1);
    const mail = smtp.mails[0]!;
    expect(mail.subject).toBe('[FIRING:1] HighErrorRate api (critical)');
    expect(mail.from?.text).toBe('prismwatch@example.test');
    expect((Array.isArray(mail.to) ? mail.to[0] : mail.to)?.text).toBe(
      'oncall@example.test, lead@example.test',
    );
    expect(mail.text).toContain('api: 7% of requests failing');
    expect(mail.text).toContain('value: 0.0725   threshold: > 0.05');
    expect(mail.text).toContain('since: ');
    // Links to the status page's entries, not to a raw JSON API.
    expect(mail.text).toContain(`details: http://prismwatch.test:9797/#alert-${alert.fingerprint}`);
    expect(mail.text).toContain('probe: http://prismwatch.test:9797/#probe-api');
    expect(mail.text).toContain('Grafana: http://grafana.test:3000/d/prismwatch');
    expect(mail.html).toContain('<strong>HighErrorRate</strong>');
    expect(mail.headers.get('x-prismwatch-idempotency-key')).toMatch(/^[0-9a-f]{32}$/);
    evaluate([resolved(alert)]);
    await eventually(() => smtp.mails.length === 2);
    expect(smtp.mails[1]!.subject).toBe('[RESOLVED] HighErrorRate api (critical)');
    await sleep(500);
    expect(smtp.mails).toHaveLength(2);
  });

  it('escapes label values in HTML and keeps line breaks out of the subject', async () => {
    const smtp = await smtpSink();
    const { evaluate } = startNotifier(routing(smtp.smarthost));
    const alert = alertFor();
    evaluate([{ ...alert, annotations: { summary: '<script>alert(1)</script>' } }]);
    await eventually(() => smtp.mails.length === 1);
    expect(smtp.mails[0]!.html).toContain('&lt;script&gt;');
    expect(smtp.mails[0]!.html).not.toContain('<script>');
  });

  it('authenticates with the configured credentials; a wrong password is counted and retried, never sent', async () => {
    const smtp = await smtpSink({ auth: { user: 'alerts', pass: 'right-password' } });
    const good = startNotifier(
      routing(smtp.smarthost, ['auth_username: alerts', 'auth_password: right-password']),
    );
    good.evaluate([alertFor({ probe: 'good' })]);
    await eventually(() => smtp.mails.length === 1);

    const bad = startNotifier(
      routing(smtp.smarthost, ['auth_username: alerts', 'auth_password: wrong-password']),
    );
    bad.evaluate([alertFor({ probe: 'bad' })]);
    await eventually(
      async () =>
        (sample(await bad.registry.metrics(), 'prismwatch_notifications_failed_total', { reason: 'auth' }) ??
          0) >= 2,
      5_000,
    );
    expect(smtp.mails).toHaveLength(1);
    expect(bad.logs.text()).not.toContain('wrong-password');
  });

  it('delivers once after the SMTP server was down', async () => {
    const smtp = await smtpSink();
    await smtp.down();
    const { evaluate, registry } = startNotifier(routing(smtp.smarthost));
    evaluate([alertFor()]);
    await eventually(
      async () =>
        (sample(await registry.metrics(), 'prismwatch_notifications_failed_total', { reason: 'network' }) ??
          0) >= 2,
      5_000,
    );
    await smtp.up();
    await eventually(() => smtp.mails.length === 1, 10_000);
    await sleep(800);
    expect(smtp.mails).toHaveLength(1);
  });

  it('gives up on a stalled greeting after greeting_timeout and delivers once it answers', async () => {
    const smtp = await smtpSink();
    smtp.greetingDelayMs = 2_000;
    const { evaluate, registry } = startNotifier(routing(smtp.smarthost));
    evaluate([alertFor()]);
    await eventually(
      async () =>
        (sample(await registry.metrics(), 'prismwatch_notifications_failed_total', { reason: 'timeout' }) ??
          0) >= 1,
      5_000,
    );
    smtp.greetingDelayMs = 0;
    await eventually(() => smtp.mails.length === 1, 10_000);
    await sleep(500);
    expect(smtp.mails).toHaveLength(1);
  });

  it('requires STARTTLS and verifies the server against ca_file', async () => {
    const ca = await makeCa();
    const leaf = await makeLeaf({ ca, hosts: ['localhost', '127.0.0.1'] });
    const smtp = await smtpSink({ tls: { key: leaf.key, cert: leaf.cert } });
    const { evaluate } = startNotifier(
      routing(smtp.smarthost, []).replace(
        'require_tls: false',
        `require_tls: true\n        tls_config: { ca_file: ${writeCaFile(ca)}, server_name: localhost }`,
      ),
    );
    evaluate([alertFor()]);
    await eventually(() => smtp.mails.length === 1, 5_000);
  });
});
