/**
 * Notification as one unit for the daemon, its stages in order, one folder each: routing
 * (routing/), grouping and dedup (dispatch/, which asks the muting stage it is given), the outbox
 * and its write-ahead journal and delivery with retries (delivery/), rendering (render/, used by
 * the receivers), and the receivers (receivers/, queued types and the forwarding Alertmanager
 * type); plus prismwatch's own NotificationsFailing and Watchdog alerts (self/). Muting
 * (silences, maintenance, inhibition) is built outside it, because the API, the status page and
 * uptime ask it too.
 */
import type { Logger } from 'pino';
import type { Registry } from 'prom-client';
import { type Alert, alertSubject, fingerprintOf } from '../model/alert.js';
import type { Mutes } from '../muting/muting.js';
import type { OutboxRow } from '../state/notification-store.js';
import type { NotificationRepository } from '../state/repositories.js';
import { WATCHDOG_LABELS } from './ack/acknowledgeable.js';
import { everyIntegration, type NotifyConfig } from './config/model.js';
import { Delivery } from './delivery/delivery.js';
import { NotificationJournal } from './delivery/journal.js';
import { type AckLookup, Dispatcher } from './dispatch/dispatcher.js';
import { NotifyMetrics } from './notify-metrics.js';
import { AlertmanagerForwarder } from './receivers/alertmanager/forwarder.js';
import { HealthAlerts, journalAlert } from './self/health-alerts.js';

/** Finished notifications and all-resolved log entries are kept this long (for inspection). */
const KEEP_FINISHED_MS = 24 * 60 * 60_000;

interface NotifierOptions {
  /** Outbox, notification log and delivery log (state/notification-store.ts). */
  readonly store: NotificationRepository;
  readonly mutes: Mutes;
  readonly registry: Registry;
  readonly log: Logger;
  readonly now: () => number;
  readonly baseUrl: () => string;
  readonly evaluationIntervalMs: number;
  /** Acknowledgements (state/acknowledgements.ts): they stop repeats and escalation. */
  readonly acks: AckLookup;
  /** With shared state: may this instance send this row now (delivery.ts)? */
  readonly claim?: (row: OutboxRow) => Promise<boolean>;
}

export class Notifier {
  readonly store: NotificationRepository;
  /** The store as delivery sees it: writes that the disk refuses wait in memory (delivery/journal.ts). */
  readonly journal: NotificationJournal;
  readonly metrics: NotifyMetrics;
  private readonly delivery: Delivery;
  private readonly dispatcher: Dispatcher;
  private readonly forwarder: AlertmanagerForwarder;
  private readonly health = new HealthAlerts();
  private standingBy = false;
  private healthAlerts: Alert[] = [];
  private config: NotifyConfig | undefined;
  private lastPrune = 0;
  /** Fingerprint → how it was muted at the last evaluation, so a change of muting is logged once. */
  private mutings = new Map<string, string>();
  /**
   * Always firing while prismwatch runs and `global.watchdog` is on: routed to a dead man's switch
   * (healthchecks.io, Dead Man's Snitch, a PagerDuty heartbeat), its notifications stopping is
   * the news, whatever stopped them: prismwatch, its routing, or the receiver.
   */
  private readonly watchdog: Alert;

  constructor(
    initial: NotifyConfig,
    private readonly options: NotifierOptions,
  ) {
    const log = options.log.child({ component: 'notify' });
    const watchdogLabels = { ...WATCHDOG_LABELS };
    const started = options.now();
    this.watchdog = {
      fingerprint: fingerprintOf(watchdogLabels),
      rule: 'Watchdog',
      probe: 'prismwatch',
      labels: watchdogLabels,
      annotations: {
        summary: 'prismwatch is running: this alert always fires',
        description:
          "Route it to a dead man's switch that alerts when its notifications stop (repeat_interval shorter than the switch's period).",
      },
      state: 'firing',
      value: 1,
      activeAt: started,
      firedAt: started,
    };
    this.store = options.store;
    this.metrics = new NotifyMetrics(options.registry);
    this.journal = new NotificationJournal(this.store, log, options.now, () => this.delivery.kick());
    this.delivery = new Delivery(this.journal, this.metrics, log, options.now, options.claim);
    this.forwarder = new AlertmanagerForwarder(this.metrics, log, options.now);
    this.dispatcher = new Dispatcher(initial, {
      store: this.journal,
      mutes: options.mutes,
      log,
      now: options.now,
      onQueued: () => this.delivery.kick(),
      baseUrl: options.baseUrl,
      onFlushError: () => this.metrics.flushFailures.inc(),
      acks: options.acks,
    });
    this.configure(initial, []);
  }

  /**
   * Where alerts go, in one line for the start log: the receivers that send somewhere, and those
   * switched off (a missing secret, say). Four WARN lines "switched off" and nothing else left a
   * newcomer guessing whether anything would be sent at all.
   */
  destinations(): {
    sending: string[];
    onlyLog: boolean;
    switchedOff: Array<{ integration: string; why: string }>;
  } {
    const sending: string[] = [];
    let onlyLog = true;
    const switchedOff: Array<{ integration: string; why: string }> = [];
    for (const receiver of this.config!.receivers.values()) {
      for (const integration of everyIntegration(receiver)) {
        if (integration.disabled)
          switchedOff.push({ integration: integration.id, why: integration.disabled });
        else {
          sending.push(integration.id);
          if (!('type' in integration) || integration.type !== 'log') onlyLog = false;
        }
      }
    }
    return { sending, onlyLog, switchedOff };
  }

  /** Logs each firing alert whose muting began or ended: the log alone explains a page that did not come. */
  private logMutings(alerts: readonly Alert[]): void {
    const next = new Map<string, string>();
    for (const alert of alerts) {
      const muting = this.options.mutes.mutingOf(alert);
      if (!muting) continue;
      const key = `${muting.by}:${muting.id}`;
      next.set(alert.fingerprint, key);
      if (this.mutings.get(alert.fingerprint) !== key)
        this.options.log.info(
          {
            alert: alert.rule,
            subject: alertSubject(alert.labels),
            severity: alert.labels.severity,
            muted_by: muting.by,
            id: muting.id,
          },
          'Alert muted: it notifies nobody while this holds',
        );
    }
    const byFingerprint = new Map(alerts.map((alert) => [alert.fingerprint, alert]));
    for (const [fingerprint] of this.mutings) {
      if (next.has(fingerprint)) continue;
      const alert = byFingerprint.get(fingerprint);
      if (alert?.state === 'firing')
        this.options.log.info(
          { alert: alert.rule, subject: alertSubject(alert.labels), severity: alert.labels.severity },
          'Alert no longer muted',
        );
    }
    this.mutings = next;
  }

  configure(config: NotifyConfig, alerts: readonly Alert[]): void {
    const first = this.config === undefined;
    this.config = config;
    this.options.mutes.configure(config.silences, config.inhibitRules);
    const receivers = [...config.receivers.values()];
    this.delivery.setIntegrations(receivers.flatMap((receiver) => receiver.integrations));
    this.forwarder.setTargets(
      receivers.flatMap((receiver) => receiver.forwards),
      config.route,
    );
    // Standing by, nothing is decided here: the groups are built when this instance leads.
    if (!first && !this.standingBy) this.dispatcher.setConfig(config, [...alerts, ...this.healthAlerts]);
  }

  /** After each evaluation, with every alert the evaluator holds. */
  afterEvaluation(alerts: readonly Alert[]): void {
    const now = this.options.now();
    this.healthAlerts = [
      ...this.health.update(this.delivery.failing(), this.config!.notificationsFailingAfterMs, now),
      ...journalAlert(this.journal.status()),
      ...(this.config!.watchdog ? [this.watchdog] : []),
    ];
    const all = [...alerts, ...this.healthAlerts];
    this.dispatcher.update(all);
    this.logMutings(all);
    this.forwarder.update(
      all,
      this.options.evaluationIntervalMs,
      this.config!.externalUrl ?? this.options.baseUrl(),
    );
    if (now - this.lastPrune > 60 * 60_000) {
      this.lastPrune = now;
      try {
        this.store.prune(now - KEEP_FINISHED_MS);
      } catch (error) {
        this.options.log.warn({ err: error }, 'Could not prune old notifications');
      }
    }
  }

  /** prismwatch's own alerts (NotificationsFailing, Watchdog), for the API and the prismwatch_alerts series. */
  ownAlerts(): readonly Alert[] {
    return this.healthAlerts;
  }

  refreshMetrics(): void {
    const journal = this.journal.status();
    this.metrics.stateDegraded.set(journal.degradedSince === undefined ? 0 : 1);
    this.metrics.journalPending.set(journal.pending);
    if (this.standingBy) {
      // The outbox is the leader's: its depth is exported there, not from a stale copy here.
      this.metrics.outboxDepth.reset();
      this.metrics.outboxOldest.reset();
      return;
    }
    try {
      this.delivery.refreshMetrics();
    } catch (error) {
      this.options.log.warn({ err: error }, 'Could not read the outbox for metrics');
    }
  }

  /**
   * Another instance leads now: group timers stop, so nothing new is decided here. Rows already
   * queued stay; delivery's claims fail until this instance leads again.
   */
  standBy(): void {
    this.standingBy = true;
    this.dispatcher.stop();
  }

  /**
   * This instance leads (again): groups are rebuilt from `alerts`, as at a reload (the log and the
   * outbox, just reloaded, keep anything notified from being notified twice), and delivery looks
   * at the outbox at once.
   */
  lead(alerts: readonly Alert[]): void {
    this.standingBy = false;
    if (this.config) this.dispatcher.setConfig(this.config, [...alerts, ...this.healthAlerts]);
    this.delivery.kick();
  }

  async stop(graceMs: number): Promise<void> {
    this.dispatcher.stop();
    await this.delivery.stop(graceMs);
    this.journal.stop();
  }
}
