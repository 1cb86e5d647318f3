/** The discord receiver against a loopback Discord webhook: embeds within limits, retry_after, 404. */
import { describe, expect, it } from 'vitest';
import { firingThenResolved, rejectedForGood, throttledThenDelivered } from '../helpers/channel-contract.js';
import { discordStandIn } from '../helpers/vendor-standins.js';

const discord = (url: string) => `discord_configs: [{ webhook_url: "${url}", timeout: 2s }]`;
type Embeds = { embeds: Array<{ title: string; description: string; color: number }> };

describe('discord receiver', () => {
  it('posts a red embed with the evidence, then a green one when resolved', async () => {
    const hook = await discordStandIn();
    const [firing, resolved] = await firingThenResolved(hook, discord(hook.url));
    const embed = (firing.json as unknown as Embeds).embeds[0]!;
    expect(embed.color).toBe(0xe74c3c);
    expect(embed.title).toMatch(/^\[FIRING:1\] HighErrorRate/);
    expect(embed.description).toContain('threshold: > 0.05');
    expect((resolved.json as unknown as Embeds).embeds[0]!.color).toBe(0x2ecc71);
  });

  it('waits the fractional retry_after of a 429, then delivers once', async () => {
    const hook = await discordStandIn();
    await throttledThenDelivered(hook, discord(hook.url), {
      status: 429,
      body: '{"message":"You are being rate limited.","retry_after":1.05,"global":false}',
    });
  });

  it('does not retry Unknown Webhook, and NotificationsFailing says so', async () => {
    const hook = await discordStandIn();
    hook.script.push({ status: 404, body: '{"message":"Unknown Webhook","code":10015}' });
    await rejectedForGood(hook, discord(hook.url), 'Discord rejected the message: Unknown Webhook');
  });
});
