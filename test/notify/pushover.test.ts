/** The pushover receiver against a loopback Messages API: priorities, emergency's retry/expire, 429, a bad token. */
import { describe, expect, it } from 'vitest';
import { firingThenResolved, rejectedForGood, throttledThenDelivered } from '../helpers/channel-contract.js';
import { pushoverStandIn } from '../helpers/vendor-standins.js';

const pushover = (url: string, extra = '') =>
  `pushover_configs: [{ api_url: "${url}", token: app123, user_key: user456, timeout: 2s${extra} }]`;

describe('pushover receiver', () => {
  it('sends the firing at high priority and the resolution quietly', async () => {
    const api = await pushoverStandIn('app123', 'user456');
    const [firing, resolved] = await firingThenResolved(api, pushover(api.url));
    expect(firing.json).toMatchObject({ token: 'app123', user: 'user456', priority: 1 });
    expect(String(firing.json!.title)).toMatch(/^\[FIRING:1\] HighErrorRate/);
    expect(resolved.json).toMatchObject({ priority: -1 });
  });

  it('asks for emergency priority with the retry and expire it needs', async () => {
    const api = await pushoverStandIn('app123', 'user456');
    const [firing] = await firingThenResolved(api, pushover(api.url, ', priority: { critical: 2 }'));
    expect(firing.json).toMatchObject({ priority: 2, retry: 60, expire: 3600 });
  });

  it('waits as long as Retry-After asks on 429, then delivers once', async () => {
    const api = await pushoverStandIn('app123', 'user456');
    await throttledThenDelivered(api, pushover(api.url));
  });

  it("does not retry an invalid token, and says so in Pushover's words", async () => {
    const api = await pushoverStandIn('other', 'user456');
    await rejectedForGood(
      api,
      pushover(api.url),
      'Pushover rejected the message: application token is invalid',
    );
  });
});
