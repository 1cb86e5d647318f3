/** The webex receiver against a loopback messages API: markdown with the alert escaped, 429, a bad token. */
import { describe, expect, it } from 'vitest';
import { firingThenResolved, rejectedForGood, throttledThenDelivered } from '../helpers/channel-contract.js';
import { webexStandIn } from '../helpers/vendor-standins.js';

const webex = (url: string) =>
  `webex_configs: [{ api_url: "${url}", room_id: room1, bot_token: bot_secret, timeout: 2s }]`;

describe('webex receiver', () => {
  it('posts markdown to the space with the bot token, the subject linking to the alert', async () => {
    const api = await webexStandIn('bot_secret', 'room1');
    const [firing, resolved] = await firingThenResolved(api, webex(api.url));
    expect(firing.headers.authorization).toBe('Bearer bot_secret');
    expect(String(firing.json!.markdown)).toMatch(/^\*\*\[\\\[FIRING:1\\\] HighErrorRate/);
    expect(String(resolved.json!.markdown)).toContain('RESOLVED');
  });

  it('waits as long as Retry-After asks on 429, then delivers once', async () => {
    const api = await webexStandIn('bot_secret', 'room1');
    await throttledThenDelivered(api, webex(api.url));
  });

  it("does not retry a refused token, and says so in Webex's words", async () => {
    const api = await webexStandIn('other', 'room1');
    await rejectedForGood(
      api,
      webex(api.url),
      'Webex rejected the message: The request requires a valid access token',
    );
  });
});
