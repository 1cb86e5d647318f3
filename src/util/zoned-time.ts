/**
 * A moment's calendar fields in an IANA time zone, through Intl (no time-zone library): what cron
 * schedules and Alertmanager-style time intervals are written in.
 */

export interface ZonedTime {
  readonly year: number;
  /** 1–12. */
  readonly month: number;
  /** 1–31. */
  readonly day: number;
  /** 0 (Sunday) – 6 (Saturday). */
  readonly weekday: number;
  readonly hour: number;
  readonly minute: number;
  /** Days in this month (for "the last day", negative days of the month). */
  readonly daysInMonth: number;
}

const WEEKDAYS: Record<string, number> = { Sun: 0, Mon: 1, Tue: 2, Wed: 3, Thu: 4, Fri: 5, Sat: 6 };
const formatters = new Map<string, Intl.DateTimeFormat>();

/** Whether Intl knows the zone ("UTC", "Europe/Berlin"; Go's "Local" is this machine's zone). */
export function isTimeZone(zone: string): boolean {
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: resolveZone(zone) });
    return true;
  } catch {
    return false;
  }
}

function resolveZone(zone: string): string | undefined {
  return zone === 'Local' ? undefined : zone;
}

export function zonedTime(epochMs: number, zone: string): ZonedTime {
  let format = formatters.get(zone);
  if (!format) {
    format = new Intl.DateTimeFormat('en-US', {
      timeZone: resolveZone(zone),
      hourCycle: 'h23',
      year: 'numeric',
      month: 'numeric',
      day: 'numeric',
      weekday: 'short',
      hour: 'numeric',
      minute: 'numeric',
    });
    formatters.set(zone, format);
  }
  const parts: Record<string, string> = {};
  for (const part of format.formatToParts(epochMs)) parts[part.type] = part.value;
  const year = Number(parts.year);
  const month = Number(parts.month);
  return {
    year,
    month,
    day: Number(parts.day),
    weekday: WEEKDAYS[parts.weekday!] ?? 0,
    hour: Number(parts.hour),
    minute: Number(parts.minute),
    daysInMonth: new Date(Date.UTC(year, month, 0)).getUTCDate(),
  };
}
