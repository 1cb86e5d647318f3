/**
 * Multiwindow, multi-burn-rate alerting as in the Google SRE workbook (chapter 5, "Alerting on
 * SLOs"), the table Sloth and Pyrra generate from. For a 30-day SLO:
 *
 *   page    when the last 1 h and the last 5 m both burn faster than 14.4× (2 % of the budget in an hour)
 *           or the last 6 h and the last 30 m both burn faster than 6× (5 % in six hours);
 *   ticket  when the last 1 d and the last 2 h both burn faster than 3× (10 % in a day)
 *           or the last 3 d and the last 6 h both burn faster than 1× (10 % in three days).
 *
 * The short window makes an alert stop soon after the burn does. For other periods the windows
 * scale with the period and the factors stay (Pyrra's choice; the budget shares stay the same).
 */
import type { SloSpec } from './model.js';

export interface BurnWindow {
  readonly longMs: number;
  readonly shortMs: number;
  readonly factor: number;
}

export interface BurnTier {
  readonly severity: 'critical' | 'warning';
  /** What the tier is for, in the workbook's words. */
  readonly kind: 'page' | 'ticket';
  readonly windows: readonly BurnWindow[];
}

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;
const DAY = 24 * HOUR;
const BASE_PERIOD = 30 * DAY;

const TIERS: readonly BurnTier[] = [
  {
    severity: 'critical',
    kind: 'page',
    windows: [
      { longMs: HOUR, shortMs: 5 * MINUTE, factor: 14.4 },
      { longMs: 6 * HOUR, shortMs: 30 * MINUTE, factor: 6 },
    ],
  },
  {
    severity: 'warning',
    kind: 'ticket',
    windows: [
      { longMs: DAY, shortMs: 2 * HOUR, factor: 3 },
      { longMs: 3 * DAY, shortMs: 6 * HOUR, factor: 1 },
    ],
  },
];

/** Whole minutes, at least one: the event buckets' resolution. */
const scaled = (ms: number, scale: number) => Math.max(MINUTE, Math.round((ms * scale) / MINUTE) * MINUTE);

export function burnTiers(slo: Pick<SloSpec, 'windowMs'>): BurnTier[] {
  const scale = slo.windowMs / BASE_PERIOD;
  return TIERS.map((tier) => ({
    ...tier,
    windows: tier.windows.map((window) => ({
      longMs: scaled(window.longMs, scale),
      shortMs: scaled(window.shortMs, scale),
      factor: window.factor,
    })),
  }));
}

/** Every window the tiers read, shortest first, once each. */
export function burnWindowsOf(slo: Pick<SloSpec, 'windowMs'>): number[] {
  const all = burnTiers(slo).flatMap((tier) =>
    tier.windows.flatMap((window) => [window.longMs, window.shortMs]),
  );
  return [...new Set(all)].sort((a, b) => a - b);
}
