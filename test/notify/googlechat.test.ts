/** The googlechat receiver against a loopback space webhook: threads per group, 429, a bad request. */
import { describe, expect, it } from 'vitest';
import { firingThenResolved, rejectedForGood, throttledThenDelivered } from '../helpers/channel-contract.js';
import { googleChatStandIn } from '../helpers/vendor-standins.js';

const chat = (url: string) => `googlechat_configs: [{ webhook_url: "${url}", timeout: 2s }]`;

describe('googlechat receiver', () => {
  it('posts the firing and its resolution in one thread of the space', async () => {
    const space = await googleChatStandIn();
    const [firing, resolved] = await firingThenResolved(space, chat(space.url));
    expect(String(firing.json!.text)).toMatch(/^\*\[FIRING:1\] HighErrorRate/);
    expect(String(firing.json!.text)).toContain('threshold: > 0.05');
    const key = (firing.json!.thread as { threadKey: string }).threadKey;
    expect(key).toMatch(/^prismwatch-[0-9a-f]{32}$/);
    expect((resolved.json!.thread as { threadKey: string }).threadKey).toBe(key);
    expect(firing.path).toContain('messageReplyOption=REPLY_MESSAGE_FALLBACK_TO_NEW_THREAD');
  });

  it('waits as long as Retry-After asks on 429, then delivers once', async () => {
    const space = await googleChatStandIn();
    await throttledThenDelivered(space, chat(space.url), {
      status: 429,
      headers: { 'retry-after': '1' },
      body: '{"error":{"code":429,"message":"Resource has been exhausted","status":"RESOURCE_EXHAUSTED"}}',
    });
  });

  it("does not retry a refused message, says so in Google's words, and never shows the token", async () => {
    const space = await googleChatStandIn();
    space.script.push({
      status: 403,
      body: '{"error":{"code":403,"message":"The caller does not have permission (token chat-token)","status":"PERMISSION_DENIED"}}',
    });
    await rejectedForGood(
      space,
      chat(space.url),
      'Google Chat rejected the message: The caller does not have permission (token <redacted>)',
    );
  });
});
