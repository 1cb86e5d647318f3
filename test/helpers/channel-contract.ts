/**
 * The four contract tests every chat or paging channel passes against its loopback stand-in
 * (vendor-standins.ts): happy path, resolve, throttling (429 with the vendor's retry hint is
 * honoured, then delivered once) and a final error (not retried; NotificationsFailing carries
 * the vendor's words).
 */
import { expect } from 'vitest';
import { eventually, sample } from './metrics.js';
import { alertFor, resolved, sleep, startNotifier } from './notifier.js';
import type { Recorded, Reply, StandIn } from './vendor-standins.js';

/** A routing config sending everything to receiver `pager` with the integration block `block`. */
export function routeTo(block: string, groupBy = '[alertname, probe]'): string {
  return `
global:
  notifications_failing_after: 100ms
route:
  receiver: pager
  group_by: ${groupBy}
  group_wait: 50ms
  group_interval: 200ms
receivers:
  - name: pager
    ${block}
`;
}

export async function firingThenResolved(standIn: StandIn, block: string): Promise<[Recorded, Recorded]> {
  const { evaluate } = startNotifier(routeTo(block));
  const alert = alertFor();
  evaluate([alert]);
  await eventually(() => standIn.requests.length === 1);
  evaluate([resolved(alert)]);
  await eventually(() => standIn.requests.length === 2, 10_000);
  expect(standIn.problems).toEqual([]);
  return [standIn.requests[0]!, standIn.requests[1]!];
}

/**
 * A firing alert, then its acknowledgement (made in prismwatch, not through this channel's link):
 * the page and the acknowledgement notice, as the vendor received them.
 */
export async function firingThenAcknowledged(standIn: StandIn, block: string): Promise<[Recorded, Recorded]> {
  const { evaluate, acks } = startNotifier(routeTo(block));
  const alert = alertFor();
  evaluate([alert]);
  await eventually(() => standIn.requests.length === 1);
  acks.acknowledge({
    fingerprint: alert.fingerprint,
    firedAt: alert.firedAt!,
    by: 'Ana',
    comment: 'on it',
    via: 'api',
  });
  evaluate([alert]);
  await eventually(() => standIn.requests.length === 2, 10_000);
  expect(standIn.problems).toEqual([]);
  return [standIn.requests[0]!, standIn.requests[1]!];
}

/** `throttle` is the vendor's 429, with its retry hint of one second (Retry-After by default). */
export async function throttledThenDelivered(
  standIn: StandIn,
  block: string,
  throttle: Reply = { status: 429, headers: { 'retry-after': '1' }, body: 'rate limited' },
) {
  standIn.script.push(throttle);
  const { evaluate, registry } = startNotifier(routeTo(block));
  evaluate([alertFor()]);
  await eventually(() => standIn.requests.length === 2, 10_000);
  expect(standIn.requests[1]!.at - standIn.requests[0]!.at).toBeGreaterThanOrEqual(950);
  await sleep(300);
  expect(standIn.requests).toHaveLength(2);
  expect(standIn.problems).toEqual([]);
  const text = await registry.metrics();
  expect(sample(text, 'prismwatch_notifications_failed_total', { reason: 'http_429' })).toBe(1);
  expect(sample(text, 'prismwatch_notifications_total', {})).toBe(1);
}

export async function rejectedForGood(
  standIn: StandIn,
  block: string,
  vendorWords: string,
  reason = 'http_4xx',
) {
  const { evaluate, notifier, registry } = startNotifier(routeTo(block));
  const alert = alertFor();
  const timer = setInterval(() => evaluate([alert]), 100);
  try {
    await eventually(() => standIn.requests.length >= 1);
    const failing = await eventually(() =>
      notifier.ownAlerts().find((own) => own.labels.alertname === 'NotificationsFailing'),
    );
    expect(failing.annotations.description).toContain(vendorWords);
  } finally {
    clearInterval(timer);
  }
  // The original notification was tried once; anything after it is NotificationsFailing itself
  // routed elsewhere (never to the failing integration).
  const originals = standIn.requests.filter((request) => !request.text.includes('NotificationsFailing'));
  expect(originals).toHaveLength(1);
  const text = await registry.metrics();
  expect(sample(text, 'prismwatch_notifications_failed_total', { reason })).toBeGreaterThanOrEqual(1);
}
