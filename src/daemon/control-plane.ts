/**
 * The parts that need the loaded config and the open state store, built together in dependency
 * order so none of them is ever missing: state → muting → notification → inboxes → rule loop →
 * alive ping. The daemon builds this once the config has loaded, and drops it at stop.
 */
import type { Logger } from 'pino';
import type { Config } from '../config/load.js';
import { AgentAlerts } from '../locations/agent-alerts.js';
import type { AgentRegistry } from '../locations/agents.js';
import type { SelfMetrics } from '../metrics/self-metrics.js';
import type { Alert, ShownAlert } from '../model/alert.js';
import type { ProbeSpec } from '../model/probe.js';
import { Mutes } from '../muting/muting.js';
import { Notifier } from '../notify/notifier.js';
import { AlivePing } from '../notify/self/alive-ping.js';
import { SelfHealth } from '../notify/self/self-health.js';
import { Inboxes } from '../probers/inboxes.js';
import type { ResultStore } from '../results/history.js';
import type { AlertEvaluator } from '../rules/evaluator.js';
import { RuleLoop } from '../rules/rule-loop.js';
import type { StartedParts } from '../server/daemon-views.js';
import { SubscriberDelivery } from '../server/status-pages/subscriber-delivery.js';
import type { SloEngine, SloSnapshot } from '../slo/engine.js';
import { SLO_ALERT } from '../slo/engine.js';
import type { OutboxRow } from '../state/notification-store.js';
import type { SharedState } from '../state/shared/shared-store.js';
import { StateKeeper } from '../state/state-keeper.js';
import { type RoleActs, SharedRole } from './shared-role.js';

/** Uptime and SLO counts go to disk this often (and at shutdown): a crash loses at most this much. */
const SAVE_INTERVAL_MS = 5 * 60_000;

export interface ControlPlaneDeps {
  readonly dataDir?: string;
  readonly incidentRetentionMs?: number;
  readonly evaluationIntervalMs: number;
  readonly results: ResultStore;
  readonly evaluator: AlertEvaluator;
  readonly slos: SloEngine;
  readonly selfMetrics: SelfMetrics;
  /** Probe runs finished since start (self-health watches it grow). */
  readonly runs: () => number;
  readonly probes: () => readonly ProbeSpec[];
  /** Where people reach prismwatch: links in notifications. */
  readonly baseUrl: () => string;
  readonly log: Logger;
  readonly now: () => number;
  /** A shared state database (--state.url): one leader among the instances decides and sends. */
  readonly shared?: SharedState;
  /** Agents at private locations: whether their data is current, and their own alerts. */
  readonly agents?: AgentRegistry;
}

/** The status page's footer: whether this instance leads, and the lease's token. */
function leadershipView(shared: SharedState): { leading: boolean; token?: number } {
  const lease = shared.leadership.current;
  return { leading: shared.leading(), ...(lease ? { token: lease.token } : {}) };
}

export class ControlPlane {
  readonly state: StateKeeper;
  readonly mutes: Mutes;
  readonly notifier: Notifier;
  readonly inboxes: Inboxes;
  readonly ruleLoop: RuleLoop;
  private readonly alivePing: AlivePing;
  private readonly agentAlerts = new AgentAlerts();
  /** Sends what the status pages' subscribers are owed, while this instance leads. */
  private readonly subscriberDelivery: SubscriberDelivery;
  private saveTimer: NodeJS.Timeout | undefined;
  /** With a shared state database: leader or standing by (shared-role.ts). */
  private readonly role: SharedRole | undefined;
  private running:
    | { evaluationIntervalMs: number; config: { readonly config: Config | undefined } }
    | undefined;

  constructor(
    config: Config,
    private readonly deps: ControlPlaneDeps,
  ) {
    const { log, now, selfMetrics } = deps;
    const { shared } = deps;
    this.role = shared && new SharedRole(shared, this.roleActs(), log);
    this.state = new StateKeeper(
      deps.dataDir,
      selfMetrics,
      log,
      now,
      deps.incidentRetentionMs,
      shared && { store: shared.store, url: shared.url },
    );
    this.state.restore(new Set(config.probes.map((spec) => spec.name)), deps.results, deps.evaluator, now());
    deps.slos.restore(this.state.loadSlos() as Record<string, SloSnapshot>);
    const store = this.state.store;
    this.mutes = new Mutes({ silences: store.notifications, maintenance: store.maintenance, now, log });
    this.notifier = new Notifier(config.notify, {
      store: store.notifications,
      mutes: this.mutes,
      registry: selfMetrics.registry,
      log,
      now,
      baseUrl: deps.baseUrl,
      evaluationIntervalMs: deps.evaluationIntervalMs,
      acks: this.state.acknowledgements,
      ...(this.role ? { claim: (row: OutboxRow) => this.role!.claim(row) } : {}),
    });
    this.inboxes = new Inboxes((kind) => this.state.kindStore(kind), now);
    this.subscriberDelivery = new SubscriberDelivery({
      subscribers: this.state.subscribers,
      pages: () => this.running?.config.config?.statusPages ?? [],
      leading: () => this.leading(),
      linkKey: () => this.state.acknowledgements.linkKey(this.leading()),
      baseUrl: () => this.running?.config.config?.notify.externalUrl ?? deps.baseUrl(),
      registry: selfMetrics.registry,
      log: log.child({ component: 'subscribers' }),
      now,
    });
    this.ruleLoop = new RuleLoop({
      evaluator: deps.evaluator,
      results: deps.results,
      state: this.state,
      sink: this.notifier,
      otherAlerts: (at) => {
        if (shared) {
          const { unavailableSince, reason } = shared.writer.status();
          this.state.alerts.storeUnavailable(
            unavailableSince === undefined ? undefined : { since: unavailableSince, reason: reason ?? '' },
            at,
          );
        }
        const agents = deps.agents ? this.agentAlerts.update(deps.agents.status(), at) : [];
        return [...this.state.alerts.list(at), ...agents];
      },
      derivedAlerts: (at) => deps.slos.evaluate(at),
      ...(deps.agents ? { holds: (probe: ProbeSpec) => deps.agents!.holds(probe) } : {}),
      metrics: selfMetrics,
      log,
      now,
    });
    const health = new SelfHealth({
      ownAlerts: (at) => [...this.state.alerts.list(at), ...this.notifier.ownAlerts()],
      runs: deps.runs,
      probes: deps.probes,
      now,
    });
    this.alivePing = new AlivePing(() => health.problem(), log.child({ component: 'heartbeat' }));
    this.alivePing.configure(config.notify.heartbeat);
  }

  /** A reload's part: routing, receivers, silences and the alive ping's settings. */
  configure(config: Config): void {
    this.notifier.configure(config.notify, this.judgedAlerts(this.deps.now()));
    if (this.leading()) this.alivePing.configure(config.notify.heartbeat);
  }

  /** The rules', the SLOs' and the state store's alerts: what notification is told about. */
  judgedAlerts(now: number): Alert[] {
    return [
      ...this.deps.evaluator.list(),
      ...this.deps.slos.alerts(),
      ...this.state.alerts.list(now),
      ...this.agentAlerts.list(),
    ];
  }

  /** Every alert, prismwatch's own (NotificationsFailing, Watchdog) included, with what mutes it. */
  shownAlerts(): ShownAlert[] {
    const shown = this.mutes.shown([...this.judgedAlerts(this.deps.now()), ...this.notifier.ownAlerts()]);
    return shown.map((alert) => {
      if (alert.state !== 'firing' || alert.firedAt === undefined) return alert;
      const ack = this.state.acknowledgements.of(alert.fingerprint, alert.firedAt);
      return ack ? { ...alert, acknowledged: { by: ack.by, at: ack.at, comment: ack.comment } } : alert;
    });
  }

  /** Every alert name a maintenance window may name: rules, SLOs, and prismwatch's own. */
  alertNames(config: Pick<Config, 'rules' | 'slos'>): ReadonlySet<string> {
    return new Set([
      ...config.rules.map((rule) => rule.alert),
      ...(config.slos.length > 0 ? [SLO_ALERT] : []),
      ...this.judgedAlerts(this.deps.now()).map((alert) => alert.rule),
      ...this.notifier.ownAlerts().map((alert) => alert.rule),
    ]);
  }

  /** What the server shows of this plane (server/daemon-views.ts). */
  views(runNow: (probe: string) => void, running: { readonly config: Config | undefined }): StartedParts {
    const { shared } = this.deps;
    return {
      state: this.state,
      mutes: this.mutes,
      inboxes: this.inboxes,
      shownAlerts: () => this.shownAlerts(),
      alertNames: () => this.alertNames(running.config ?? { rules: [], slos: [] }),
      runNow,
      ...(shared ? { leadership: () => leadershipView(shared) } : {}),
      subscribersQueued: () => this.subscriberDelivery.kick(),
      onMaintenanceWarning: (id, warnings) =>
        this.deps.log.warn({ maintenance: id, warnings }, 'Maintenance window mutes nothing it names'),
    };
  }

  /** Uptime and SLO counts to disk, and history past its retention forgotten (the leader's job). */
  save(): void {
    if (!this.leading()) return;
    this.state.saveHistory(this.deps.results, this.deps.slos.snapshot(), this.deps.now());
  }

  /** Evaluates the running config's rules on their schedule, and saves counts periodically. */
  start(evaluationIntervalMs: number, running: { readonly config: Config | undefined }): void {
    this.running = { evaluationIntervalMs, config: running };
    this.subscriberDelivery.start();
    if (this.role) this.role.start();
    else this.decide();
  }

  /** Whether this instance decides and sends (always, without a shared database). */
  leading(): boolean {
    return this.role?.leading() ?? true;
  }

  private decide(): void {
    const running = this.running;
    if (!running) return;
    this.ruleLoop.start(running.evaluationIntervalMs, () => running.config.config);
    clearInterval(this.saveTimer);
    this.saveTimer = setInterval(() => this.save(), SAVE_INTERVAL_MS).unref();
  }

  /** What the shared role asks of this plane (daemon/shared-role.ts). */
  private roleActs(): RoleActs {
    const { deps } = this;
    return {
      restoreFromStore: () => {
        const probes = this.running?.config.config?.probes ?? [];
        this.state.restore(
          new Set(probes.map((spec) => spec.name)),
          deps.results,
          deps.evaluator,
          deps.now(),
        );
        deps.slos.restore(this.state.loadSlos() as Record<string, SloSnapshot>);
        this.mutes.reread();
      },
      startDeciding: () => {
        this.notifier.lead(this.judgedAlerts(deps.now()));
        this.alivePing.configure(this.running?.config.config?.notify.heartbeat);
        this.decide();
      },
      stopDeciding: () => {
        this.ruleLoop.stop();
        this.alivePing.stop();
        clearInterval(this.saveTimer);
        this.notifier.standBy();
      },
      reloaded: (tables, leading) => {
        if (tables.has('silences') || tables.has('maintenance')) this.mutes.reread();
        // A ping that reached another instance counts here too (a load balancer picks one).
        if (tables.has('kind_state')) this.inboxes.reread();
        // A follower shows the leader's alerts as its own evaluator would (status page, API).
        if (!leading && tables.has('alerts')) deps.evaluator.replace(this.state.store.load().alerts, 0);
      },
    };
  }

  /** Stops deciding: no more evaluations, pings or saves until close (first, before probes wind down). */
  halt(): void {
    this.role?.halt();
    this.ruleLoop.stop();
    this.alivePing.stop();
    clearInterval(this.saveTimer);
  }

  /** Delivers what it can within the grace period, saves, and closes the store (last). */
  async close(graceMs: number): Promise<void> {
    await Promise.all([this.notifier.stop(graceMs), this.subscriberDelivery.stop()]);
    this.save();
    // Queued writes land and the lease is handed back, so another instance takes over at once.
    await this.deps.shared?.close(graceMs);
    this.state.close();
  }
}
