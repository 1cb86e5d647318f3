/**
 * Alertmanager's time_intervals with its semantics, and routes that mute (or only allow)
 * notifications by them: nothing is sent inside a mute window, and an alert that outlives the
 * window is sent at the first flush after it.
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config/load.js';
import type { ConfigError } from '../../src/errors.js';
import {
  heldBy,
  intervalContains,
  type TimeInterval,
  timeIntervalSchema,
  toTimeInterval,
} from '../../src/muting/time-intervals.js';
import { eventually } from '../helpers/metrics.js';
import { alertFor, sleep, startNotifier } from '../helpers/notifier.js';
import { webhookSink } from '../helpers/sinks.js';

const interval = (ranges: unknown[]): TimeInterval =>
  toTimeInterval(timeIntervalSchema.parse({ name: 'w', time_intervals: ranges }));
const at = (iso: string) => Date.parse(iso);

describe('time_intervals', () => {
  it('match as Alertmanager’s do: times, weekdays, days of the month (from the end too), months, years, location', () => {
    const office = interval([
      {
        times: [{ start_time: '09:00', end_time: '17:00' }],
        weekdays: ['monday:friday'],
        location: 'Europe/Berlin',
      },
    ]);
    // 2026-12-02 is a Wednesday; Berlin is UTC+1 in December.
    expect(intervalContains(office, at('2026-12-02T08:00:00Z'))).toBe(true); // 09:00 Berlin
    expect(intervalContains(office, at('2026-12-02T07:59:00Z'))).toBe(false);
    expect(intervalContains(office, at('2026-12-02T16:00:00Z'))).toBe(false); // 17:00: end is exclusive
    expect(intervalContains(office, at('2026-12-05T10:00:00Z'))).toBe(false); // Saturday
    const monthEnd = interval([{ days_of_month: ['-3:-1'] }]);
    expect(intervalContains(monthEnd, at('2026-02-26T12:00:00Z'))).toBe(true); // 26–28 February
    expect(intervalContains(monthEnd, at('2026-02-25T12:00:00Z'))).toBe(false);
    expect(intervalContains(monthEnd, at('2026-12-29T12:00:00Z'))).toBe(true);
    const thirtyFirst = interval([{ days_of_month: ['31'] }]);
    expect(intervalContains(thirtyFirst, at('2026-02-28T12:00:00Z'))).toBe(false);
    const whole = interval([{ days_of_month: ['1:31'], months: ['february'], years: ['2026'] }]);
    expect(intervalContains(whole, at('2026-02-28T23:59:00Z'))).toBe(true);
    expect(intervalContains(whole, at('2027-02-10T00:00:00Z'))).toBe(false);
    const lateNight = interval([
      { times: [{ start_time: '22:00', end_time: '24:00' }] },
      { times: [{ start_time: '00:00', end_time: '06:00' }] },
    ]);
    expect(intervalContains(lateNight, at('2026-12-02T23:30:00Z'))).toBe(true);
    expect(intervalContains(lateNight, at('2026-12-02T05:59:00Z'))).toBe(true);
    expect(intervalContains(lateNight, at('2026-12-02T12:00:00Z'))).toBe(false);
  });

  it('hold a route inside a mute interval, or outside its active ones', () => {
    const night = interval([{ times: [{ start_time: '00:00', end_time: '06:00' }] }]);
    expect(heldBy([night], [], at('2026-12-02T01:00:00Z'))).toBe('mute_time_intervals w');
    expect(heldBy([night], [], at('2026-12-02T07:00:00Z'))).toBeUndefined();
    expect(heldBy([], [night], at('2026-12-02T07:00:00Z'))).toBe('outside active_time_intervals w');
    expect(heldBy([], [night], at('2026-12-02T01:00:00Z'))).toBeUndefined();
  });

  it('are checked when the config loads, with file, line and key', () => {
    const file = join(mkdtempSync(join(tmpdir(), 'intervals-')), 'routing.yaml');
    writeFileSync(
      file,
      `route:
  receiver: log
  mute_time_intervals: [night]
  routes:
    - { receiver: log, mute_time_intervals: [nigth] }
receivers:
  - { name: log, log_configs: [{}] }
time_intervals:
  - name: night
    time_intervals:
      - times: [{ start_time: '22:00', end_time: '25:00' }]
        weekdays: [funday]
`,
    );
    let messages: string[] = [];
    try {
      loadConfig([file], {});
    } catch (error) {
      messages = (error as ConfigError).message.split('\n');
    }
    // In line order, as an editor lists them.
    expect(messages).toEqual([
      `${file}:3:24 route.mute_time_intervals: expected no mute_time_intervals on the root route (as in Alertmanager): put them on a child route`,
      `${file}:5:46 route.routes[0].mute_time_intervals[0]: expected one of the time_intervals (none defined), got "nigth"`,
      `${file}:11:50 time_intervals[0].time_intervals[0].times[0].end_time: expected a time like "17:00" (or "24:00"), got "25:00"`,
      `${file}:12:20 time_intervals[0].time_intervals[0].weekdays[0]: expected a weekday like "monday" or a range of them ("a:b"), got "funday"`,
    ]);
  });
});

describe('routes with time intervals', () => {
  const routing = (url: string, key: 'mute_time_intervals' | 'active_time_intervals') => `
route:
  receiver: log
  routes:
    - receiver: hooks
      group_by: [alertname]
      group_wait: 0s
      group_interval: 200ms
      ${key}: [deploys]
receivers:
  - { name: log, log_configs: [{}] }
  - name: hooks
    webhook_configs: [{ url: ${url}, timeout: 2s }]
time_intervals:
  - name: deploys
    time_intervals:
      - times: [{ start_time: '10:00', end_time: '10:30' }]
`;

  it('send nothing inside a mute window, and an alert that outlives it at the first flush after', async () => {
    const sink = await webhookSink();
    let now = at('2026-12-02T10:05:00Z');
    const { evaluate } = startNotifier(routing(sink.url, 'mute_time_intervals'), { now: () => now });
    evaluate([alertFor({ probe: 'api', firedAt: now - 1_000 })]);
    await sleep(800); // four group intervals inside the window
    expect(sink.delivered).toHaveLength(0);
    now = at('2026-12-02T10:31:00Z');
    await eventually(() => sink.delivered.length === 1);
    expect(sink.delivered[0]!.body).toMatchObject({ status: 'firing', notificationReason: 'first' });
  });

  it('send only inside active intervals', async () => {
    const sink = await webhookSink();
    let now = at('2026-12-02T09:00:00Z');
    const { evaluate } = startNotifier(routing(sink.url, 'active_time_intervals'), { now: () => now });
    evaluate([alertFor({ probe: 'api', firedAt: now - 1_000 })]);
    await sleep(800);
    expect(sink.delivered).toHaveLength(0);
    now = at('2026-12-02T10:10:00Z');
    await eventually(() => sink.delivered.length === 1);
  });
});
