/** The pagerduty receiver against a loopback Events API v2: trigger, resolve, acknowledge, throttling, rejection. */
import { describe, expect, it } from 'vitest';
import { groupDigest } from '../../src/notify/receivers/receiver-options.js';
import {
  firingThenAcknowledged,
  firingThenResolved,
  rejectedForGood,
  throttledThenDelivered,
} from '../helpers/channel-contract.js';
import { pagerdutyStandIn } from '../helpers/vendor-standins.js';

const KEY = 'R0123456789ABCDEF0123456789ABCDE';
const pagerduty = (url: string, extra = '') =>
  `pagerduty_configs: [{ routing_key: ${KEY}, url: "${url}", timeout: 2s${extra} }]`;

interface TriggerEvent {
  event_action: string;
  dedup_key: string;
  client_url: string;
  payload: {
    summary: string;
    severity: string;
    source: string;
    custom_details: { firing: string; num_firing: number };
  };
}

describe('pagerduty receiver', () => {
  it('triggers with our severity and the evidence, then resolves the same dedup_key', async () => {
    const events = await pagerdutyStandIn();
    const [trigger, resolve] = await firingThenResolved(events, pagerduty(events.url));
    const fired = trigger.json as unknown as TriggerEvent;
    expect(fired.event_action).toBe('trigger');
    expect(fired.payload).toMatchObject({ severity: 'critical', source: 'prismwatch' });
    expect(fired.payload.summary).toMatch(/^\[FIRING:1\] HighErrorRate/);
    expect(fired.payload.custom_details.num_firing).toBe(1);
    expect(fired.payload.custom_details.firing).toContain('threshold: > 0.05');
    expect(fired.client_url).toBe('http://prismwatch.test:9797');
    expect(resolve.json).toEqual({ routing_key: KEY, dedup_key: fired.dedup_key, event_action: 'resolve' });
    // One incident per alert group: the key is Alertmanager's, sha256 of the group key.
    expect(fired.dedup_key).toMatch(/^[0-9a-f]{64}$/);
    expect(fired.dedup_key).toBe(groupDigest('{}:{alertname="HighErrorRate", probe="api"}'));
  });

  it("passes prismwatch's acknowledgement on for the same dedup_key", async () => {
    const events = await pagerdutyStandIn();
    const [trigger, ack] = await firingThenAcknowledged(events, pagerduty(events.url));
    const fired = trigger.json as unknown as TriggerEvent;
    expect(ack.json).toEqual({ routing_key: KEY, dedup_key: fired.dedup_key, event_action: 'acknowledge' });
  });

  it('retries 429 after the wait PagerDuty asks for, and delivers once', async () => {
    const events = await pagerdutyStandIn();
    await throttledThenDelivered(events, pagerduty(events.url));
  });

  it("does not retry an invalid event, and NotificationsFailing carries PagerDuty's errors", async () => {
    const events = await pagerdutyStandIn();
    events.script.push({
      status: 400,
      headers: { 'content-type': 'application/json' },
      body: '{"status":"invalid event","message":"Event object is invalid","errors":["Length of \'routing_key\' is incorrect (should be 32 characters)"]}',
    });
    await rejectedForGood(
      events,
      pagerduty(events.url),
      "Event object is invalid: Length of 'routing_key' is incorrect",
    );
  });

  it('takes a fixed severity from the config', async () => {
    const events = await pagerdutyStandIn();
    const [trigger] = await firingThenResolved(events, pagerduty(events.url, ', severity: info'));
    expect((trigger.json as unknown as TriggerEvent).payload.severity).toBe('info');
  });
});
