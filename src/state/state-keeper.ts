/**
 * The daemon's state on disk: opens the store (never failing: see open-store.ts), takes back what
 * it holds, and saves alert state and uptime counts. A write that fails is counted and logged,
 * and probing carries on.
 */
import type { Logger } from 'pino';
import type { Counter, Gauge } from 'prom-client';
import type { Alert } from '../model/alert.js';
import type { AlertStateSink } from '../model/sinks.js';
import type { KindStore } from '../probers/definition.js';
import type { ResultStore } from '../results/history.js';
import { Acknowledgements } from './acknowledgements.js';
import { Announcements } from './announcements.js';
import { IncidentLog } from './incidents.js';
import { openStateStore, type StoreOpening } from './open-store.js';
import { StateAlerts } from './state-alerts.js';
import { StatusIncidents } from './status-incidents.js';
import type { StateStore } from './store.js';
import { Subscribers } from './subscribers.js';

interface StateMetrics {
  readonly stateWriteFailures: Counter;
  readonly stateRowsQuarantined: Counter;
  readonly statePersistent: Gauge;
  readonly stateResets: Counter;
}

/** A failing write is logged when it starts failing, then at most this often, and once when it works again. */
const REPEAT_LOG_MS = 60_000;

export class StateKeeper implements AlertStateSink {
  /** Per kind of write: when it started failing, when that was last logged, and failures since. */
  private readonly failing = new Map<string, { since: number; loggedAt: number; count: number }>();
  readonly store: StateStore;
  /** PrismwatchStateReset and PrismwatchStateNotPersisted. */
  readonly alerts: StateAlerts;
  /** Whether state goes to disk: a data directory was given and could be used. */
  readonly persistent: boolean;
  private readonly opening: StoreOpening;
  private uptimeRestored = false;
  /** Every alert that fired, kept for the retention (incidents.ts). */
  readonly incidents: IncidentLog;
  /** What the status page says at its top (announcements.ts). */
  readonly announcements: Announcements;
  /** Who took which firing alert on (acknowledgements.ts). */
  readonly acknowledgements: Acknowledgements;
  /** Incidents people write for the status pages (status-incidents.ts). */
  readonly statusIncidents: StatusIncidents;
  /** The status pages' subscribers and what they are owed (subscribers.ts). */
  readonly subscribers: Subscribers;

  constructor(
    private readonly dataDir: string | undefined,
    private readonly metrics: StateMetrics,
    private readonly log: Logger,
    now: () => number,
    incidentRetentionMs?: number,
    /** A shared database's working copy (state/shared/): used instead of the data directory. */
    shared?: { readonly store: StateStore; readonly url: string },
  ) {
    // Without a data directory the same store runs in memory: one code path, nothing kept.
    this.opening = shared ? { status: 'shared', ...shared } : openStateStore(dataDir, now);
    this.store = this.opening.store;
    this.alerts = new StateAlerts(this.opening, now());
    this.incidents = new IncidentLog(this.store.db, incidentRetentionMs);
    this.announcements = new Announcements(this.store.db, now);
    this.acknowledgements = new Acknowledgements(this.store.db, now);
    this.statusIncidents = new StatusIncidents(this.store.db, now);
    this.subscribers = new Subscribers(this.store.db, now);
    this.persistent = ['persistent', 'reset', 'shared'].includes(this.opening.status);
    metrics.statePersistent.set(this.persistent ? 1 : 0);
    if (this.store.quarantined.length > 0) {
      metrics.stateRowsQuarantined.inc(this.store.quarantined.length);
      log.error(
        {
          file: this.opening.status === 'persistent' ? this.opening.file : undefined,
          rows: this.store.quarantined,
        },
        'Some rows of the state database were unreadable: they were moved to its quarantine table and the rest was restored',
      );
    }
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
    evaluator: { replace(alerts: readonly Alert[], downtimeMs: number): void },
    now: number,
  ): void {
    // A fresh (reset) database holds nothing; only one that opened as it was has state to restore.
    // A shared one is read as it is now: this runs again whenever this instance becomes leader.
    const { status } = this.opening;
    if (status !== 'persistent' && status !== 'shared') return;
    const saved =
      status === 'persistent'
        ? this.opening.saved
        : { state: this.store.load(), uptime: this.store.loadUptime() };
    // Uptime counts once, at start: after that this instance's own probing counts.
    if (!this.uptimeRestored)
      for (const [probe, snapshot] of saved.uptime)
        if (configured.has(probe)) results.uptimeOf(probe).restore(snapshot);
    this.uptimeRestored = true;
    const { alerts, lastEvaluationAt } = saved.state;
    const downtimeMs = lastEvaluationAt === undefined ? 0 : Math.max(0, now - lastEvaluationAt);
    evaluator.replace(alerts, downtimeMs);
    this.incidents.reread();
    if (alerts.length > 0)
      this.log.info({ alerts: alerts.length, downtime_ms: Math.round(downtimeMs) }, 'Alert state restored');
  }

  saveUptime(results: ResultStore): void {
    if (!this.persistent) return;
    try {
      this.store.saveUptime(results.uptimeSnapshots());
      this.wrote('Could not save uptime counts');
    } catch (error) {
      this.writeFailed('Could not save uptime counts', error);
    }
  }

  saveAlerts(alerts: readonly Alert[], evaluatedAt: number, derived: readonly Alert[] = []): void {
    try {
      if (this.persistent) this.store.save(alerts, evaluatedAt);
      // In memory too: the status page and the API show this run's incidents either way.
      this.incidents.observe([...alerts, ...derived], evaluatedAt);
      this.wrote('Could not save alert state; probing and metrics continue');
    } catch (error) {
      this.writeFailed('Could not save alert state; probing and metrics continue', error);
    }
  }

  /** The SLOs' counts and firing times (slo/engine.ts), replacing what was saved. */
  saveSlos(snapshots: Readonly<Record<string, unknown>>): void {
    if (!this.persistent) return;
    try {
      this.store.saveSlos(snapshots);
      this.wrote('Could not save SLO counts');
    } catch (error) {
      this.writeFailed('Could not save SLO counts', error);
    }
  }

  /** What saveSlos saved, or nothing for a store that did not open as it was. */
  loadSlos(): Record<string, unknown> {
    const { status } = this.opening;
    return status === 'persistent' || status === 'shared' ? this.store.loadSlos() : {};
  }

  /** Forgets incidents past the retention; returns the cut-off (epoch ms), or undefined when it failed. */
  pruneIncidents(now: number): number | undefined {
    try {
      this.incidents.prune(now);
      this.acknowledgements.prune(now - this.incidents.retention);
      this.subscribers.prune(now - this.incidents.retention);
      return now - this.incidents.retention;
    } catch (error) {
      this.writeFailed('Could not prune incident history', error);
      return undefined;
    }
  }

  /** A kind's namespace (heartbeat pings); a write that fails is counted, logged, and kept in memory. */
  kindStore(kind: string): KindStore {
    return this.store.kindStore(kind, (error) => {
      this.metrics.stateWriteFailures.inc();
      this.log.error({ err: error, kind }, 'Could not save what was pushed; it is kept in memory');
    });
  }

  /**
   * The periodic save (and the last one, at shutdown): uptime counts and SLO counters to disk, and
   * history past its retention (incidents and their delivery log) forgotten.
   */
  saveHistory(results: ResultStore, slos: Readonly<Record<string, unknown>>, now: number): void {
    this.saveUptime(results);
    this.saveSlos(slos);
    const before = this.pruneIncidents(now);
    if (before === undefined) return;
    try {
      this.store.notifications.pruneSentLog(before);
    } catch (error) {
      this.writeFailed('Could not prune incident history', error);
    }
  }

  close(): void {
    this.store.close();
  }

  /**
   * Counts a failed write and logs it the first time, then once a minute with the count: a full
   * disk under a 100 ms evaluation interval once wrote megabytes of the same line.
   */
  private writeFailed(message: string, error: unknown): void {
    this.metrics.stateWriteFailures.inc();
    const now = Date.now();
    const seen = this.failing.get(message);
    if (seen && now - seen.loggedAt < REPEAT_LOG_MS) {
      seen.count++;
      return;
    }
    this.failing.set(message, { since: seen?.since ?? now, loggedAt: now, count: 0 });
    this.log.error(
      { err: error, data_dir: this.dataDir, ...(seen ? { failures_since_last_log: seen.count + 1 } : {}) },
      message,
    );
  }

  /** A write that had been failing worked: one line says so. */
  private wrote(failure: string): void {
    const seen = this.failing.get(failure);
    if (!seen) return;
    this.failing.delete(failure);
    this.log.info(
      { data_dir: this.dataDir, failing_for_ms: Date.now() - seen.since },
      'State is being saved again',
    );
  }
}
