/** The rocketchat receiver against a loopback incoming webhook integration: attachments, overrides, 429, a refused hook. */
import { describe, expect, it } from 'vitest';
import { firingThenResolved, rejectedForGood, throttledThenDelivered } from '../helpers/channel-contract.js';
import { rocketChatStandIn } from '../helpers/vendor-standins.js';

const rocketchat = (url: string) =>
  `rocketchat_configs: [{ webhook_url: "${url}", channel: "#ops", alias: prismwatch, timeout: 2s }]`;
type Body = {
  channel: string;
  alias: string;
  attachments: Array<{ color: string; title: string; text: string }>;
};

describe('rocketchat receiver', () => {
  it('posts a red attachment with the overrides, then a green one when resolved', async () => {
    const hook = await rocketChatStandIn();
    const [firing, resolved] = await firingThenResolved(hook, rocketchat(hook.url));
    const body = firing.json as unknown as Body;
    expect(body).toMatchObject({ channel: '#ops', alias: 'prismwatch' });
    expect(body.attachments[0]!.color).toBe('#E74C3C');
    expect(body.attachments[0]!.title).toMatch(/^\[FIRING:1\] HighErrorRate/);
    expect((resolved.json as unknown as Body).attachments[0]!.color).toBe('#2ECC71');
  });

  it('waits as long as Retry-After asks on 429, then delivers once', async () => {
    const hook = await rocketChatStandIn();
    await throttledThenDelivered(hook, rocketchat(hook.url));
  });

  it("does not retry a refused integration, and says so in Rocket.Chat's words", async () => {
    const hook = await rocketChatStandIn();
    hook.script.push({
      status: 404,
      body: '{"success":false,"error":"Invalid integration id or token provided."}',
    });
    await rejectedForGood(
      hook,
      rocketchat(hook.url),
      'Rocket.Chat rejected the message: Invalid integration id or token provided.',
    );
  });
});
