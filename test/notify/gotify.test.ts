/** The gotify receiver against a loopback Gotify server: the token in a header, priorities, 429, a bad token. */
import { describe, expect, it } from 'vitest';
import { firingThenResolved, rejectedForGood, throttledThenDelivered } from '../helpers/channel-contract.js';
import { gotifyStandIn } from '../helpers/vendor-standins.js';

const gotify = (url: string, token = 'app-token') =>
  `gotify_configs: [{ url: "${url}", token: ${token}, timeout: 2s }]`;

describe('gotify receiver', () => {
  it('sends the firing at priority 8 with the token in X-Gotify-Key, the resolution at 2', async () => {
    const server = await gotifyStandIn('app-token');
    const [firing, resolved] = await firingThenResolved(server, gotify(server.url));
    expect(firing.headers['x-gotify-key']).toBe('app-token');
    expect(firing.json).toMatchObject({ priority: 8 });
    expect(String(firing.json!.title)).toMatch(/^\[FIRING:1\] HighErrorRate/);
    expect(String(firing.json!.message)).toContain('threshold: > 0.05');
    expect(resolved.json).toMatchObject({ priority: 2 });
  });

  it('waits as long as Retry-After asks on 429, then delivers once', async () => {
    const server = await gotifyStandIn('app-token');
    await throttledThenDelivered(server, gotify(server.url));
  });

  it("does not retry a refused token, and says so in Gotify's words", async () => {
    const server = await gotifyStandIn('other');
    await rejectedForGood(
      server,
      gotify(server.url),
      'Gotify rejected the message: you need to provide a valid access token',
    );
  });
});
