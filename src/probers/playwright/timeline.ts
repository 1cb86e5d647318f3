/**
 * A page timeline as the vitals fixture attached it, checked before it is believed: the page (and
 * the test) ran code prismwatch did not write, so a field that is not a finite number is dropped
 * and the lists are bounded.
 */
import type { RawTimeline } from '../browser/vitals.js';

const MAX_ENTRIES = 1_000;
const NAVIGATION_KEYS = [
  'startTime',
  'domainLookupStart',
  'domainLookupEnd',
  'connectStart',
  'connectEnd',
  'secureConnectionStart',
  'requestStart',
  'responseStart',
  'responseEnd',
  'domContentLoadedEventEnd',
  'loadEventEnd',
] as const;

const finite = (value: unknown): value is number => typeof value === 'number' && Number.isFinite(value);
const record = (value: unknown): Record<string, unknown> | undefined =>
  typeof value === 'object' && value !== null ? (value as Record<string, unknown>) : undefined;

export function timelineFrom(raw: unknown): RawTimeline | undefined {
  const given = record(raw);
  if (!given) return undefined;
  const nav = record(given.navigation);
  const navigation =
    nav && NAVIGATION_KEYS.every((key) => finite(nav[key]))
      ? (Object.fromEntries(
          NAVIGATION_KEYS.map((key) => [key, nav[key]]),
        ) as unknown as RawTimeline['navigation'])
      : undefined;
  const shifts = (Array.isArray(given.shifts) ? given.shifts.slice(0, MAX_ENTRIES) : [])
    .map(record)
    .filter(
      (shift): shift is Record<string, unknown> => !!shift && finite(shift.startTime) && finite(shift.value),
    )
    .map((shift) => ({ startTime: shift.startTime as number, value: Math.max(0, shift.value as number) }));
  const interactions = (
    Array.isArray(given.interactions) ? given.interactions.slice(0, MAX_ENTRIES) : []
  ).filter((value): value is number => finite(value) && value >= 0);
  return {
    ...(navigation ? { navigation } : {}),
    ...(finite(given.fcp) && given.fcp >= 0 ? { fcp: given.fcp } : {}),
    ...(finite(given.lcp) && given.lcp >= 0 ? { lcp: given.lcp } : {}),
    shifts,
    interactions,
  };
}
