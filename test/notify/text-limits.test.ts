/**
 * Property tests for what the chat and paging channels send and say: fitText stays within any
 * vendor limit whatever the alerts hold (long labels, emoji, hundreds of alerts), and a vendor's
 * error text never carries the integration's secrets, however the vendor echoes them.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { Notification, NotifiedAlert } from '../../src/model/notification.js';
import { urlSecrets, vendorWords } from '../../src/notify/receivers/json-post.js';
import { fitText } from '../../src/notify/render/text-summary.js';

const alert = (probe: string, summary: string): NotifiedAlert => ({
  status: 'firing',
  labels: { alertname: 'HighErrorRate', probe, severity: 'critical' },
  annotations: { summary },
  startsAt: '2026-12-01T00:00:00Z',
  endsAt: '0001-01-01T00:00:00Z',
  generatorURL: 'http://prismwatch.test/#probe',
  fingerprint: 'f',
  value: 0.07,
});

function notification(alerts: NotifiedAlert[]): Notification {
  return {
    receiver: 'r',
    integration: 'r/slack/0',
    groupKey: '{}',
    status: 'firing',
    reason: 'first',
    groupLabels: { alertname: 'HighErrorRate' },
    commonLabels: {},
    commonAnnotations: {},
    externalURL: 'http://prismwatch.test',
    alerts,
    idempotencyKey: 'k',
    createdAt: '2026-12-01T00:00:00Z',
  };
}

describe('channel text', () => {
  it('fits any alerts within any limit, counted in characters', () => {
    fc.assert(
      fc.property(
        fc.array(
          fc.tuple(
            fc.string({ unit: 'grapheme', maxLength: 300 }),
            fc.string({ unit: 'grapheme', maxLength: 3000 }),
          ),
          {
            minLength: 1,
            maxLength: 120,
          },
        ),
        fc.integer({ min: 200, max: 50_000 }),
        (alerts, max) => {
          const text = fitText(notification(alerts.map(([probe, summary]) => alert(probe, summary))), max);
          expect([...text].length).toBeLessThanOrEqual(max);
        },
      ),
      { numRuns: 200 },
    );
  });

  it('never repeats a secret the vendor echoed', () => {
    fc.assert(
      fc.property(
        fc.string(),
        fc.string({ minLength: 8, maxLength: 40 }).filter((s) => s.trim() === s && !/\s/.test(s)),
        fc.string(),
        (before, secret, after) => {
          const url = `https://hooks.slack.test/services/${encodeURIComponent(secret)}`;
          const secrets = [secret, ...urlSecrets(url)];
          for (const echoed of [secret, url, new URL(url).pathname])
            expect(vendorWords(`${before}${echoed}${after}`, secrets)).not.toContain(secret);
        },
      ),
      { numRuns: 300 },
    );
  });
});
