/** The zulip receiver against a loopback Zulip server: a form as the bot, a topic per group, 429, a bad key. */
import { describe, expect, it } from 'vitest';
import { firingThenResolved, rejectedForGood, throttledThenDelivered } from '../helpers/channel-contract.js';
import { zulipStandIn } from '../helpers/vendor-standins.js';

const zulip = (url: string) =>
  `zulip_configs: [{ url: "${url}", bot_email: alerts-bot@example.zulipchat.com, api_key: zk_secret, stream: ops, timeout: 2s }]`;

describe('zulip receiver', () => {
  it("posts to the channel as the bot, the firing and its resolution under the group's topic", async () => {
    const server = await zulipStandIn('alerts-bot@example.zulipchat.com', 'zk_secret');
    const [firing, resolved] = await firingThenResolved(server, zulip(server.url));
    const form = new URLSearchParams(firing.text);
    expect(form.get('to')).toBe('ops');
    expect(form.get('topic')).toBe('alertname=HighErrorRate probe=api');
    expect(form.get('content')).toMatch(/^\*\*\[\[FIRING:1\] HighErrorRate/);
    expect(new URLSearchParams(resolved.text).get('topic')).toBe(form.get('topic'));
  });

  it('waits as long as Retry-After asks on 429, then delivers once', async () => {
    const server = await zulipStandIn('alerts-bot@example.zulipchat.com', 'zk_secret');
    await throttledThenDelivered(server, zulip(server.url), {
      status: 429,
      headers: { 'retry-after': '1' },
      body: '{"result":"error","msg":"API usage exceeded rate limit","code":"RATE_LIMIT_HIT","retry-after":1}',
    });
  });

  it("does not retry a refused key, and says so in Zulip's words", async () => {
    const server = await zulipStandIn('alerts-bot@example.zulipchat.com', 'other');
    await rejectedForGood(server, zulip(server.url), 'Zulip rejected the message: Invalid API key');
  });
});
