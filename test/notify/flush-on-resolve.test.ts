/**
 * A group whose every alert has resolved says so at once, not at its next group_interval
 * (issue 15: resolved notices waited up to a full group interval). Alertmanager waits; this is a
 * deliberate improvement, off per route with `flush_on_resolve: false`.
 */
import { describe, expect, it } from 'vitest';
import { eventually } from '../helpers/metrics.js';
import { alertFor, resolved, sleep, startNotifier } from '../helpers/notifier.js';
import { webhookSink } from '../helpers/sinks.js';

const routing = (url: string, flushOnResolve?: boolean) => `
route:
  receiver: hooks
  group_by: [alertname]
  group_wait: 0s
  group_interval: 1h
  repeat_interval: 4h
${flushOnResolve === undefined ? '' : `  flush_on_resolve: ${flushOnResolve}`}
receivers:
  - name: hooks
    webhook_configs: [{ url: ${url}, timeout: 2s }]
`;

describe('flush_on_resolve', () => {
  it('sends the resolved notice as soon as the whole group has resolved, with group_interval at 1h', async () => {
    const sink = await webhookSink();
    const { evaluate } = startNotifier(routing(sink.url));
    const a = alertFor({ probe: 'a' });
    const b = alertFor({ probe: 'b' });
    evaluate([a, b]);
    await eventually(() => sink.delivered.length === 1);
    // One of two resolves: the group is still firing, so it waits for its group_interval.
    evaluate([resolved(a), b]);
    await sleep(300);
    expect(sink.delivered).toHaveLength(1);
    evaluate([resolved(a), resolved(b)]);
    await eventually(() => sink.delivered.length === 2);
    expect(sink.delivered[1]!.body).toMatchObject({ status: 'resolved', notificationReason: 'resolved' });
    // Later evaluations of the same resolved alerts send nothing more.
    evaluate([resolved(a), resolved(b)]);
    await sleep(300);
    expect(sink.delivered).toHaveLength(2);
  });

  it('waits for the group_interval, as Alertmanager does, with flush_on_resolve: false', async () => {
    const sink = await webhookSink();
    const { evaluate } = startNotifier(routing(sink.url, false));
    const a = alertFor({ probe: 'a' });
    evaluate([a]);
    await eventually(() => sink.delivered.length === 1);
    evaluate([resolved(a)]);
    // The next flush is an hour away: nothing can arrive in the meantime.
    await sleep(500);
    expect(sink.delivered).toHaveLength(1);
  });
});
