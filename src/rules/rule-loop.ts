/**
 * One evaluation of every rule, on a timer: evaluate, commit the state, then hand the alerts on.
 * A failure is counted and logged, never thrown: the next tick tries again.
 */
import type { Logger } from 'pino';
import type { Counter, Gauge } from 'prom-client';
import type { Alert } from '../model/alert.js';
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
  readonly metrics: RuleLoopMetrics;
  readonly log: Logger;
  readonly now: () => number;
}

export class RuleLoop {
  private timer: NodeJS.Timeout | undefined;

  constructor(private readonly options: RuleLoopOptions) {}

  start(
    intervalMs: number,
    config: () => { rules: readonly RuleSpec[]; probes: readonly ProbeSpec[] } | undefined,
  ): void {
    this.timer = setInterval(() => {
      const current = config();
      if (current) this.evaluate(current.rules, current.probes);
    }, intervalMs);
  }

  stop(): void {
    clearInterval(this.timer);
  }

  evaluate(rules: readonly RuleSpec[], probes: readonly ProbeSpec[]): void {
    const { evaluator, metrics, log } = this.options;
    const started = performance.now();
    try {
      const now = this.options.now();
      const { changed } = evaluator.evaluate(now, rules, probes, this.options.results);
      this.options.state.saveAlerts(evaluator.list(), now);
      this.options.sink.afterEvaluation([...evaluator.list(), ...this.options.otherAlerts(now)]);
      for (const alert of changed) {
        const context = {
          alert: alert.rule,
          probe: alert.probe,
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
}
