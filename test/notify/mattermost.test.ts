/** The mattermost receiver against a loopback incoming webhook: a red then green attachment, 429, 404. */
import { describe, expect, it } from 'vitest';
import { firingThenResolved, rejectedForGood, throttledThenDelivered } from '../helpers/channel-contract.js';
import { mattermostStandIn } from '../helpers/vendor-standins.js';

const mattermost = (url: string) =>
  `mattermost_configs: [{ webhook_url: "${url}", channel: ops, timeout: 2s }]`;
type Attachments = { channel: string; attachments: Array<{ color: string; title: string; text: string }> };

describe('mattermost receiver', () => {
  it('posts a red attachment with the evidence, then a green one when resolved', async () => {
    const hook = await mattermostStandIn();
    const [firing, resolved] = await firingThenResolved(hook, mattermost(hook.url));
    const body = firing.json as unknown as Attachments;
    expect(body.channel).toBe('ops');
    expect(body.attachments[0]!.color).toBe('#E74C3C');
    expect(body.attachments[0]!.title).toMatch(/^\[FIRING:1\] HighErrorRate/);
    expect(body.attachments[0]!.text).toContain('threshold: > 0.05');
    expect((resolved.json as unknown as Attachments).attachments[0]!.color).toBe('#2ECC71');
  });

  it('waits as long as Retry-After asks on 429, then delivers once', async () => {
    const hook = await mattermostStandIn();
    await throttledThenDelivered(hook, mattermost(hook.url));
  });

  it('does not retry a webhook that is gone, and never shows its URL', async () => {
    const hook = await mattermostStandIn();
    hook.script.push({
      status: 404,
      body: `{"id":"web.incoming_webhook.invalid.app_error","message":"Invalid webhook ${new URL(hook.url).pathname}","status_code":404}`,
    });
    await rejectedForGood(
      hook,
      mattermost(hook.url),
      'Mattermost rejected the message: Invalid webhook <redacted>',
    );
  });
});
