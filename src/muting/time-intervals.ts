/**
 * Alertmanager's `time_intervals` (timeinterval package semantics): named sets of time ranges that
 * routes reference as `mute_time_intervals` (no notifications while inside) and
 * `active_time_intervals` (notifications only while inside). A range matches when every field it
 * sets matches; an interval, when any of its ranges does.
 *   times          [{start_time: "09:00", end_time: "17:00"}]  start inclusive, end exclusive, "24:00" allowed
 *   weekdays       ["monday:friday", "sunday"]                  inclusive ranges, names
 *   days_of_month  ["1:5", "-3:-1"]                             negative days count from the month's end
 *   months         ["1:3", "may:august", "december"]
 *   years          ["2026:2027"]
 *   location       "Europe/Berlin"                              IANA zone (default UTC; "Local")
 */
import * as z from 'zod';
import { isTimeZone, type ZonedTime, zonedTime } from '../util/zoned-time.js';

type Range = readonly [number, number];

export interface TimeRange {
  readonly times?: readonly Range[];
  readonly weekdays?: readonly Range[];
  readonly daysOfMonth?: readonly Range[];
  readonly months?: readonly Range[];
  readonly years?: readonly Range[];
  readonly location: string;
}

export interface TimeInterval {
  readonly name: string;
  readonly ranges: readonly TimeRange[];
}

const WEEKDAY_NAMES = ['sunday', 'monday', 'tuesday', 'wednesday', 'thursday', 'friday', 'saturday'];
const MONTH_NAMES = [
  'january',
  'february',
  'march',
  'april',
  'may',
  'june',
  'july',
  'august',
  'september',
  'october',
  'november',
  'december',
];

/** A field of "a" or "a:b" items, each bound read by `bound` (undefined: invalid). */
function rangeList(
  what: string,
  bound: (text: string) => number | undefined,
  check?: (range: Range) => string | undefined,
) {
  return z
    .array(z.string({ error: `expected ${what} or a range of them ("a:b")` }))
    .transform((items, ctx) => {
      const ranges: Range[] = [];
      for (const [index, item] of items.entries()) {
        const [first = '', second, ...rest] = item.trim().toLowerCase().split(':');
        const low = bound(first);
        const high = second === undefined ? low : bound(second);
        if (rest.length > 0 || low === undefined || high === undefined) {
          ctx.issues.push({
            code: 'custom',
            input: item,
            path: [index],
            message: `expected ${what} or a range of them ("a:b")`,
          });
          return z.NEVER;
        }
        const problem =
          check?.([low, high]) ?? (low > high ? 'expected the range to start before it ends' : undefined);
        if (problem) {
          ctx.issues.push({ code: 'custom', input: item, path: [index], message: problem });
          return z.NEVER;
        }
        ranges.push([low, high]);
      }
      return ranges;
    });
}

const integer = (min: number, max: number) => (text: string) =>
  /^-?\d+$/.test(text) && Number(text) >= min && Number(text) <= max ? Number(text) : undefined;
const named = (names: readonly string[], offset: number, min: number, max: number) => (text: string) => {
  const index = names.indexOf(text);
  return index >= 0 ? index + offset : integer(min, max)(text);
};

const clock = /^([01]\d|2[0-3]):([0-5]\d)$|^24:00$/;
const minuteOfDay = (text: string) =>
  text === '24:00' ? 1440 : Number(text.slice(0, 2)) * 60 + Number(text.slice(3));

const timeRangeSchema = z.strictObject({
  times: z
    .array(
      z
        .strictObject({
          start_time: z.string().regex(clock, { message: 'expected a time like "09:00"' }),
          end_time: z.string().regex(clock, { message: 'expected a time like "17:00" (or "24:00")' }),
        })
        .refine((range) => minuteOfDay(range.start_time) < minuteOfDay(range.end_time), {
          message: 'expected start_time before end_time (a range past midnight is two ranges)',
        }),
    )
    .transform((ranges) =>
      ranges.map((range): Range => [minuteOfDay(range.start_time), minuteOfDay(range.end_time)]),
    )
    .optional(),
  weekdays: rangeList('a weekday like "monday"', (text) => {
    const index = WEEKDAY_NAMES.indexOf(text);
    return index >= 0 ? index : undefined;
  }).optional(),
  days_of_month: rangeList(
    'a day of the month (1 to 31, or -1 to -31 from the end)',
    integer(-31, 31),
    ([low, high]) =>
      low === 0 || high === 0
        ? 'expected days of the month from 1 to 31 or -1 to -31 (there is no day 0)'
        : low > 0 === high > 0 && low > high
          ? 'expected the range to start before it ends'
          : undefined,
  ).optional(),
  months: rangeList('a month like "may" or 5', named(MONTH_NAMES, 1, 1, 12)).optional(),
  years: rangeList('a year like 2026', integer(1, 9999)).optional(),
  location: z
    .string()
    .refine(isTimeZone, { message: 'expected an IANA time zone like "Europe/Berlin" (or "UTC", "Local")' })
    .default('UTC'),
});

export const timeIntervalSchema = z.strictObject({
  name: z.string({ error: 'expected a time interval name' }).min(1),
  time_intervals: z.array(timeRangeSchema).min(1),
});

export type ParsedTimeInterval = z.infer<typeof timeIntervalSchema>;

export const TIME_INTERVAL_KEYS = Object.keys(timeIntervalSchema.shape);
export const TIME_RANGE_KEYS = Object.keys(timeRangeSchema.shape);

export function toTimeInterval(parsed: ParsedTimeInterval): TimeInterval {
  return {
    name: parsed.name,
    ranges: parsed.time_intervals.map((range) => ({
      ...(range.times ? { times: range.times } : {}),
      ...(range.weekdays ? { weekdays: range.weekdays } : {}),
      ...(range.days_of_month ? { daysOfMonth: range.days_of_month } : {}),
      ...(range.months ? { months: range.months } : {}),
      ...(range.years ? { years: range.years } : {}),
      location: range.location,
    })),
  };
}

const within = (ranges: readonly Range[] | undefined, value: number) =>
  ranges === undefined || ranges.some(([low, high]) => value >= low && value <= high);

/** A negative day counts from the month's end (-1: its last day); clamped into the month. */
function dayMatches(ranges: readonly Range[] | undefined, local: ZonedTime): boolean {
  if (ranges === undefined) return true;
  const fromEnd = (day: number) => local.daysInMonth + day + 1;
  return ranges.some(([low, high]) => {
    // A start past the month's end never matches (31 in February); an end past it is the last day.
    const start = low < 0 ? Math.max(1, fromEnd(low)) : low;
    const end = high < 0 ? fromEnd(high) : Math.min(high, local.daysInMonth);
    return local.day >= start && local.day <= end;
  });
}

export function rangeContains(range: TimeRange, epochMs: number): boolean {
  const local = zonedTime(epochMs, range.location);
  const minute = local.hour * 60 + local.minute;
  return (
    (range.times === undefined || range.times.some(([start, end]) => minute >= start && minute < end)) &&
    within(range.weekdays, local.weekday) &&
    dayMatches(range.daysOfMonth, local) &&
    within(range.months, local.month) &&
    within(range.years, local.year)
  );
}

export function intervalContains(interval: TimeInterval, epochMs: number): boolean {
  return interval.ranges.some((range) => rangeContains(range, epochMs));
}

/**
 * Whether a route's notifications are held at `epochMs`: inside any of its mute intervals, or
 * outside all of its active ones (when it has some). Returns the interval's name, for the log.
 */
export function heldBy(
  mute: readonly TimeInterval[],
  active: readonly TimeInterval[],
  epochMs: number,
): string | undefined {
  const muting = mute.find((interval) => intervalContains(interval, epochMs));
  if (muting) return `mute_time_intervals ${muting.name}`;
  if (active.length > 0 && !active.some((interval) => intervalContains(interval, epochMs)))
    return `outside active_time_intervals ${active.map((interval) => interval.name).join(', ')}`;
  return undefined;
}
