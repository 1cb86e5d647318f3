/**
 * Acknowledging through the instance that does not lead: two `prismwatch run` processes share a
 * PostgreSQL store. The leader pages (and signs the link); the link, opened on the other
 * instance, verifies there (the key is in the shared store) and its acknowledgement reaches the
 * leader, which tells the team once and stops repeating.
 */
import { describe, expect, it } from 'vitest';
import { startCli } from '../helpers/cli.js';
import { configDir } from '../helpers/config-dir.js';
import { eventually, outboxDepth } from '../helpers/metrics.js';
import { sleep } from '../helpers/notifier.js';
import { privatePostgres } from '../helpers/private-postgres.js';
import { withHttpServer } from '../helpers/servers.js';
import { notificationReasons, smtpSink, webhookSink } from '../helpers/sinks.js';

const EXTERNAL = 'https://prismwatch.example.test';
const reasons = notificationReasons;

async function leading(base: string): Promise<boolean> {
  try {
    const body = (await (await fetch(`${base}/api/v1/status`)).json()) as { state: { leading: boolean } };
    return body.state.leading;
  } catch {
    return false;
  }
}

describe('acknowledging on a shared store', () => {
  it('takes a link on the instance that does not lead, and the leader stops repeating', async () => {
    const pg = await privatePostgres();
    const team = await webhookSink();
    const smtp = await smtpSink();
    const target = await withHttpServer((_req, res) => res.writeHead(503).end());
    const dir = configDir();
    dir.write(
      'c.yaml',
      `probes:
  - { name: checkout, kind: http, url: "${target.url}/", interval: 200ms, timeout: 150ms }
rules:
  - { alert: CheckoutDown, severity: critical, signal: up, op: '==', threshold: 0 }
global: { external_url: "${EXTERNAL}" }
route:
  receiver: primary
  group_by: [alertname, probe]
  group_wait: 100ms
  group_interval: 300ms
  repeat_interval: 2s
receivers:
  - name: primary
    email_configs: [{ to: oncall@example.test, from: pw@example.test, smarthost: "${smtp.smarthost}", require_tls: false, timeout: 5s }]
    webhook_configs: [{ url: "${team.url}", timeout: 5s }]
`,
    );
    const args = ['--config', dir.path, '--state.url', pg.url, '--rules.evaluation-interval', '100ms'];
    const instances = [await startCli(args), await startCli(args)];
    await eventually(
      async () => (await Promise.all(instances.map((i) => leading(i.baseUrl)))).filter(Boolean).length === 1,
    );
    const follower = (await leading(instances[0]!.baseUrl)) ? instances[1]! : instances[0]!;

    // Paged, and reminded: nobody has it yet.
    await eventually(
      () => reasons(team)[0] === 'first' && reasons(team).includes('repeat') && smtp.mails.length >= 1,
    );
    const link = /acknowledge: (\S+)/
      .exec(smtp.mails[0]!.text ?? '')![1]!
      .replace(EXTERNAL, follower.baseUrl);

    // The key and the alerts reach the follower within its sync interval.
    await eventually(async () => (await fetch(link)).status === 200);
    const done = await fetch(link, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: 'by=Ana',
    });
    expect(done.status).toBe(200);
    expect(await done.text()).toContain('Acknowledged by <strong>Ana</strong>');

    await eventually(() => reasons(team).includes('acknowledged'));
    // Reminders the leader decided before it saw the acknowledgement may still be on their way.
    const leader = follower === instances[0] ? instances[1]! : instances[0]!;
    await eventually(async () => (await outboxDepth(leader.baseUrl)) === 0);
    const told = reasons(team).length;
    const mails = smtp.mails.length;
    // Two repeat intervals and more: the leader reminds nobody of an acknowledged alert.
    await sleep(5_000);
    expect(reasons(team).slice(told)).toEqual([]);
    expect(smtp.mails.length).toBe(mails);
    expect(reasons(team).filter((reason) => reason === 'acknowledged')).toHaveLength(1);
  });
});
