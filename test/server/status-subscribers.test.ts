/**
 * Status page subscribers, end to end: an address subscribes through the page's form in headless
 * Chromium, confirms through the link from a real SMTP server's mail (opening it confirms
 * nothing), and then hears each update of a written incident exactly once, with a way out in
 * every message; a webhook subscriber added through the API gets the same updates signed. The
 * form never says who is subscribed, never mails an address twice for asking twice, and stops
 * taking addresses past the cap on unconfirmed ones. Unsubscribing (RFC 8058 one-click) stops it.
 */
import { createHmac } from 'node:crypto';
import type { ParsedMail } from 'mailparser';
import { describe, expect, it } from 'vitest';
import { chromiumAvailable, launchChromium } from '../helpers/chromium.js';
import { startCli } from '../helpers/cli.js';
import { configDir } from '../helpers/config-dir.js';
import { eventually } from '../helpers/metrics.js';
import { sleep } from '../helpers/notifier.js';
import { withHttpServer } from '../helpers/servers.js';
import { smtpSink, webhookSink } from '../helpers/sinks.js';

const TOKEN = 'subscribers-token';
const auth = { authorization: `Bearer ${TOKEN}`, 'content-type': 'application/json' };
const to = (mail: ParsedMail) => (Array.isArray(mail.to) ? mail.to[0] : mail.to)?.text ?? '';

describe('status page subscribers', () => {
  it('is run in CI', () => {
    if (process.env.CI === 'true')
      expect(chromiumAvailable, 'chromium is missing: .ci/run installs it').toBe(true);
  });

  it.runIf(chromiumAvailable)(
    'confirm through the mailed link, then hear every update once; webhooks signed; unsubscribe stops it',
    async () => {
      const smtp = await smtpSink();
      const hooks = await webhookSink();
      const up = await withHttpServer((_req, res) => res.writeHead(200).end('ok'));
      const dir = configDir();
      dir.write(
        'c.yaml',
        `probes:
  - { name: api, kind: http, url: "${up.url}/", interval: 1s }
status_pages:
  - slug: customers
    title: Example status
    components: [{ name: API, select: { names: [api] } }]
    subscriptions:
      email: { from: status@example.test, smarthost: "${smtp.smarthost}", require_tls: false, timeout: 5s }
      webhooks: true
      max_pending: 2
`,
      );
      const daemon = await startCli(['--config', dir.path], { PRISMWATCH_API_TOKEN: TOKEN });
      const base = daemon.baseUrl;

      // Subscribing through the page's own form, twice: one confirmation mail.
      const browser = await launchChromium();
      const page = await browser.newPage();
      for (let i = 0; i < 2; i++) {
        await page.goto(`${base}/status/customers`);
        await page.fill('#email', 'Ana@Example.test');
        await page.click('button[type=submit]');
        expect(await page.textContent('main')).toContain('a message with a confirmation link is on its way');
      }
      await eventually(() => smtp.mails.length === 1);
      const confirm = /Confirm: (\S+)/.exec(smtp.mails[0]!.text ?? '')![1]!;
      expect(to(smtp.mails[0]!)).toBe('ana@example.test');
      const counts = async () =>
        (await (
          await fetch(`${base}/api/v1/status-pages/customers/subscribers`, { headers: auth })
        ).json()) as {
          email: { confirmed: number; pending: number };
          webhook: { confirmed: number };
        };
      // Opening the link (as a mail scanner would) confirms nothing; its button does.
      await page.goto(confirm);
      expect((await counts()).email).toEqual({ confirmed: 0, pending: 1 });
      await page.click('button[type=submit]');
      expect(await page.textContent('h1')).toBe('Subscribed');
      expect((await counts()).email).toEqual({ confirmed: 1, pending: 0 });

      // The cap on unconfirmed subscriptions: two wait, the third is turned away.
      const form = (email: string) =>
        fetch(`${base}/status/customers/subscribe`, {
          method: 'POST',
          headers: { 'content-type': 'application/x-www-form-urlencoded' },
          body: new URLSearchParams({ email }).toString(),
        });
      expect((await form('bo@example.test')).status).toBe(202);
      expect((await form('cy@example.test')).status).toBe(202);
      expect((await form('di@example.test')).status).toBe(429);
      expect((await form('not an address')).status).toBe(400);

      // A webhook subscriber, through the API; its secret is shown once.
      const added = (await (
        await fetch(`${base}/api/v1/status-pages/customers/subscribers`, {
          method: 'POST',
          headers: auth,
          body: JSON.stringify({ url: hooks.url }),
        })
      ).json()) as { id: string; secret: string };
      expect(added.secret).toMatch(/^[\w-]{32}$/);

      // An incident and two updates.
      const opened = (await (
        await fetch(`${base}/api/v1/status-incidents`, {
          method: 'POST',
          headers: auth,
          body: JSON.stringify({
            title: 'Slow API',
            impact: 'degraded',
            components: ['API'],
            message: 'Looking.',
            createdBy: 'Ana',
          }),
        })
      ).json()) as { id: string };
      for (const [state, message] of [
        ['identified', 'A slow query.'],
        ['resolved', 'Fixed.'],
      ])
        await fetch(`${base}/api/v1/status-incidents/${opened.id}/updates`, {
          method: 'POST',
          headers: auth,
          body: JSON.stringify({ state, message, createdBy: 'Ana' }),
        });

      const updatesTo = (address: string) =>
        smtp.mails.filter((mail) => to(mail) === address && !String(mail.subject).startsWith('Confirm'));
      await eventually(() => updatesTo('ana@example.test').length >= 3 && hooks.delivered.length >= 3);
      await sleep(1_000);
      const mails = updatesTo('ana@example.test');
      expect(mails.map((mail) => mail.subject)).toEqual([
        '[Example status] Investigating: Slow API',
        '[Example status] Identified: Slow API',
        '[Example status] Resolved: Slow API',
      ]);
      expect(new Set(mails.map((mail) => mail.messageId)).size).toBe(3);
      // Pending subscribers got their confirmation request and nothing else.
      expect(updatesTo('bo@example.test')).toHaveLength(0);
      expect(smtp.mails.filter((mail) => String(mail.subject).startsWith('Confirm'))).toHaveLength(3);
      // mailparser reads List-* headers into `list`: List-Unsubscribe and List-Unsubscribe-Post.
      const list = mails[2]!.headers.get('list') as {
        unsubscribe: { url: string };
        'unsubscribe-post': { name: string };
      };
      const unsubscribe = list.unsubscribe.url;
      expect(list['unsubscribe-post'].name).toBe('List-Unsubscribe=One-Click');
      expect(mails[2]!.text).toContain(`Unsubscribe: ${unsubscribe}`);

      // The webhook: three updates, each signed under its secret, each with its own key.
      expect(hooks.delivered).toHaveLength(3);
      for (const delivery of hooks.delivered) {
        const [t, v1] = String(delivery.headers['x-prismwatch-signature'])
          .split(',')
          .map((part) => part.split('=')[1]);
        expect(createHmac('sha256', added.secret).update(`${t}.${delivery.raw}`).digest('hex')).toBe(v1);
        expect(delivery.body).toMatchObject({ type: 'incident_update', page: { slug: 'customers' } });
      }
      expect(new Set(hooks.delivered.map((delivery) => delivery.headers['idempotency-key'])).size).toBe(3);

      // One-click unsubscribe (what a mail client does), then one more update: only the webhook hears it.
      const gone = await fetch(unsubscribe, {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        body: 'List-Unsubscribe=One-Click',
      });
      expect(gone.status).toBe(200);
      await fetch(`${base}/api/v1/status-incidents/${opened.id}/updates`, {
        method: 'POST',
        headers: auth,
        body: JSON.stringify({
          state: 'resolved',
          message: 'Post-mortem published.',
          createdBy: 'Ana',
          postmortem: 'An index.',
        }),
      });
      await eventually(() => hooks.delivered.length === 4);
      await sleep(500);
      expect(updatesTo('ana@example.test')).toHaveLength(3);
      expect((await counts()).email.confirmed).toBe(0);

      // A maintenance window over the page's component is news for its subscribers too.
      const window = await fetch(`${base}/api/v1/maintenance`, {
        method: 'POST',
        headers: auth,
        body: JSON.stringify({
          matchers: ['probe="api"'],
          duration: '30m',
          createdBy: 'Ana',
          comment: 'Database upgrade',
        }),
      });
      expect(window.status).toBe(201);
      await eventually(() => hooks.delivered.length === 5);
      expect(hooks.delivered[4]!.body).toMatchObject({
        type: 'maintenance',
        maintenance: { comment: 'Database upgrade', components: ['API'] },
      });
    },
  );
});
