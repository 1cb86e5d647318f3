/** The msteamsv2 receiver against a loopback Teams Workflows webhook. */
import { describe, expect, it } from 'vitest';
import { teamsBody } from '../../src/notify/receivers/msteamsv2/sender.js';
import { firingThenResolved, rejectedForGood, throttledThenDelivered } from '../helpers/channel-contract.js';
import { teamsStandIn } from '../helpers/vendor-standins.js';

const teams = (url: string) => `msteamsv2_configs: [{ webhook_url: "${url}", timeout: 2s }]`;
type Card = { attachments: Array<{ content: { body: Array<{ text: string; color?: string }> } }> };
const blocks = (json: unknown) => (json as Card).attachments[0]!.content.body;

describe('msteamsv2 receiver', () => {
  it('posts an Adaptive Card, red title while firing and green when resolved, with the evidence', async () => {
    const workflow = await teamsStandIn();
    const [firing, resolved] = await firingThenResolved(workflow, teams(workflow.url));
    expect(blocks(firing.json)[0]).toMatchObject({ color: 'Attention' });
    expect(blocks(firing.json)[0]!.text).toMatch(/^\[FIRING:1\] HighErrorRate/);
    expect(blocks(firing.json)[1]!.text).toContain('threshold: > 0.05');
    expect(blocks(resolved.json)[0]).toMatchObject({ color: 'Good' });
  });

  it('waits as long as Retry-After asks on 429, then delivers once', async () => {
    const workflow = await teamsStandIn();
    await throttledThenDelivered(workflow, teams(workflow.url));
  });

  it('does not retry a 413, and NotificationsFailing says why', async () => {
    const workflow = await teamsStandIn();
    workflow.script.push({ status: 413, body: 'Request entity too large' });
    await rejectedForGood(workflow, teams(workflow.url), 'Teams rejected the card: Request entity too large');
  });

  it('keeps a card of 500 alerts under 28 KB', () => {
    const alerts = Array.from({ length: 500 }, (_, i) => ({
      status: 'firing' as const,
      labels: { alertname: 'HighErrorRate', probe: `probe-${i}-${'x'.repeat(50)}` },
      annotations: { summary: 'é'.repeat(200) },
      startsAt: '2026-12-01T00:00:00Z',
      endsAt: '0001-01-01T00:00:00Z',
      generatorURL: 'http://p/',
      fingerprint: String(i),
      value: 0.07,
    }));
    const body = teamsBody({
      receiver: 'r',
      integration: 'r/msteamsv2/0',
      groupKey: '{}',
      status: 'firing',
      reason: 'first',
      groupLabels: {},
      commonLabels: {},
      commonAnnotations: {},
      externalURL: 'http://p',
      alerts,
      idempotencyKey: 'k',
      createdAt: '2026-12-01T00:00:00Z',
    });
    expect(Buffer.byteLength(body)).toBeLessThanOrEqual(28_000);
    expect(body).toMatch(/more alerts: http:\/\/p/);
  });
});
