/**
 * The daemon's state on disk: opens the store (never failing: see open-store.ts), takes back what
 * it holds, and saves alert state and uptime counts. A write that fails is counted and logged,
 * and probing carries on.
 */
import type { Logger } from 'pino';
import type { Counter, Gauge } from 'prom-client';
import type { Alert } from '../model/alert.js';
import type { AlertStateSink } from '../model/sinks.js';
import type { ResultStore } from '../results/history.js';
import type { AlertEvaluator } from '../rules/evaluator.js';
import { Announcements } from './announcements.js';
import { IncidentLog } from './incidents.js';
import { openStateStore, type StoreOpening } from './open-store.js';
import { StateAlerts } from './state-alerts.js';
import type { StateStore } from './store.js';

interface StateMetrics {
  readonly stateWriteFailures: Counter;
  readonly statePersistent: Gauge;
  readonly stateResets: Counter;
}

export class StateKeeper implements AlertStateSink {
  readonly store: StateStore;
  /** PrismwatchStateReset and PrismwatchStateNotPersisted. */
  readonly alerts: StateAlerts;
  /** Whether state goes to disk: a data directory was given and could be used. */
  readonly persistent: boolean;
  private readonly opening: StoreOpening;
  /** Every alert that fired, kept for the retention (incidents.ts). */
  readonly incidents: IncidentLog;
  /** What the status page says at its top (announcements.ts). */
  readonly announcements: Announcements;

  constructor(
    private readonly dataDir: string | undefined,
    private readonly metrics: StateMetrics,
    private readonly log: Logger,
    now: () => number,
    incidentRetentionMs?: number,
  ) {
    // Without a data directory the same store runs in memory: one code path, nothing kept.
    this.opening = openStateStore(dataDir, now);
    this.store = this.opening.store;
    this.alerts = new StateAlerts(this.opening, now());
    this.incidents = new IncidentLog(this.store.db, incidentRetentionMs);
    this.announcements = new Announcements(this.store.db, now);
    this.persistent = this.opening.status === 'persistent' || this.opening.status === 'reset';
    metrics.statePersistent.set(this.persistent ? 1 : 0);
    const opening = this.opening;
    if (opening.status === 'reset') {
      metrics.stateResets.inc();
      log.error(
        { file: opening.file, moved_to: opening.movedTo, reason: opening.reason },
        `State database ${opening.file} was unreadable; moved aside to ${opening.movedTo} and started fresh. Probing continues`,
      );
    } else if (opening.status === 'memory') {
      log.error(
        { file: opening.file, reason: opening.reason },
        `Running WITHOUT persistence: ${opening.reason}. Alert state and notifications live in memory only`,
      );
    }
  }

  /** Uptime counts of configured probes into `results`, saved alerts into `evaluator`. */
  restore(
    configured: ReadonlySet<string>,
    results: ResultStore,
    evaluator: AlertEvaluator,
    now: number,
  ): void {
    // A fresh (reset) database holds nothing; only one that opened as it was has state to restore.
    if (this.opening.status !== 'persistent') return;
    const { saved } = this.opening;
    for (const [probe, snapshot] of saved.uptime)
      if (configured.has(probe)) results.uptimeOf(probe).restore(snapshot);
    const { alerts, lastEvaluationAt } = saved.state;
    const downtimeMs = lastEvaluationAt === undefined ? 0 : Math.max(0, now - lastEvaluationAt);
    evaluator.restore(alerts, downtimeMs);
    if (alerts.length > 0)
      this.log.info({ alerts: alerts.length, downtime_ms: Math.round(downtimeMs) }, 'Alert state restored');
  }

  saveUptime(results: ResultStore): void {
    if (!this.persistent) return;
    try {
      this.store.saveUptime(results.uptimeSnapshots());
    } catch (error) {
      this.metrics.stateWriteFailures.inc();
      this.log.error({ err: error, data_dir: this.dataDir }, 'Could not save uptime counts');
    }
  }

  saveAlerts(alerts: readonly Alert[], evaluatedAt: number, derived: readonly Alert[] = []): void {
    try {
      if (this.persistent) this.store.save(alerts, evaluatedAt);
      // In memory too: the status page and the API show this run's incidents either way.
      this.incidents.observe([...alerts, ...derived], evaluatedAt);
    } catch (error) {
      this.metrics.stateWriteFailures.inc();
      this.log.error(
        { err: error, data_dir: this.dataDir },
        'Could not save alert state; probing and metrics continue',
      );
    }
  }

  /** The SLOs' counts and firing times (slo/engine.ts), replacing what was saved. */
  saveSlos(snapshots: Readonly<Record<string, unknown>>): void {
    if (!this.persistent) return;
    try {
      this.store.saveSlos(snapshots);
    } catch (error) {
      this.metrics.stateWriteFailures.inc();
      this.log.error({ err: error, data_dir: this.dataDir }, 'Could not save SLO counts');
    }
  }

  /** What saveSlos saved, or nothing for a store that did not open as it was. */
  loadSlos(): Record<string, unknown> {
    return this.opening.status === 'persistent' ? this.store.loadSlos() : {};
  }

  /** Forgets incidents past the retention; returns the cut-off (epoch ms), or undefined when it failed. */
  pruneIncidents(now: number): number | undefined {
    try {
      this.incidents.prune(now);
      return now - this.incidents.retention;
    } catch (error) {
      this.metrics.stateWriteFailures.inc();
      this.log.error({ err: error, data_dir: this.dataDir }, 'Could not prune incident history');
      return undefined;
    }
  }

  close(): void {
    this.store.close();
  }
}
