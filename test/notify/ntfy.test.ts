/** The ntfy receiver against a loopback ntfy server: JSON publish, priorities, 429, a bad token. */
import { describe, expect, it } from 'vitest';
import { firingThenResolved, rejectedForGood, throttledThenDelivered } from '../helpers/channel-contract.js';
import { ntfyStandIn } from '../helpers/vendor-standins.js';

const ntfy = (url: string, extra = '') =>
  `ntfy_configs: [{ url: "${url}", topic: ops-alerts, token: tk_secret, timeout: 2s${extra} }]`;

describe('ntfy receiver', () => {
  it('publishes the firing at the critical priority with a bearer token, the resolution quietly', async () => {
    const server = await ntfyStandIn('tk_secret');
    const [firing, resolved] = await firingThenResolved(server, ntfy(server.url, ', tags: [prod]'));
    expect(firing.headers.authorization).toBe('Bearer tk_secret');
    expect(firing.json).toMatchObject({ topic: 'ops-alerts', priority: 5, tags: ['rotating_light', 'prod'] });
    expect(String(firing.json!.title)).toMatch(/^\[FIRING:1\] HighErrorRate/);
    expect(String(firing.json!.message)).toContain('threshold: > 0.05');
    expect(resolved.json).toMatchObject({ priority: 1, tags: ['white_check_mark', 'prod'] });
  });

  it('waits as long as Retry-After asks on 429, then delivers once', async () => {
    const server = await ntfyStandIn('tk_secret');
    await throttledThenDelivered(server, ntfy(server.url), {
      status: 429,
      headers: { 'retry-after': '1' },
      body: '{"code":42901,"http":429,"error":"limit reached: too many requests"}',
    });
  });

  it("does not retry a refused token, says so in ntfy's words, and never shows the token", async () => {
    const server = await ntfyStandIn('tk_other');
    await rejectedForGood(server, ntfy(server.url), 'ntfy rejected the message: unauthorized');
  });
});
