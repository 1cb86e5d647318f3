/**
 * The SLOs' series: the events Prometheus computes the same SLIs from (the exported recording
 * rules read prismwatch_slo_events_total), and prismwatch's own view for dashboards.
 */
import { Counter, Gauge, type Registry } from 'prom-client';
import { formatDuration } from '../util/duration.js';
import type { SloStatus } from './engine.js';
import type { SloSpec } from './model.js';

export class SloMetrics {
  private readonly events: Counter<'slo' | 'outcome'>;
  private readonly objective: Gauge<'slo'>;
  private readonly budgetRemaining: Gauge<'slo'>;
  private readonly burnRate: Gauge<'slo' | 'window'>;
  private readonly since: Gauge<'slo'>;
  private names = new Set<string>();

  constructor(registry: Registry) {
    const registers = [registry];
    this.events = new Counter({
      name: 'prismwatch_slo_events_total',
      help: 'Probe runs counted by an SLO, by outcome (good: succeeded, within the latency bound if any). Runs in a maintenance window that leaves uptime out are not counted.',
      labelNames: ['slo', 'outcome'],
      registers,
    });
    this.objective = new Gauge({
      name: 'prismwatch_slo_objective_ratio',
      help: 'The share of good events the SLO promises (0.999 for 99.9 %).',
      labelNames: ['slo'],
      registers,
    });
    this.budgetRemaining = new Gauge({
      name: 'prismwatch_slo_error_budget_remaining_ratio',
      help: "The share of the SLO's error budget left over its window, from prismwatch's own history (negative: overspent).",
      labelNames: ['slo'],
      registers,
    });
    this.since = new Gauge({
      name: 'prismwatch_slo_observed_since_timestamp_seconds',
      help: "When prismwatch began counting the SLO's events (kept across restarts). A burn-rate pair is judged only once this is older than its long window.",
      labelNames: ['slo'],
      registers,
    });
    this.burnRate = new Gauge({
      name: 'prismwatch_slo_burn_rate',
      help: 'Error ratio over the window divided by the error budget: 1 spends exactly the budget over the SLO window.',
      labelNames: ['slo', 'window'],
      registers,
    });
  }

  /** When counting began: the exported burn alerts wait, as prismwatch does, until it covers their long window. */
  observedSince(slo: string, epochMs: number): void {
    this.since.set({ slo }, epochMs / 1000);
  }

  /** Series for exactly these SLOs; both outcomes exist from the start, so ratios are defined at once. */
  configure(slos: readonly SloSpec[]): void {
    const names = new Set(slos.map((slo) => slo.name));
    for (const name of this.names)
      if (!names.has(name)) for (const outcome of ['good', 'bad']) this.events.remove({ slo: name, outcome });
    this.names = names;
    // Gauges are set again at the next evaluation; a removed SLO's disappear now.
    this.objective.reset();
    this.budgetRemaining.reset();
    this.burnRate.reset();
    this.since.reset();
    for (const slo of slos) {
      this.objective.set({ slo: slo.name }, slo.objective);
      this.events.inc({ slo: slo.name, outcome: 'good' }, 0);
      this.events.inc({ slo: slo.name, outcome: 'bad' }, 0);
    }
  }

  event(slo: string, good: boolean): void {
    this.events.inc({ slo, outcome: good ? 'good' : 'bad' });
  }

  observe(slo: SloSpec, status: SloStatus): void {
    if (status.budgetRemaining !== undefined)
      this.budgetRemaining.set({ slo: slo.name }, status.budgetRemaining);
    for (const { windowMs, rate } of status.burnRates)
      if (rate !== undefined) this.burnRate.set({ slo: slo.name, window: formatDuration(windowMs) }, rate);
  }
}
