/**
 * Rules → alerts, with Prometheus's semantics (rules/alerting.go Eval), the clock injected:
 * - a newly active (rule, probe) pair is pending from `activeAt`; it fires once now − activeAt ≥ for
 *   (at once with for: 0);
 * - a pending alert whose condition stops holding is dropped, with no resolved notice;
 * - a firing alert whose condition stops holding resolves, unless keep_firing_for is set: then it
 *   stays firing until keep_firing_for has passed since the condition first stopped holding, and a
 *   matching evaluation in between resets that;
 * - resolved alerts are kept for 15 minutes (so their resolution can be re-sent), then forgotten;
 * - raising `for` (by a reload) past how long a firing alert has held puts it back to pending;
 * - a rule or probe that is gone resolves its firing alerts at once (no zombies after a reload).
 * Hysteresis on top: while firing, the condition is checked against resolve_threshold.
 * Unlike Prometheus, which reads a restarted TSDB, prismwatch's history starts empty after a
 * restart: an evaluation without data (no samples, or fewer than min_samples) leaves a pending or
 * firing alert as it is, instead of resolving it.
 */
import { type Alert, fingerprintOf, RESOLVED_RETENTION_MS } from '../model/alert.js';
import { type ProbeSpec, probeLabels } from '../model/probe.js';
import type { ResultStore } from '../results/history.js';
import { alertEvidence } from './evidence.js';
import { baseOf, isActive, judgeQuorum, locationGroups, type Observation } from './quorum.js';
import { coverageWaitMs, type RuleSpec, selects } from './rule.js';
import { computeSignal, WINDOWED } from './signals.js';
import { describeThreshold, renderAnnotations } from './template.js';

export function alertLabels(rule: RuleSpec, probe: ProbeSpec): Record<string, string> {
  return {
    ...probeLabels(probe),
    ...rule.labels,
    alertname: rule.alert,
    severity: rule.severity,
  };
}

/** How long this rule's signal can hold after the probe's problem is gone (Alert.echoMs). */
function echoOf(rule: RuleSpec, probe: ProbeSpec, evaluationIntervalMs: number): number {
  return (
    (WINDOWED.has(rule.signal) ? rule.windowMs : 0) +
    rule.keepFiringForMs +
    (probe.intervalMs ?? 0) +
    evaluationIntervalMs
  );
}

/** A windowed rule that cannot judge a probe yet: prismwatch has not watched it for a whole window. */
export interface WaitingForData {
  readonly alert: string;
  readonly probe: string;
  /** Runs in the window so far. */
  readonly runs: number;
  /** How long until the window is covered. */
  readonly readyInMs: number;
}

/** What one evaluation pass collects as it goes. */
interface Pass {
  readonly now: number;
  readonly evaluationIntervalMs: number;
  readonly seen: Set<string>;
  readonly changed: Alert[];
  readonly waiting: WaitingForData[];
}

interface EvaluationResult {
  readonly evaluated: number;
  /** Alerts whose state changed in this evaluation, for logs and delivery. */
  readonly changed: readonly Alert[];
}

export class AlertEvaluator {
  private readonly alerts = new Map<string, Alert>();
  private waiting: WaitingForData[] = [];

  /** Rule and probe pairs whose window does not hold enough runs yet, as of the last evaluation. */
  waitingForData(): readonly WaitingForData[] {
    return this.waiting;
  }

  /**
   * Takes back alerts saved before a restart. As Prometheus's RestoreForState does, the downtime
   * does not count toward `for` or `keep_firing_for`: pending alerts and keep-firing gaps move
   * forward by it. Firing alerts stay firing (so they are not announced again), and the first
   * evaluation notices any condition that changed while prismwatch was down.
   */
  restore(alerts: readonly Alert[], downtimeMs: number): void {
    for (const alert of alerts) {
      const restored: Alert = { ...alert };
      if (restored.state === 'pending') restored.activeAt += downtimeMs;
      if (restored.keepFiringSince !== undefined) restored.keepFiringSince += downtimeMs;
      this.alerts.set(restored.fingerprint, restored);
    }
  }

  /** Forgets every alert and takes these back instead (an instance that becomes leader). */
  replace(alerts: readonly Alert[], downtimeMs: number): void {
    this.alerts.clear();
    this.restore(alerts, downtimeMs);
  }

  /** Alerts currently pending, firing, or resolved within the retention. */
  list(): Alert[] {
    return [...this.alerts.values()];
  }

  evaluate(
    now: number,
    rules: readonly RuleSpec[],
    probes: readonly ProbeSpec[],
    results: ResultStore,
    /** The rule loop's interval: part of how long an alert can outlive its cause (Alert.echoMs). */
    evaluationIntervalMs = 0,
    /**
     * Probes whose data is not current (an agent that is down, or still replaying its backlog):
     * judged as having no data, so their alerts stay as they are (quorum.ts says why).
     */
    holds: (probe: ProbeSpec) => boolean = () => false,
  ): EvaluationResult {
    const pass: Pass = { now, seen: new Set(), changed: [], waiting: [], evaluationIntervalMs };
    let evaluated = 0;
    for (const rule of rules) {
      const selected = probes.filter((probe) => selects(rule.select, probe));
      evaluated += selected.length;
      const judge = (probe: ProbeSpec) => this.observe(rule, probe, results, pass, holds(probe));
      if (rule.quorum === undefined) {
        for (const probe of selected) this.step(rule, probe, alertLabels(rule, probe), judge(probe), pass);
        continue;
      }
      // Probes agents run are judged across their locations; the others as they are.
      const { single, byProbe } = locationGroups(selected);
      for (const probe of single) this.step(rule, probe, alertLabels(rule, probe), judge(probe), pass);
      for (const copies of byProbe.values()) {
        // While the probe's alert fires, each location is judged by the resolve threshold.
        const firing =
          this.alerts.get(fingerprintOf(alertLabels(rule, baseOf(copies[0]!))))?.state === 'firing';
        const quorum = judgeQuorum(rule, copies, (probe) => {
          const observation = judge(probe);
          return { ...observation, active: isActive(rule, observation.value, firing) };
        });
        this.step(quorum.rule, quorum.probe, quorum.labels, quorum.observation, pass, quorum.annotations);
        for (const degraded of quorum.degraded)
          this.step(
            degraded.rule,
            degraded.probe,
            degraded.labels,
            degraded.observation,
            pass,
            degraded.annotations,
          );
      }
    }
    for (const [fingerprint, alert] of this.alerts) {
      if (alert.state === 'resolved') {
        if (now - (alert.resolvedAt ?? now) >= RESOLVED_RETENTION_MS) this.alerts.delete(fingerprint);
      } else if (!pass.seen.has(fingerprint)) {
        // Its rule or probe is gone: a pending alert never existed for anyone; a firing one resolves.
        if (alert.state === 'pending') this.alerts.delete(fingerprint);
        else this.resolve(alert, now, pass.changed);
      }
    }
    this.waiting = pass.waiting;
    return { evaluated, changed: pass.changed };
  }

  /** The rule's signal for one probe now; undefined value while there is no data to judge by. */
  private observe(
    rule: RuleSpec,
    probe: ProbeSpec,
    results: ResultStore,
    pass: Pass,
    held: boolean,
  ): Observation {
    const { now } = pass;
    const history = results.get(probe.name);
    const waitMs = WINDOWED.has(rule.signal)
      ? coverageWaitMs(history?.reachesBackTo(), now, rule.windowMs, probe.intervalMs)
      : 0;
    if (waitMs > 0)
      pass.waiting.push({
        alert: rule.alert,
        probe: probe.name,
        runs: history?.samples(now - rule.windowMs).length ?? 0,
        readyInMs: waitMs,
      });
    const value =
      waitMs > 0 || held
        ? undefined
        : computeSignal(rule.signal, { history, now, windowMs: rule.windowMs, minSamples: rule.minSamples });
    return { value, history };
  }

  /**
   * One alert's state machine for one evaluation. `observation.active` overrides the rule's
   * comparison (a quorum's count of locations); `extra` annotations are added to the rendered ones.
   */
  private step(
    rule: RuleSpec,
    probe: ProbeSpec,
    labels: Record<string, string>,
    observation: Observation & { active?: boolean },
    pass: Pass,
    extra: Record<string, string> = {},
  ): void {
    const { now, changed } = pass;
    const { value, history } = observation;
    const fingerprint = fingerprintOf(labels);
    pass.seen.add(fingerprint);
    const existing = this.alerts.get(fingerprint);
    const thresholdText = describeThreshold(rule);
    const echoMs = echoOf(rule, probe, pass.evaluationIntervalMs);
    if (existing) {
      existing.threshold = thresholdText;
      existing.echoMs = echoMs;
    }
    // No data yet (just restarted, or fewer than min_samples): a known state is kept as it is.
    // Resolving would announce a recovery nobody observed, then fire again once data arrives.
    if (value === undefined && existing && existing.state !== 'resolved') return;
    const active = observation.active ?? isActive(rule, value, existing?.state === 'firing');
    const annotations = (v: number) => ({ ...renderAnnotations(rule, probe, v, labels), ...extra });
    if (active && value !== undefined) {
      const evidence = alertEvidence(rule, value, history, now);
      if (!existing || existing.state === 'resolved') {
        const alert: Alert = {
          fingerprint,
          rule: rule.alert,
          probe: probe.name,
          labels,
          annotations: annotations(value),
          threshold: thresholdText,
          echoMs,
          ...evidence,
          state: 'pending',
          value,
          activeAt: now,
        };
        this.alerts.set(fingerprint, alert);
        if (rule.forMs === 0) {
          alert.state = 'firing';
          alert.firedAt = now;
        }
        changed.push(alert);
        return;
      }
      existing.value = value;
      existing.annotations = annotations(value);
      existing.evidence = evidence.evidence;
      if (evidence.failure) existing.failure = evidence.failure;
      // The incident began at its first failure; a later window that no longer holds it keeps the earlier time.
      if (evidence.firstFailureAt !== undefined)
        existing.firstFailureAt = Math.min(existing.firstFailureAt ?? Infinity, evidence.firstFailureAt);
      existing.keepFiringSince = undefined;
      if (existing.state === 'pending' && now - existing.activeAt >= rule.forMs) {
        existing.state = 'firing';
        existing.firedAt = now;
        changed.push(existing);
      } else if (existing.state === 'firing' && now - existing.activeAt < rule.forMs) {
        // A reload raised `for` past the time this alert has held: back to pending, as Prometheus does.
        existing.state = 'pending';
        existing.firedAt = undefined;
        changed.push(existing);
      }
      return;
    }
    if (!existing || existing.state === 'resolved') return;
    if (existing.state === 'pending') {
      this.alerts.delete(fingerprint);
      return;
    }
    if (rule.keepFiringForMs > 0) {
      existing.keepFiringSince ??= now;
      if (now - existing.keepFiringSince < rule.keepFiringForMs) return;
    }
    // A resolved notice says what the value is now, not what it was when it fired: its
    // summary read "[RESOLVED] HighErrorRate: 8.3 % of requests failing" before.
    if (value !== undefined) {
      existing.value = value;
      existing.annotations = annotations(value);
      existing.evidence = alertEvidence(rule, value, history, now).evidence;
    }
    this.resolve(existing, now, changed);
  }

  private resolve(alert: Alert, now: number, changed: Alert[]): void {
    alert.state = 'resolved';
    alert.resolvedAt = now;
    alert.keepFiringSince = undefined;
    changed.push(alert);
  }
}
