/**
 * Whether prismwatch itself is healthy, for the alive ping (alive-ping.ts): unhealthy while one
 * of its own alerts fires (notifications failing, state not saved; not the always-firing
 * Watchdog), or when no probe run has finished for three times the shortest interval plus its
 * timeout (at least 30 s): the scheduler or the event loop is stuck.
 */
import type { Alert } from '../../model/alert.js';
import type { ProbeSpec } from '../../model/probe.js';

const MIN_STALL_MS = 30_000;

export interface SelfHealthInputs {
  /** prismwatch's own alerts (state alerts, NotificationsFailing, Watchdog) at `now`. */
  readonly ownAlerts: (now: number) => readonly Alert[];
  /** Probe runs finished since start: a count that stops growing is a stall. */
  readonly runs: () => number;
  readonly probes: () => readonly ProbeSpec[];
  readonly now: () => number;
}

export class SelfHealth {
  /** Probe runs counted at the last look, and when that count last grew. */
  private progress = { runs: -1, at: 0 };

  constructor(private readonly inputs: SelfHealthInputs) {}

  /** Why prismwatch is unhealthy now, or undefined when it is healthy. */
  problem(): string | undefined {
    const now = this.inputs.now();
    const own = this.inputs
      .ownAlerts(now)
      .filter((alert) => alert.state === 'firing' && alert.rule !== 'Watchdog');
    if (own.length > 0)
      return `firing: ${own.map((alert) => `${alert.rule}${alert.labels.integration ? ` (${alert.labels.integration})` : ''}`).join(', ')}`;
    const runs = this.inputs.runs();
    if (runs !== this.progress.runs) this.progress = { runs, at: now };
    const periods = this.inputs
      .probes()
      .flatMap((spec) => (spec.intervalMs === undefined ? [] : [spec.intervalMs + spec.timeoutMs]));
    if (periods.length === 0) return undefined;
    const stallAfter = Math.max(MIN_STALL_MS, 3 * Math.min(...periods));
    return now - this.progress.at > stallAfter
      ? `no probe run has finished for ${Math.round((now - this.progress.at) / 1000)}s`
      : undefined;
  }
}
