/**
 * On-call, end to end with the real daemon: a critical alert pages the primary receiver (email to
 * a real SMTP server, and a team webhook), escalates to the secondary after the step's delay, and
 * a restart in the middle sends nothing again. The acknowledge link is read from the mail: opening
 * it acknowledges nothing (a mail scanner's GET), submitting its form does, twice is harmless.
 * Then: the team webhook and the secondary hear "acknowledged" once each, the mail (whose link was
 * used) does not; the second escalation step never comes; nothing repeats; the incident and the
 * alert show who acknowledged; and the resolution reaches everyone who was paged.
 *
 * The delays are real but short (escalation after 2 s, the second step after 30 s, repeats every
 * 4 s): the test only ever waits for things to happen, checks that a thing did not happen only
 * after its time has passed, and allows what a loaded machine legitimately adds (reminders before
 * the acknowledgement). The exact timing of steps is checked on a virtual clock in
 * test/notify/escalation.test.ts.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runCli, startCli } from '../helpers/cli.js';
import { configDir } from '../helpers/config-dir.js';
import { eventually, outboxDepth } from '../helpers/metrics.js';
import { sleep } from '../helpers/notifier.js';
import { withHttpServer } from '../helpers/servers.js';
import { notificationReasons, smtpSink, webhookSink } from '../helpers/sinks.js';

const reasons = notificationReasons;

const EXTERNAL = 'https://prismwatch.example.test';

describe('on-call: page, escalate, acknowledge', () => {
  it('escalates, survives a restart, and stops everything at an acknowledgement from the mailed link', async () => {
    const [team, secondary, manager] = await Promise.all([webhookSink(), webhookSink(), webhookSink()]);
    const smtp = await smtpSink();
    let up = false;
    const target = await withHttpServer((_req, res) => res.writeHead(up ? 200 : 503).end());
    const dir = configDir();
    dir.write(
      'c.yaml',
      `probes:
  - { name: checkout, kind: http, url: "${target.url}/", interval: 100ms, timeout: 80ms }
rules:
  - { alert: CheckoutDown, severity: critical, signal: up, op: '==', threshold: 0 }
global: { external_url: "${EXTERNAL}" }
route:
  receiver: primary
  group_by: [alertname, probe]
  group_wait: 100ms
  group_interval: 300ms
  repeat_interval: 4s
  routes:
    - matchers: [severity="critical"]
      escalate:
        - { after: 2s, receiver: secondary }
        - { after: 30s, receiver: manager }
receivers:
  - name: primary
    email_configs: [{ to: oncall@example.test, from: prismwatch@example.test, smarthost: "${smtp.smarthost}", require_tls: false, timeout: 2s }]
    webhook_configs: [{ url: "${team.url}", timeout: 2s }]
  - name: secondary
    webhook_configs: [{ url: "${secondary.url}", timeout: 2s }]
  - name: manager
    webhook_configs: [{ url: "${manager.url}", timeout: 2s }]
`,
    );
    const dataDir = mkdtempSync(join(tmpdir(), 'prismwatch-oncall-'));
    const args = ['--config', dir.path, '--data-dir', dataDir, '--rules.evaluation-interval', '100ms'];
    let daemon = await startCli(args, { PRISMWATCH_API_TOKEN: 'on-call-token' });

    await eventually(() => smtp.mails.length >= 1 && reasons(team).length >= 1);
    const paged = team.delivered[0]!.at;
    const mail = smtp.mails[0]!;
    expect(mail.subject).toMatch(/^\[FIRING:1\] CheckoutDown checkout \(critical\)/);
    const link = /acknowledge: (\S+)/.exec(mail.text ?? '')?.[1];
    expect(link).toMatch(new RegExp(`^${EXTERNAL}/ack/v1\\.`));
    expect(mail.html).toContain('>Acknowledge</a>');

    await eventually(() => reasons(secondary)[0] === 'escalated');
    expect(secondary.delivered[0]!.at - paged).toBeGreaterThanOrEqual(2_000 - 500);
    expect(String(secondary.delivered[0]!.body.alerts[0]!.acknowledgeURL)).toMatch(/\/ack\/v1\./);

    // A restart in the middle: nobody is paged again, the escalation is not started over.
    daemon.child.kill('SIGTERM');
    await daemon.exited();
    daemon = await startCli(args, { PRISMWATCH_API_TOKEN: 'on-call-token' });
    // The link names the external URL (a reverse proxy in front): sent here to the daemon itself.
    const local = link!.replace(EXTERNAL, daemon.baseUrl);

    // Opening the link shows the alert and a form; it acknowledges nothing.
    const opened = await fetch(local);
    expect(opened.status).toBe(200);
    const form = await opened.text();
    expect(form).toContain('Acknowledge CheckoutDown on checkout?');
    expect(form).toContain('<form method="post" action="">');
    const alerts = async () =>
      (await (await fetch(`${daemon.baseUrl}/api/v1/alerts`)).json()) as Array<{
        labels: Record<string, string>;
        status: { state: string; acknowledgedBy?: { by: string } };
      }>;
    await eventually(async () => (await alerts()).some((alert) => alert.status.state === 'firing'));
    expect(
      (await alerts()).find((alert) => alert.labels.alertname === 'CheckoutDown')!.status.acknowledgedBy,
    ).toBe(undefined);

    const submit = () =>
      fetch(local, {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        body: new URLSearchParams({ by: 'Ana', comment: 'rolling back the deploy' }).toString(),
      });
    const done = await submit();
    expect(done.status).toBe(200);
    expect(await done.text()).toContain('Acknowledged by <strong>Ana</strong>');
    const again = await submit();
    expect(again.status).toBe(200);
    expect(await again.text()).toContain('Already acknowledged');

    // Everyone paged but the mail hears it once (each may have had reminders before: on a loaded
    // machine the acknowledgement can come after a repeat_interval).
    const once = (list: string[]) => list.filter((reason) => reason === 'acknowledged').length === 1;
    await eventually(() => once(reasons(team)) && once(reasons(secondary)));
    const notice = team.delivered.find((delivery) => delivery.body.notificationReason === 'acknowledged')!
      .body.alerts[0]!;
    expect(notice.acknowledged).toMatchObject({ by: 'Ana', comment: 'rolling back the deploy' });
    expect(reasons(team)[0]).toBe('first');
    expect(reasons(secondary)[0]).toBe('escalated');

    const acknowledged = (await alerts()).find((alert) => alert.labels.alertname === 'CheckoutDown')!;
    expect(acknowledged.status.acknowledgedBy?.by).toBe('Ana');
    const incidents = (await (await fetch(`${daemon.baseUrl}/api/v1/incidents`)).json()) as {
      incidents: Array<{ alertname: string; state: string; acknowledged?: { by: string; comment?: string } }>;
    };
    expect(incidents.incidents.find((incident) => incident.alertname === 'CheckoutDown')).toMatchObject({
      state: 'open',
      acknowledged: { by: 'Ana', comment: 'rolling back the deploy' },
    });
    const page = await (await fetch(`${daemon.baseUrl}/`)).text();
    expect(page).toContain('acknowledged by Ana');
    const acknowledgedAt = async () => {
      const body = (await (await fetch(`${daemon.baseUrl}/api/v1/acknowledgements`)).json()) as {
        acknowledgements: Array<{ at: string }>;
      };
      return body.acknowledgements[0]!.at;
    };

    // Past the second step's time and two repeat intervals after the acknowledgement: nothing more
    // for anyone. The second step (30 s after the page) is never told when the acknowledgement
    // came well before it; on a machine so loaded that it did not, that step was due and told.
    const ackAt = Date.parse(await acknowledgedAt());
    // Reminders decided before the acknowledgement was seen may still be on their way (the mail
    // is slower than the webhooks): the baseline is taken once the outbox is empty.
    await eventually(async () => (await outboxDepth(daemon.baseUrl)) === 0);
    const told = {
      team: reasons(team).length,
      secondary: reasons(secondary).length,
      mails: smtp.mails.length,
      manager: manager.delivered.length,
    };
    const quietUntil = Math.max(paged + 30_000, Date.now() + 8_000) + 3_000;
    while (Date.now() < quietUntil) await sleep(250);
    expect({
      team: reasons(team).length,
      secondary: reasons(secondary).length,
      mails: smtp.mails.length,
      manager: manager.delivered.length,
    }).toEqual(told);
    expect(reasons(team).at(-1)).toBe('acknowledged');
    expect(reasons(secondary).at(-1)).toBe('acknowledged');
    expect(smtp.mails.every((mail) => !String(mail.subject).startsWith('[ACKNOWLEDGED]'))).toBe(true);
    const managerPaged = ackAt > paged + 20_000 && manager.delivered.length > 0;
    if (!managerPaged) expect(manager.delivered).toHaveLength(0);

    // Resolved: everyone who was paged hears it; the manager, never paged, does not.
    up = true;
    await eventually(
      () =>
        String(smtp.mails.at(-1)?.subject).startsWith('[RESOLVED]') &&
        reasons(team).at(-1) === 'resolved' &&
        reasons(secondary).at(-1) === 'resolved',
    );
    if (!managerPaged) expect(manager.delivered).toHaveLength(0);
  });

  it('acknowledges from the command line by matchers, and says who had it when asked again', async () => {
    const target = await withHttpServer((_req, res) => res.writeHead(503).end());
    const dir = configDir();
    dir.write(
      'c.yaml',
      `probes:
  - { name: checkout, kind: http, url: "${target.url}/", interval: 100ms, timeout: 80ms }
rules:
  - { alert: CheckoutDown, severity: critical, signal: up, op: '==', threshold: 0 }
`,
    );
    const env = { PRISMWATCH_API_TOKEN: 'on-call-token' };
    const daemon = await startCli(['--config', dir.path, '--rules.evaluation-interval', '100ms'], env);
    const listed = () => runCli(['alerts', '--url', daemon.baseUrl]);
    await eventually(async () => (await listed()).stdout.includes('FIRING'));

    const ack = (author: string) =>
      runCli(
        [
          'alerts',
          'ack',
          '--url',
          daemon.baseUrl,
          'alertname=CheckoutDown',
          'probe=checkout',
          '-a',
          author,
          '--comment',
          'on it',
        ],
        env,
      );
    const first = await ack('Bo');
    expect(first.stderr).toBe('');
    expect(first.stdout).toMatch(/acknowledged now\s+CheckoutDown\s+checkout\s+Bo/);
    const second = await ack('Cy');
    expect(second.stdout).toMatch(/already, at \S+\s+CheckoutDown\s+checkout\s+Bo/);
    expect((await listed()).stdout).toContain('FIRING (acknowledged: Bo)');

    const none = await runCli(
      ['alerts', 'ack', '--url', daemon.baseUrl, 'alertname=NoSuchAlert', '-a', 'Bo'],
      env,
    );
    expect(none.code).toBe(2);
    expect(none.stderr).toContain('HTTP 404: no firing alert matches');
    const unauthorised = await runCli([
      'alerts',
      'ack',
      '--url',
      daemon.baseUrl,
      'alertname=CheckoutDown',
      '-a',
      'Bo',
    ]);
    expect(unauthorised.stderr).toContain('PRISMWATCH_API_TOKEN');
  });
});
