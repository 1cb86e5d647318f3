/**
 * How a signal's value reads in annotations, notifications and reports, and the same as a
 * Prometheus template over `$value`, so `rules export` renders the text prismwatch renders:
 * ratios as humanizePercentage (7.143%), latencies as humanizeDuration (2.51s, 123ms), days as
 * printf "%.1f" (10.0 days), everything else as humanize (503, 1.235k).
 */
import { goF, humanize, humanizeDuration, humanizePercentage } from '../util/go-format.js';
import { factsSignalUnit, LATENCY, type Signal } from './signals.js';

interface ValueFormat {
  readonly render: (value: number) => string;
  /** A Go template printing `$value` the same way. */
  readonly template: string;
}

const FORMATS = {
  ratio: { render: humanizePercentage, template: '{{ $value | humanizePercentage }}' },
  seconds: { render: humanizeDuration, template: '{{ $value | humanizeDuration }}' },
  days: { render: (value: number) => `${goF(value, 1)} days`, template: '{{ printf "%.1f" $value }} days' },
  number: { render: humanize, template: '{{ $value | humanize }}' },
} satisfies Record<string, ValueFormat>;

export function valueFormat(signal: Signal): ValueFormat {
  const unit = factsSignalUnit(signal);
  if (unit) return FORMATS[unit];
  if (signal.endsWith('_ratio')) return FORMATS.ratio;
  if (LATENCY.has(signal)) return FORMATS.seconds;
  return FORMATS.number;
}

/** A value as a person reads it for this signal: 7.143%, 2.51s, 10.0 days. */
export function formatSignalValue(signal: Signal, value: number): string {
  return valueFormat(signal).render(value);
}
