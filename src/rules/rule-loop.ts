/**
 * One evaluation of every rule, on a timer: evaluate, commit the state, then hand the alerts on.
 * A failure is counted and logged, never thrown: the next tick tries again.
 */
import type { Logger } from 'pino';
import type { Counter, Gauge } from 'prom-client';
import { type Alert, alertSubject } from '../model/alert.js';
import type { ProbeSpec } from '../model/probe.js';
import type { AlertSink, AlertStateSink } from '../model/sinks.js';
import type { ResultStore } from '../results/history.js';
import type { AlertEvaluator } from './evaluator.js';
import type { RuleSpec } from './rule.js';

interface RuleLoopMetrics {
  readonly ruleEvaluations: Counter;
  readonly ruleEvaluationFailures: Counter;
  readonly ruleEvaluationSeconds: Gauge;
}

interface RuleLoopOptions {
  readonly evaluator: AlertEvaluator;
  readonly results: ResultStore;
  /** Committed before the alerts go on: a notification never goes out for a state not saved. */
  readonly state: AlertStateSink;
  readonly sink: AlertSink;
  /** Alerts beside the rules' that the sink should see (prismwatch's state alerts). */
  readonly otherAlerts: (now: number) => readonly Alert[];
  /** Alerts evaluated beside the rules at each evaluation, at its time (the SLOs' burn alerts). */
  readonly derivedAlerts?: (now: number) => readonly Alert[];
  /** Probes without current data (an agent away or replaying): judged as having none (quorum.ts). */
  readonly holds?: (probe: ProbeSpec) => boolean;
  readonly metrics: RuleLoopMetrics;
  readonly log: Logger;
  readonly now: () => number;
}

/** How often rules are evaluated unless --rules.evaluation-interval says otherwise (Prometheus's default is 1m; ours suits probes every 15 s). */
export const DEFAULT_EVALUATION_INTERVAL_MS = 10_000;

type RuleConfig = () => { rules: readonly RuleSpec[]; probes: readonly ProbeSpec[] } | undefined;

/**
 * Evaluations happen on a fixed schedule of slots, origin + k·interval, and each is stamped with
 * its slot's time rather than the moment its timer ran, as Prometheus stamps a group's evaluation
 * with its scheduled time. A timer that fires a millisecond early or late still evaluates "at"
 * its slot, so an alert with `for: 1m` on a 10 s schedule fires at the first evaluation at or
 * after one minute: read off the clock, a tick a hair early made it wait one more interval.
 */
export class RuleLoop {
  private timer: NodeJS.Timeout | undefined;
  private origin: number;
  private intervalMs = 0;
  private config: RuleConfig = () => undefined;
  private lastSlot = Number.NEGATIVE_INFINITY;
  private stopped = false;
  /** The derived (SLO) alerts' states at the last evaluation: their changes are logged like the rules'. */
  private derivedStates = new Map<string, string>();

  constructor(private readonly options: RuleLoopOptions) {
    this.origin = options.now();
  }

  /** Evaluates every `intervalMs` from now on, each time with the rules and probes `config` gives. */
  start(intervalMs: number, config: RuleConfig): void {
    // Started again after a stop when an instance becomes leader again (shared state).
    this.stopped = false;
    clearTimeout(this.timer);
    this.intervalMs = intervalMs;
    this.config = config;
    this.origin = this.options.now();
    this.schedule();
  }

  /** No more timer; tick() still evaluates at the schedule's slots when called. */
  stop(): void {
    this.stopped = true;
    clearTimeout(this.timer);
  }

  /** The slot a tick at `actual` belongs to: the nearest one, so jitter either way lands on it. */
  private slotAt(actual: number): number {
    if (this.intervalMs <= 0) return actual;
    return this.origin + Math.round((actual - this.origin) / this.intervalMs) * this.intervalMs;
  }

  /** One scheduled evaluation, at the slot the clock is nearest to (the timer calls this). */
  tick(): void {
    const slot = this.slotAt(this.options.now());
    // A late timer followed by a prompt one can land on one slot twice: once is enough.
    if (slot <= this.lastSlot) return;
    this.lastSlot = slot;
    const current = this.config();
    if (current) this.evaluate(current.rules, current.probes, slot);
  }

  private schedule(): void {
    if (this.intervalMs <= 0 || this.stopped) return;
    const now = this.options.now();
    const next = this.origin + (Math.floor((now - this.origin) / this.intervalMs) + 1) * this.intervalMs;
    // Aimed at the next slot each time, so the timer does not drift by the evaluation's own time.
    this.timer = setTimeout(
      () => {
        this.tick();
        this.schedule();
      },
      Math.max(0, next - now),
    );
  }

  /** Evaluates now, or at `at` (a slot's time); the rule loop's timer and tests call this. */
  evaluate(rules: readonly RuleSpec[], probes: readonly ProbeSpec[], at?: number): void {
    const { evaluator, metrics, log } = this.options;
    const started = performance.now();
    try {
      const now = at ?? this.options.now();
      const { changed } = evaluator.evaluate(
        now,
        rules,
        probes,
        this.options.results,
        this.intervalMs,
        this.options.holds,
      );
      const derived = this.options.derivedAlerts?.(now) ?? [];
      this.options.state.saveAlerts(evaluator.list(), now, derived);
      this.options.sink.afterEvaluation([...evaluator.list(), ...derived, ...this.options.otherAlerts(now)]);
      for (const alert of [...changed, ...this.derivedChanges(derived)]) {
        const context = {
          alert: alert.rule,
          ...(alert.labels.probe !== undefined ? { probe: alert.probe } : {}),
          subject: alertSubject(alert.labels) || alert.probe,
          ...(alert.evidence ? { evidence: alert.evidence } : {}),
          severity: alert.labels.severity,
          value: alert.value,
          summary: alert.annotations.summary,
        };
        if (alert.state === 'firing') log.warn(context, 'Alert firing');
        else if (alert.state === 'resolved') log.info(context, 'Alert resolved');
        else log.debug(context, 'Alert pending');
      }
      metrics.ruleEvaluations.inc();
    } catch (error) {
      metrics.ruleEvaluationFailures.inc();
      log.error({ err: error }, 'Rule evaluation failed');
    } finally {
      metrics.ruleEvaluationSeconds.set((performance.now() - started) / 1000);
    }
  }

  private derivedChanges(derived: readonly Alert[]): Alert[] {
    const next = new Map(derived.map((alert) => [alert.fingerprint, alert.state]));
    const out = derived.filter((alert) => this.derivedStates.get(alert.fingerprint) !== alert.state);
    this.derivedStates = next;
    return out;
  }
}
