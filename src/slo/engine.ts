/**
 * SLOs computed from prismwatch's own probe runs: each run of a selected probe is an event (good:
 * it succeeded, within the latency bound if there is one), counted by the minute over the SLO's
 * window (events.ts). At every rule evaluation the engine reads the burn rates the tiers need
 * (burn-windows.ts) and holds one ErrorBudgetBurn alert per SLO and tier: critical pages on a
 * fast burn, warning opens a ticket on a slow one. No `for`: the short window already filters
 * blips, as in the workbook. The counts and the firing times are saved with the rest of the state,
 * so a restart keeps the budget and does not re-fire what was firing.
 *
 * A window pair is judged only once prismwatch has watched the SLO for the pair's long window.
 * Before that, the "last hour" is 40 seconds: one failed run among four read as a 250× burn and
 * paged a freshly started daemon, and the budget read −99,900 %. Until the first page window is
 * covered the SLO says "insufficient data" and how long is left; the exported rules read the same
 * start from prismwatch_slo_observed_since_timestamp_seconds, so Prometheus waits as long.
 */
import { type Alert, fingerprintOf, RESOLVED_RETENTION_MS } from '../model/alert.js';
import type { ProbeSpec } from '../model/probe.js';
import { selects } from '../rules/rule.js';
import { formatDuration } from '../util/duration.js';
import { type BurnTier, burnTiers, burnWindowsOf } from './burn-windows.js';
import { type EventsSnapshot, errorRatio, SloEvents } from './events.js';
import { burnThreshold, errorBudget, type SloSpec } from './model.js';
import type { SloMetrics } from './slo-metrics.js';

export const SLO_ALERT = 'ErrorBudgetBurn';

/** What an SLO is doing, for people: the page, the API and the dashboards show this. */
export type SloState = 'insufficient_data' | 'fast_burn' | 'exhausted' | 'slow_burn' | 'ok';

export interface SloStatus {
  readonly slo: SloSpec;
  readonly state: SloState;
  /** Epoch ms prismwatch began counting this SLO's events (kept across restarts). */
  readonly observedSince: number;
  /** While the state is insufficient_data: how long until the first page window is covered. */
  readonly insufficientForMs?: number;
  readonly probes: readonly string[];
  /** Good events over all events in the whole window; undefined before the first event. */
  readonly ratio?: number;
  readonly events: number;
  /** The share of the error budget left (zero or negative: exhausted); undefined until covered. */
  readonly budgetRemaining?: number;
  /** Burn rate per window covered by data: the error ratio over the budget (1: spending exactly the budget). */
  readonly burnRates: ReadonlyArray<{ readonly windowMs: number; readonly rate?: number }>;
  /** The tiers firing now. */
  readonly firing: ReadonlyArray<'critical' | 'warning'>;
}

/** What the state store keeps per SLO. */
export interface SloSnapshot {
  readonly windowMs: number;
  /** Epoch ms counting began; absent in state saved before it was kept (the oldest bucket stands in). */
  readonly since?: number;
  readonly events: EventsSnapshot;
  /** Severity → epoch ms the tier's alert fired. */
  readonly firing: Record<string, number>;
}

interface Counting {
  readonly events: SloEvents;
  readonly windowMs: number;
  /** Epoch ms counting began: taken back from the saved state, so a restart keeps it. */
  since: number;
}

interface Held {
  readonly firedAt: number;
  /** The alert as last evaluated; kept after it resolves, for RESOLVED_RETENTION_MS. */
  alert: Alert;
}

export class SloEngine {
  private slos: readonly SloSpec[] = [];
  /** Per SLO: its event counts, the window they were made for, and when counting began. */
  private readonly counting = new Map<string, Counting>();
  private byProbe = new Map<string, SloSpec[]>();
  private readonly held = new Map<string, Held>();
  /** Firing times restored from the state store, taken up by the first evaluation. */
  private restoredFiring = new Map<string, number>();
  private latest: Alert[] = [];

  constructor(private readonly metrics?: SloMetrics) {}

  /** Takes the config's SLOs; counts of an SLO whose window is unchanged are kept across reloads. */
  configure(slos: readonly SloSpec[], probes: readonly ProbeSpec[], now = Date.now()): void {
    this.slos = slos;
    const names = new Set(slos.map((slo) => slo.name));
    for (const [name, counting] of [...this.counting]) {
      const slo = slos.find((candidate) => candidate.name === name);
      if (!slo || slo.windowMs !== counting.windowMs) this.counting.delete(name);
    }
    for (const slo of slos) {
      if (!this.counting.has(slo.name))
        this.counting.set(slo.name, {
          events: new SloEvents(slo.windowMs),
          windowMs: slo.windowMs,
          since: Math.floor(now),
        });
    }
    for (const key of [...this.held.keys()]) if (!names.has(key.split('\u0000')[0]!)) this.held.delete(key);
    this.byProbe = new Map();
    for (const probe of probes) {
      const covering = slos.filter((slo) => selects(slo.select, probe));
      if (covering.length > 0) this.byProbe.set(probe.name, covering);
    }
    this.metrics?.configure(slos);
    for (const slo of slos) this.metrics?.observedSince(slo.name, this.countingOf(slo).since);
  }

  /** Whether prismwatch has counted this SLO's events for at least `windowMs` by `now`. */
  private covers(slo: SloSpec, windowMs: number, now: number): boolean {
    return now - this.countingOf(slo).since >= windowMs;
  }

  private countingOf(slo: SloSpec): Counting {
    return this.counting.get(slo.name)!;
  }

  get configured(): readonly SloSpec[] {
    return this.slos;
  }

  /** One probe run; left out when a maintenance window says so. */
  record(
    spec: ProbeSpec,
    result: { startedAt: number; ok: boolean; durationMs: number },
    inMaintenance = false,
  ): void {
    const slos = this.byProbe.get(spec.name);
    if (!slos || inMaintenance) return;
    for (const slo of slos) {
      const good = result.ok && (slo.latencyMs === undefined || result.durationMs <= slo.latencyMs);
      this.counting.get(slo.name)?.events.record(result.startedAt, good);
      this.metrics?.event(slo.name, good);
    }
  }

  /** Evaluates every SLO's tiers at `now`; returns their alerts (firing, and resolved for a while). */
  evaluate(now: number): Alert[] {
    for (const slo of this.slos) {
      const { events } = this.countingOf(slo);
      const rate = (windowMs: number) => {
        const ratio = errorRatio(events.counts(now, windowMs));
        return ratio === undefined ? undefined : ratio / errorBudget(slo);
      };
      for (const tier of burnTiers(slo)) this.judge(slo, tier, rate, events, now);
      this.metrics?.observe(slo, this.statusOf(slo, now));
    }
    this.restoredFiring.clear();
    const out: Alert[] = [];
    for (const [key, held] of this.held) {
      if (held.alert.state === 'resolved' && now - (held.alert.resolvedAt ?? now) > RESOLVED_RETENTION_MS)
        this.held.delete(key);
      else out.push(held.alert);
    }
    this.latest = out;
    return out;
  }

  /** The burn alerts of the last evaluation (the page, the API and the notifier show them between evaluations). */
  alerts(): readonly Alert[] {
    return this.latest;
  }

  private judge(
    slo: SloSpec,
    tier: BurnTier,
    rate: (windowMs: number) => number | undefined,
    events: SloEvents,
    now: number,
  ): void {
    const threshold = (factor: number) => burnThreshold(slo, factor);
    // The comparisons are made on error ratios against factor × budget, exactly as the exported
    // PromQL does, so both fire on the same evaluation.
    const burning = tier.windows.find((window) => {
      if (!this.covers(slo, window.longMs, now)) return false;
      const long = errorRatio(events.counts(now, window.longMs));
      const short = errorRatio(events.counts(now, window.shortMs));
      return (
        long !== undefined &&
        short !== undefined &&
        long > threshold(window.factor) &&
        short > threshold(window.factor)
      );
    });
    const key = `${slo.name}\u0000${tier.severity}`;
    const held = this.held.get(key);
    const labels = { ...slo.labels, alertname: SLO_ALERT, severity: tier.severity, slo: slo.name };
    if (burning) {
      const longRate = rate(burning.longMs) ?? 0;
      const firedAt =
        held && held.alert.state === 'firing' ? held.firedAt : (this.restoredFiring.get(key) ?? now);
      const spentPerHour = (longRate * 3_600_000) / slo.windowMs;
      const alert: Alert = {
        fingerprint: fingerprintOf(labels),
        rule: SLO_ALERT,
        probe: slo.name,
        labels,
        annotations: {
          summary: `${slo.name} is burning its error budget ${longRate.toFixed(1)}× too fast (${tier.kind})`,
          runbook_url: `/runbooks/${SLO_ALERT}`,
          description: `Over the last ${formatDuration(burning.longMs)} and ${formatDuration(burning.shortMs)} the error ratio is above ${burning.factor}× the budget of ${percent(errorBudget(slo))} (objective ${percent(slo.objective)} over ${formatDuration(slo.windowMs)}): at this rate ${percent(spentPerHour)} of the budget goes every hour.`,
        },
        threshold: `> ${burning.factor}× budget`,
        evidence: `burn rate ${longRate.toFixed(2)}× over ${formatDuration(burning.longMs)}, ${(rate(burning.shortMs) ?? 0).toFixed(2)}× over ${formatDuration(burning.shortMs)}`,
        state: 'firing',
        value: longRate,
        activeAt: firedAt,
        firedAt,
      };
      this.held.set(key, { firedAt, alert });
    } else if (held && held.alert.state === 'firing') {
      held.alert = { ...held.alert, state: 'resolved', resolvedAt: now };
    }
  }

  private statusOf(slo: SloSpec, now: number): SloStatus {
    const { events, since } = this.countingOf(slo);
    const whole = events.counts(now, slo.windowMs);
    const ratio = errorRatio(whole);
    const firstPage = firstPageWindowMs(slo);
    const covered = this.covers(slo, firstPage, now);
    const budgetRemaining = covered && ratio !== undefined ? 1 - ratio / errorBudget(slo) : undefined;
    const firing = (['critical', 'warning'] as const).filter(
      (severity) => this.held.get(`${slo.name}\u0000${severity}`)?.alert.state === 'firing',
    );
    const state: SloState = !covered
      ? 'insufficient_data'
      : firing.includes('critical')
        ? 'fast_burn'
        : budgetRemaining !== undefined && budgetRemaining <= 0
          ? 'exhausted'
          : firing.includes('warning')
            ? 'slow_burn'
            : 'ok';
    return {
      slo,
      state,
      observedSince: since,
      ...(covered ? {} : { insufficientForMs: since + firstPage - now }),
      probes: [...this.byProbe].filter(([, slos]) => slos.includes(slo)).map(([name]) => name),
      ...(ratio === undefined ? {} : { ratio: 1 - ratio }),
      ...(budgetRemaining === undefined ? {} : { budgetRemaining }),
      events: whole.total,
      burnRates: burnWindowsOf(slo)
        .filter((windowMs) => this.covers(slo, windowMs, now))
        .map((windowMs) => {
          const windowRatio = errorRatio(events.counts(now, windowMs));
          return { windowMs, ...(windowRatio === undefined ? {} : { rate: windowRatio / errorBudget(slo) }) };
        }),
      firing,
    };
  }

  status(now: number): SloStatus[] {
    return this.slos.map((slo) => this.statusOf(slo, now));
  }

  snapshot(): Record<string, SloSnapshot> {
    const out: Record<string, SloSnapshot> = {};
    for (const slo of this.slos) {
      const firing: Record<string, number> = {};
      for (const severity of ['critical', 'warning']) {
        const held = this.held.get(`${slo.name}\u0000${severity}`);
        if (held?.alert.state === 'firing') firing[severity] = held.firedAt;
      }
      out[slo.name] = {
        windowMs: slo.windowMs,
        since: this.countingOf(slo).since,
        events: this.countingOf(slo).events.snapshot(),
        firing,
      };
    }
    return out;
  }

  /** Saved counts and firing times of SLOs still configured with the same window. */
  restore(saved: Readonly<Record<string, SloSnapshot>>): void {
    for (const slo of this.slos) {
      const entry = saved[slo.name];
      if (!entry || entry.windowMs !== slo.windowMs) continue;
      const counting = this.countingOf(slo);
      counting.events.restore(entry.events);
      // The oldest saved bucket starts at most one minute after counting began.
      const oldest = entry.events.reduce((min, [bucket]) => Math.min(min, (bucket - 1) * 60_000), Infinity);
      counting.since = Math.min(counting.since, entry.since ?? oldest);
      this.metrics?.observedSince(slo.name, counting.since);
      for (const [severity, firedAt] of Object.entries(entry.firing))
        this.restoredFiring.set(`${slo.name}\u0000${severity}`, firedAt);
    }
  }
}

/** The long window of the fastest page pair: the least data an SLO needs before it can page. */
export function firstPageWindowMs(slo: Pick<SloSpec, 'windowMs'>): number {
  return burnTiers(slo)[0]!.windows[0]!.longMs;
}

function percent(ratio: number): string {
  return `${Number((ratio * 100).toPrecision(4))} %`;
}
