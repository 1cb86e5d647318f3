/** The opsgenie receiver against a loopback Opsgenie Alert API: create, close and acknowledge by alias, 429, 422. */
import { describe, expect, it } from 'vitest';
import { groupDigest } from '../../src/notify/receivers/receiver-options.js';
import {
  firingThenAcknowledged,
  firingThenResolved,
  rejectedForGood,
  throttledThenDelivered,
} from '../helpers/channel-contract.js';
import { opsgenieStandIn } from '../helpers/vendor-standins.js';

const opsgenie = (url: string) =>
  `opsgenie_configs: [{ api_key: og-key-1234, api_url: "${url}", timeout: 2s, responders: [{ name: ops, type: team }] }]`;

describe('opsgenie receiver', () => {
  it('creates one alert per group with P1 for critical, then closes it by the same alias', async () => {
    const api = await opsgenieStandIn();
    const [create, close] = await firingThenResolved(api, opsgenie(api.url));
    const alias = groupDigest('{}:{alertname="HighErrorRate", probe="api"}');
    expect(create.path).toBe('/v2/alerts');
    expect(create.headers.authorization).toBe('GenieKey og-key-1234');
    expect(create.json).toMatchObject({ alias, priority: 'P1', responders: [{ name: 'ops', type: 'team' }] });
    expect(String(create.json?.description)).toContain('threshold: > 0.05');
    expect(close.path).toBe(`/v2/alerts/${alias}/close?identifierType=alias`);
  });

  it("acknowledges the group's alert by alias, naming who and what they said", async () => {
    const api = await opsgenieStandIn();
    const [, ack] = await firingThenAcknowledged(api, opsgenie(api.url));
    const alias = groupDigest('{}:{alertname="HighErrorRate", probe="api"}');
    expect(ack.path).toBe(`/v2/alerts/${alias}/acknowledge?identifierType=alias`);
    expect(ack.headers.authorization).toBe('GenieKey og-key-1234');
    expect(ack.json).toEqual({
      source: 'prismwatch',
      user: 'Ana',
      note: 'Acknowledged in prismwatch by Ana: on it',
    });
  });

  it('retries a 429 after the wait asked for, and delivers once', async () => {
    const api = await opsgenieStandIn();
    await throttledThenDelivered(api, opsgenie(api.url));
  });

  it("does not retry a 422, and NotificationsFailing carries Opsgenie's message", async () => {
    const api = await opsgenieStandIn();
    api.script.push({
      status: 422,
      body: '{"message":"Request body is not processable. Please check the errors.","took":0}',
    });
    await rejectedForGood(
      api,
      opsgenie(api.url),
      'Opsgenie rejected the request: Request body is not processable',
    );
  });
});
