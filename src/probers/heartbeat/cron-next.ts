/**
 * When a cron schedule (five fields, minute resolution) next fires after a given time, in an IANA
 * time zone: a heartbeat with `cron:` expects its job then. node-cron parses the fields (names,
 * ranges, steps); it can only tell the next run after *now*, and a heartbeat needs the next run
 * after its last ping. The search steps by day, then hour, then minute, so a yearly schedule
 * costs a few hundred steps, not half a million.
 */
import cron from 'node-cron';
import { isTimeZone, type ZonedTime, zonedTime } from '../../util/zoned-time.js';

export interface CronSchedule {
  readonly expression: string;
  readonly timezone: string;
  readonly minutes: ReadonlySet<number>;
  readonly hours: ReadonlySet<number>;
  readonly daysOfMonth: ReadonlySet<number>;
  readonly months: ReadonlySet<number>;
  readonly daysOfWeek: ReadonlySet<number>;
  /** Vixie cron: when both day fields are restricted, a day matching either fires. */
  readonly eitherDay: boolean;
}

/** The schedule, or a reason it cannot be one. */
export function parseCronSchedule(expression: string, timezone: string): CronSchedule | string {
  const fields = expression.trim().split(/\s+/);
  if (fields.length !== 5) return 'expected five cron fields (minute hour day-of-month month day-of-week)';
  if (!cron.validate(expression)) return 'expected a valid cron expression';
  const parsed = cron.parse(expression);
  if (![...parsed.dayOfMonth, ...parsed.dayOfWeek].every((value) => typeof value === 'number'))
    return 'expected day fields of numbers, names, ranges and steps (L and # are not supported)';
  if (!isTimeZone(timezone)) return `expected an IANA time zone like "Europe/Berlin", got "${timezone}"`;
  const restricted = (field: string) => field !== '*' && field !== '?';
  return {
    expression,
    timezone,
    minutes: new Set(parsed.minute),
    hours: new Set(parsed.hour),
    daysOfMonth: new Set(parsed.dayOfMonth as number[]),
    months: new Set(parsed.month),
    // Sunday is 0 (and 7 in the text); node-cron gives 0.
    daysOfWeek: new Set((parsed.dayOfWeek as number[]).map((day) => day % 7)),
    eitherDay: restricted(fields[2]!) && restricted(fields[4]!),
  };
}

const MINUTE = 60_000;
/** Past this many steps the schedule never fires (e.g. 30 February): undefined. */
const MAX_STEPS = 20_000;

function dayMatches(schedule: CronSchedule, local: ZonedTime): boolean {
  if (!schedule.months.has(local.month)) return false;
  const byMonthDay = schedule.daysOfMonth.has(local.day);
  const byWeekday = schedule.daysOfWeek.has(local.weekday);
  return schedule.eitherDay ? byMonthDay || byWeekday : byMonthDay && byWeekday;
}

/** Epoch ms of the first firing strictly after `afterMs`, or undefined when there is none within years. */
export function nextCronTime(schedule: CronSchedule, afterMs: number): number | undefined {
  let t = Math.floor(afterMs / MINUTE) * MINUTE + MINUTE;
  for (let step = 0; step < MAX_STEPS; step++) {
    const local = zonedTime(t, schedule.timezone);
    if (!dayMatches(schedule, local)) {
      t += (24 * 60 - (local.hour * 60 + local.minute)) * MINUTE; // the next local midnight
    } else if (!schedule.hours.has(local.hour)) {
      t += (60 - local.minute) * MINUTE;
    } else if (!schedule.minutes.has(local.minute)) {
      t += MINUTE;
    } else {
      return t;
    }
  }
  return undefined;
}
