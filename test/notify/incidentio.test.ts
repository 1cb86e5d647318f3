/** The incidentio receiver against a loopback alert source: one deduplication key per group, 429, a bad token. */
import { describe, expect, it } from 'vitest';
import { firingThenResolved, rejectedForGood, throttledThenDelivered } from '../helpers/channel-contract.js';
import { incidentIoStandIn } from '../helpers/vendor-standins.js';

const SOURCE = '01JABCDEFGHJKMNPQRSTVWXYZ0';
const incidentio = (url: string) =>
  `incidentio_configs: [{ api_url: "${url}", alert_source_config_id: ${SOURCE}, token: inc_secret, timeout: 2s }]`;

describe('incidentio receiver', () => {
  it('sends a firing and its resolution as one alert (one deduplication key)', async () => {
    const source = await incidentIoStandIn(SOURCE, 'inc_secret');
    const [firing, resolved] = await firingThenResolved(source, incidentio(source.url));
    expect(firing.headers.authorization).toBe('Bearer inc_secret');
    expect(firing.json).toMatchObject({ status: 'firing' });
    expect(String(firing.json!.title)).toMatch(/^\[FIRING:1\] HighErrorRate/);
    expect(resolved.json).toMatchObject({
      status: 'resolved',
      deduplication_key: firing.json!.deduplication_key,
    });
    expect(String(firing.json!.deduplication_key)).toMatch(/^[0-9a-f]{64}$/);
  });

  it('waits as long as Retry-After asks on 429, then delivers once', async () => {
    const source = await incidentIoStandIn(SOURCE, 'inc_secret');
    await throttledThenDelivered(source, incidentio(source.url));
  });

  it("does not retry a refused token, and says so in incident.io's words", async () => {
    const source = await incidentIoStandIn(SOURCE, 'other');
    await rejectedForGood(source, incidentio(source.url), 'incident.io rejected the event: Invalid API key');
  });
});
