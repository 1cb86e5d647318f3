/** The slack receiver against a loopback Slack: incoming webhook and chat.postMessage contracts. */
import { describe, expect, it } from 'vitest';
import {
  firingThenResolved,
  rejectedForGood,
  routeTo,
  throttledThenDelivered,
} from '../helpers/channel-contract.js';
import { eventually } from '../helpers/metrics.js';
import { alertFor, startNotifier } from '../helpers/notifier.js';
import { slackStandIn } from '../helpers/vendor-standins.js';

const webhook = (url: string) => `slack_configs: [{ api_url: "${url}", send_resolved: true, timeout: 2s }]`;
const bot = (url: string) =>
  `slack_configs: [{ app_token: xoxb-test-token, app_url: "${url}", channel: "#ops", send_resolved: true, timeout: 2s }]`;

interface Attachment {
  color: string;
  title: string;
  title_link: string;
  text: string;
}
const attachmentOf = (json: Record<string, unknown> | undefined) => (json!.attachments as Attachment[])[0]!;

describe('slack receiver', () => {
  it('posts a red attachment with the evidence, then a green one when resolved (webhook)', async () => {
    const slack = await slackStandIn('webhook');
    const [firing, resolved] = await firingThenResolved(slack, webhook(slack.url));
    const first = attachmentOf(firing.json);
    expect(first).toMatchObject({ color: 'danger', title_link: 'http://prismwatch.test:9797' });
    expect(first.title).toMatch(/^\[FIRING:1\] HighErrorRate/);
    expect(first.text).toContain('HighErrorRate on api');
    expect(first.text).toContain('threshold: > 0.05');
    expect(attachmentOf(resolved.json)).toMatchObject({ color: 'good' });
    expect(attachmentOf(resolved.json).title).toMatch(/^\[RESOLVED\]/);
  });

  it('posts with a bot token to the channel, and takes {"ok":true} as delivered', async () => {
    const slack = await slackStandIn('bot');
    const [firing] = await firingThenResolved(slack, bot(slack.url));
    expect(firing.headers.authorization).toBe('Bearer xoxb-test-token');
    expect(firing.json?.channel).toBe('#ops');
  });

  it('waits as long as Retry-After asks on 429, then delivers once', async () => {
    const slack = await slackStandIn('webhook');
    await throttledThenDelivered(slack, webhook(slack.url));
  });

  it('does not retry invalid_payload, and NotificationsFailing says so', async () => {
    const slack = await slackStandIn('webhook');
    slack.script.push({ status: 400, body: 'invalid_payload' });
    await rejectedForGood(slack, webhook(slack.url), 'invalid_payload');
  });

  it('does not retry {"ok":false,"error":"channel_not_found"} from chat.postMessage', async () => {
    const slack = await slackStandIn('bot');
    slack.script.push({ status: 200, body: '{"ok":false,"error":"channel_not_found"}' });
    await rejectedForGood(slack, bot(slack.url), 'channel_not_found', 'rejected');
  });

  it('keeps 300 alerts within 40,000 characters and says how many it left out', async () => {
    const slack = await slackStandIn('webhook');
    const { evaluate } = startNotifier(routeTo(webhook(slack.url), '[alertname]'));
    evaluate(Array.from({ length: 300 }, (_, i) => alertFor({ probe: `probe-${i}` })));
    await eventually(() => slack.requests.length >= 1, 10_000);
    const text = attachmentOf(slack.requests[0]!.json).text;
    expect([...text].length).toBeLessThanOrEqual(40_000);
    expect(text).toMatch(/… \d+ more alerts: http:\/\/prismwatch\.test:9797$/);
    expect(slack.problems).toEqual([]);
  });

  it('refuses a config with neither api_url nor app_token, or a token without a channel', () => {
    expect(() => startNotifier(routeTo('slack_configs: [{ channel: "#ops" }]'))).toThrow(
      /expected either api_url \(a webhook\) or app_token \(a bot\)/,
    );
    expect(() => startNotifier(routeTo('slack_configs: [{ app_token: xoxb-1 }]'))).toThrow(
      /slack_configs\[0\]\.channel: .*expected a channel to post to with app_token/,
    );
  });
});
