/**
 * Assembly: builds the stages and wires them once, through the sinks they take at construction —
 * scheduler → probe runs → results (history, metrics, transition log) → rule loop → state and
 * notifier; config reloads swap in the next probes and rules. No stage calls back into here.
 */

import { setMaxListeners } from 'node:events';
import type { Server } from 'node:http';
import { join } from 'node:path';
import type { Logger } from 'pino';
import type { Env } from './config/interpolate.js';
import { type Config, loadConfig } from './config/load.js';
import { loadConfigOffThread } from './config/load-off-thread.js';
import { diffProbes } from './config/probe-diff.js';
import { inShard, type Shard } from './config/shard.js';
import { ConfigError } from './errors.js';
import { ProbeMetrics, userLabelNames } from './metrics/probe-metrics.js';
import { type MetricsBody, metricsBody } from './metrics/scrape.js';
import { SelfMetrics } from './metrics/self-metrics.js';
import type { Alert, ShownAlert } from './model/alert.js';
import { type ProbeSpec, probeLabels } from './model/probe.js';
import type { ResultSink } from './model/sinks.js';
import { Heartbeat } from './notify/heartbeat.js';
import { type NotifyMode, withNotifyMode } from './notify/mode.js';
import { Notifier } from './notify/notifier.js';
import type { KindInbox } from './probers/definition.js';
import { PROBERS, shutdownProbers } from './probers/index.js';
import { runProbe } from './probers/run-probe.js';
import { Artifacts } from './results/artifacts.js';
import { DEFAULT_HISTORY_RETENTION_MS, ResultStore } from './results/history.js';
import { TransitionLog } from './results/transitions.js';
import { alertsAsJson, renderAlertSeries } from './rules/alerts-metrics.js';
import { AlertEvaluator } from './rules/evaluator.js';
import { durationBuckets } from './rules/latency-buckets.js';
import { DEFAULT_EVALUATION_INTERVAL_MS, RuleLoop } from './rules/rule-loop.js';
import { type ScheduledRun, Scheduler } from './scheduler/scheduler.js';
import type { BudgetLimits } from './server/budgets.js';
import { announcementsApi, incidentsApi } from './server/history-api.js';
import { createHttpServer, listen, type PushRequest, routesOf } from './server/http.js';
import { formatHostPort, isLoopback } from './server/listen-address.js';
import { maintenanceApi } from './server/maintenance-api.js';
import { Peers } from './server/peers.js';
import { probeResultsAsJson, probesAsJson } from './server/probes-api.js';
import type { Route } from './server/route-table.js';
import { DEFAULT_MAX_CONNECTIONS, type ServerLimits } from './server/server-limits.js';
import { ServerMetrics } from './server/server-metrics.js';
import { silencesApi } from './server/silences-api.js';
import { slosApi } from './server/slos-api.js';
import { renderStatusPageInSlices } from './server/status-render.js';
import type { SloSnapshot } from './slo/engine.js';
import { SLO_ALERT, SloEngine } from './slo/engine.js';
import { SloMetrics } from './slo/slo-metrics.js';
import { sqliteKindStore } from './state/kind-store.js';
import { StateKeeper } from './state/state-keeper.js';
import { preciseNow } from './util/clock.js';
import { descriptorShortfall, openFilesLimit } from './util/fd-limit.js';
import { VERSION } from './version.js';

/** Kinds that are pushed to (heartbeat pings): each gets an inbox and its path prefix on the server. */
const INBOX_KINDS = Object.values(PROBERS).filter((prober) => prober.inbox !== undefined);

const DEFAULT_MAX_CONCURRENCY = 2_000;
const DEFAULT_SHUTDOWN_GRACE_MS = 10_000;
/** Uptime counts go to disk this often (and at shutdown): a crash loses at most this much. */
const UPTIME_SAVE_INTERVAL_MS = 5 * 60_000;
/** The status page's timeline shows this many of the latest incidents; the API has them all. */
const STATUS_PAGE_INCIDENTS = 25;
/** Peers' probes are read this often for the status page (it refreshes every 30 s). */
const PEER_POLL_INTERVAL_MS = 15_000;

export interface DaemonOptions {
  readonly configPaths: readonly string[];
  readonly host: string;
  readonly port: number;
  readonly log: Logger;
  readonly env?: Env;
  readonly apiToken?: string;
  readonly maxConcurrency?: number;
  readonly shutdownGraceMs?: number;
  readonly historyRetentionMs?: number;
  /** How long incident history is kept (default 90 days). */
  readonly incidentRetentionMs?: number;
  readonly now?: () => number;
  /** How often alert rules are evaluated. */
  readonly evaluationIntervalMs?: number;
  /** Where alert state is kept across restarts; without one it lives in memory only. */
  readonly dataDir?: string;
  /** Serve HTTPS (PEM certificate and key) instead of plain HTTP. */
  readonly tls?: { readonly cert: Buffer; readonly key: Buffer };
  /** The server's connection cap and timeouts (`--web.max-connections`); defaults otherwise. */
  readonly serverLimits?: Partial<ServerLimits>;
  /** The per-source rate and in-flight cap of unauthenticated routes (`--web.public-*`). */
  readonly publicBudget?: Partial<BudgetLimits>;
  /** Run only this shard's probes (`--shard i/n`). */
  readonly shard?: Shard;
  /**
   * Where this instance probes from (`--location`): a `location` label on every probe, so its
   * series, results and alerts say which vantage point saw them (quorum rules count them).
   */
  readonly location?: string;
  /** Which integrations send (`--notify.mode`, notify/mode.ts); default all. */
  readonly notifyMode?: NotifyMode;
  /** Other locations' instances whose probes the status page shows beside these (`--peer`). */
  readonly peers?: readonly string[];
  /**
   * The URL people reach prismwatch under (--web.external-url): links in notifications and the
   * generatorURL of alerts sent to Alertmanager. The config's global.external_url wins; without
   * either, the listen address.
   */
  readonly externalUrl?: string;
}

export class Daemon {
  readonly results: ResultStore;
  readonly selfMetrics = new SelfMetrics();
  private probeMetrics = new ProbeMetrics([]);
  private config: Config | undefined;
  private fingerprints = new Map<string, string>();
  /** Current specs by name: what a finishing run checks against (it may have been reloaded away). */
  private current = new Map<string, ProbeSpec>();
  private readonly scheduler: Scheduler;
  private readonly server: Server;
  private readonly shutdown = new AbortController();
  private readonly transitions: TransitionLog;
  /** Where every result that still applies goes. */
  private readonly sink: ResultSink;
  private ready = false;
  private stopped = false;
  readonly alerts = new AlertEvaluator();
  private ruleLoop: RuleLoop | undefined;
  private uptimeTimer: NodeJS.Timeout | undefined;
  private state: StateKeeper | undefined;
  private readonly inboxes = new Map<string, KindInbox>();
  /** Screenshots and the like, kept a few per probe in <data dir>/artifacts and served. */
  private readonly artifacts: Artifacts;
  private notifier: Notifier | undefined;
  /** SLOs over the probes' runs; their burn alerts are evaluated with the rules. */
  private readonly slos: SloEngine;
  private sloAlerts: readonly Alert[] = [];
  private readonly peers: Peers;
  private heartbeat: Heartbeat | undefined;
  /** Probe runs counted at the last heartbeat, and when that count last grew. */
  private progress = { runs: -1, at: 0 };
  private reloading: Promise<{ ok: boolean; message: string }> | undefined;
  private readonly now: () => number;
  private readonly log: Logger;
  baseUrl = '';

  constructor(private readonly options: DaemonOptions) {
    this.now = options.now ?? preciseNow;
    // Every in-flight run listens on the shutdown signal; thousands at once is by design.
    setMaxListeners(0, this.shutdown.signal);
    this.log = options.log;
    this.results = new ResultStore(options.historyRetentionMs);
    this.artifacts = new Artifacts(
      options.dataDir ? join(options.dataDir, 'artifacts') : undefined,
      Date.now,
      (error) => this.log.error({ err: error }, 'Could not keep a probe artifact (screenshot)'),
    );
    this.transitions = new TransitionLog(this.log);
    this.slos = new SloEngine(new SloMetrics(this.selfMetrics.registry));
    this.peers = new Peers(options.peers ?? [], this.log.child({ component: 'peers' }), Date.now);
    this.sink = {
      record: (spec, result) => {
        // History keeps the result without what is bulky (headers); metrics and the transition
        // log take that same object, so each run is trimmed once and held once.
        const window = this.notifier?.maintenance.covering(() => probeLabels(spec), result.startedAt);
        const leftOut = window !== undefined && !window.countsInUptime;
        const kept = this.results.record(spec, result, leftOut);
        this.slos.record(spec, kept, leftOut);
        // Read at each result: a reload that changes the label set replaces the metrics.
        this.probeMetrics.observe(spec, kept);
        this.transitions.record(spec, kept);
      },
    };
    this.scheduler = new Scheduler({
      now: this.now,
      maxConcurrency: options.maxConcurrency ?? DEFAULT_MAX_CONCURRENCY,
      hooks: {
        run: (run) => this.execute(run),
        skipped: (spec, reason) => this.probeMetrics.skip(spec, reason),
        started: (lagMs) => this.selfMetrics.schedulerLag.observe(Math.max(0, lagMs) / 1000),
        failed: (spec, error) => {
          this.selfMetrics.probeInternalErrors.inc();
          this.log.error(
            { err: error, probe: spec.name },
            'Recording a probe run failed (a prismwatch bug); probing continues',
          );
        },
      },
    });
    this.server = createHttpServer({
      log: this.log.child({ component: 'server' }),
      apiToken: options.apiToken,
      metrics: new ServerMetrics(this.selfMetrics.registry),
      ...(options.serverLimits ? { limits: options.serverLimits } : {}),
      ...(options.publicBudget ? { publicBudget: options.publicBudget } : {}),
      ...(options.tls ? { tls: options.tls } : {}),
      handlers: {
        metrics: () => this.renderMetrics(),
        isReady: () => this.ready,
        reload: () => this.reload(),
        alerts: () => alertsAsJson(this.allAlerts()),
        collections: {
          silences: {
            writable: true,
            get: () => this.notifier && silencesApi(this.notifier.silences, this.now),
          },
          maintenance: {
            writable: true,
            get: () =>
              this.notifier &&
              maintenanceApi(
                this.notifier.maintenance,
                this.now,
                {
                  probeLabels: () => (this.config?.probes ?? []).map((spec) => probeLabels(spec)),
                  alertNames: () =>
                    new Set([
                      ...(this.config?.rules ?? []).map((rule) => rule.alert),
                      ...((this.config?.slos.length ?? 0) > 0 ? [SLO_ALERT] : []),
                      // prismwatch's own (Watchdog, NotificationsFailing…): no muting needed to name them.
                      ...this.ruleAndStateAlerts(this.now()).map((alert) => alert.rule),
                      ...(this.notifier?.ownAlerts() ?? []).map((alert) => alert.rule),
                    ]),
                },
                (id, warnings) =>
                  this.log.warn({ maintenance: id, warnings }, 'Maintenance window mutes nothing it names'),
              ),
          },
          incidents: {
            writable: false,
            get: () => {
              const { state, notifier } = this;
              return (
                state &&
                notifier &&
                incidentsApi(state.incidents, (ids) => notifier.store.sentFor(ids), this.now)
              );
            },
          },
          announcements: {
            writable: true,
            get: () => this.state && announcementsApi(this.state.announcements, this.now),
          },
          slos: { writable: false, get: () => slosApi(() => this.slos.status(this.now())) },
        },
        statusPage: () =>
          renderStatusPageInSlices({
            probes: this.config?.probes ?? [],
            results: this.results,
            alerts: this.allAlerts(),
            waitingForData: this.alerts.waitingForData(),
            silences: this.notifier?.silences.list() ?? [],
            now: this.now(),
            version: VERSION,
            ...this.historyView(),
          }),
        artifact: (path) => this.artifacts.read(path),
        pushPrefixes: INBOX_KINDS.map((prober) => prober.inbox!.prefix),
        push: (request) => this.push(request),
        probes: () =>
          probesAsJson(
            this.config?.probes ?? [],
            this.results,
            (spec) => this.notifier?.maintenance.covering(() => probeLabels(spec)),
            this.alerts.waitingForData(),
          ),
        probeResults: (name, sinceMs) =>
          probeResultsAsJson(this.config?.probes ?? [], this.results, name, sinceMs),
      },
    });
  }

  /** Runs, failures and skips over all probes since start (or since their last change). */
  probeTotals(): { runs: number; failures: number; skipped: number } {
    return this.probeMetrics.totals();
  }

  /** The server's route table (the route fuzz walks it). */
  get routes(): readonly Route[] {
    return routesOf(this.server);
  }

  get currentConfig(): Config | undefined {
    return this.config;
  }

  /** Binds the server, loads the config (throws ConfigError when invalid) and starts scheduling. */
  async start(): Promise<void> {
    const address = await listen(this.server, this.options.host, this.options.port);
    this.baseUrl = `${this.options.tls ? 'https' : 'http'}://${formatHostPort(address.address, address.port)}`;
    if (!isLoopback(address.address) && !this.options.apiToken) {
      this.log.warn(
        { address: this.baseUrl },
        'Listening on a non-loopback address without PRISMWATCH_API_TOKEN: read endpoints are open to the network; write endpoints stay disabled',
      );
    }
    try {
      this.apply(loadConfig(this.options.configPaths, this.configEnv()));
      this.state = new StateKeeper(
        this.options.dataDir,
        this.selfMetrics,
        this.log,
        this.now,
        this.options.incidentRetentionMs,
      );
      const configured = new Set(this.config!.probes.map((spec) => spec.name));
      this.state.restore(configured, this.results, this.alerts, this.now());
      this.slos.restore(this.state.loadSlos() as Record<string, SloSnapshot>);
      this.openInboxes(this.state);
      this.startNotifier();
    } catch (error) {
      this.selfMetrics.reloadSuccessful.set(0);
      await this.closeServer();
      throw error;
    }
    this.warnIfDescriptorsShort();
    this.scheduler.start();
    this.ruleLoop = new RuleLoop({
      evaluator: this.alerts,
      results: this.results,
      state: this.state!,
      sink: this.notifier!,
      otherAlerts: (now) => this.state?.alerts.list(now) ?? [],
      derivedAlerts: (now) => {
        this.sloAlerts = this.slos.evaluate(now);
        return this.sloAlerts;
      },
      metrics: this.selfMetrics,
      log: this.log,
      now: this.now,
    });
    this.ruleLoop.start(
      this.options.evaluationIntervalMs ?? DEFAULT_EVALUATION_INTERVAL_MS,
      () => this.config,
    );
    this.uptimeTimer = setInterval(() => this.saveHistory(), UPTIME_SAVE_INTERVAL_MS);
    this.uptimeTimer.unref();
    this.peers.start(PEER_POLL_INTERVAL_MS, [
      this.baseUrl,
      ...(this.config?.notify.externalUrl ? [this.config.notify.externalUrl] : []),
      ...(this.options.externalUrl ? [this.options.externalUrl] : []),
    ]);
    this.ready = true;
    const where = this.notifier?.destinations() ?? { sending: [], onlyLog: true, switchedOff: [] };
    this.log.info(
      {
        address: this.baseUrl,
        status_page: `${this.baseUrl}/`,
        metrics: `${this.baseUrl}/metrics`,
        probes: this.config!.probes.length,
        files: this.config!.files,
        alerts_to: where.sending,
        ...(where.switchedOff.length > 0 ? { switched_off: where.switchedOff } : {}),
        ...(this.options.shard ? { shard: `${this.options.shard.index}/${this.options.shard.count}` } : {}),
      },
      where.onlyLog
        ? `prismwatch started: status page ${this.baseUrl}/ — alerts go to this log only (no receiver is set up; see alerts/routing.yaml)`
        : `prismwatch started: status page ${this.baseUrl}/ — alerts go to ${where.sending.join(', ')}`,
    );
  }

  /** Says once, at start, when client connections and probe runs cannot all get a descriptor. */
  private warnIfDescriptorsShort(): void {
    const maxConnections = this.options.serverLimits?.maxConnections ?? DEFAULT_MAX_CONNECTIONS;
    const maxConcurrency = this.options.maxConcurrency ?? DEFAULT_MAX_CONCURRENCY;
    const short = descriptorShortfall(openFilesLimit(), maxConnections, maxConcurrency);
    if (!short) return;
    this.log.warn(
      {
        fd_limit: short.limit,
        fd_needed: short.needed,
        max_connections: maxConnections,
        max_concurrency: maxConcurrency,
      },
      `The file descriptor limit (${short.limit}) is below what --web.max-connections and --max-concurrency may use (${short.needed}): under load probes will fail as fd_exhausted. Raise ulimit -n, or lower either flag`,
    );
  }

  /**
   * The env config files see: PRISMWATCH_URL (the daemon's own base URL, unless set) and
   * PRISMWATCH_SELF_MIN_GRADE, the grade its own security_headers probe demands: A over HTTPS;
   * C+ over plain HTTP, where the missing HSTS and HTTPS redirect cost 40 points by the rules.
   */
  private configEnv(): Env {
    return {
      PRISMWATCH_URL: this.baseUrl,
      PRISMWATCH_SELF_MIN_GRADE: this.options.tls ? 'A' : 'C+',
      ...(this.options.env ?? process.env),
    };
  }

  /** Loads the config again; an invalid one is reported and the running one kept. */
  reload(): Promise<{ ok: boolean; message: string }> {
    // Concurrent requests (SIGHUP and POST at once) share one reload.
    this.reloading ??= this.doReload().finally(() => {
      this.reloading = undefined;
    });
    return this.reloading;
  }

  private async doReload(): Promise<{ ok: boolean; message: string }> {
    let next: Config;
    try {
      next = await loadConfigOffThread(this.options.configPaths, this.configEnv());
    } catch (error) {
      this.selfMetrics.reloadSuccessful.set(0);
      this.selfMetrics.reloadsTotal.inc({ result: 'failure' });
      const issues = error instanceof ConfigError ? error.issues.length : 1;
      this.log.error({ err: error }, 'Config reload failed; the running configuration is kept');
      return {
        ok: false,
        message: `reload failed, running configuration kept (${issues} issue(s)):\n${(error as Error).message}`,
      };
    }
    this.selfMetrics.reloadsTotal.inc({ result: 'success' });
    if (next.checksum === this.config?.checksum) {
      this.markLoaded();
      return { ok: true, message: 'configuration unchanged' };
    }
    const summary = this.apply(next);
    this.log.info(summary, 'Config reloaded');
    return {
      ok: true,
      message: `configuration reloaded: ${summary.added} added, ${summary.changed} changed, ${summary.removed} removed`,
    };
  }

  private markLoaded(): void {
    this.selfMetrics.reloadSuccessful.set(1);
    this.selfMetrics.reloadSuccessTimestamp.set(this.now() / 1000);
  }

  /** Swaps in a valid config, keeping the spec objects (and so schedule slots) of unchanged probes. */
  private apply(loaded: Config): { added: number; changed: number; removed: number } {
    const { shard, location } = this.options;
    const sharded = shard ? loaded.probes.filter((spec) => inShard(spec.name, shard)) : loaded.probes;
    const next = {
      ...loaded,
      probes: location ? sharded.map((spec) => ({ ...spec, labels: { ...spec.labels, location } })) : sharded,
      notify: withNotifyMode(loaded.notify, this.options.notifyMode ?? 'all'),
    };
    const diff = diffProbes(this.config?.probes ?? [], this.fingerprints, next.probes);
    const { probes } = diff;
    const labelNames = userLabelNames(probes);
    const edges = durationBuckets(next.rules, next.slos);
    if (
      labelNames.join('\0') !== this.probeMetrics.userLabels.join('\0') ||
      edges.join() !== this.probeMetrics.edges.join()
    ) {
      // The label set of every series, or the latency histogram's edges, change: start a fresh
      // family set (counters restart, which Prometheus handles).
      this.probeMetrics = new ProbeMetrics(labelNames, edges);
    } else {
      for (const spec of [...diff.removed, ...diff.replaced]) this.probeMetrics.forget(spec);
    }
    for (const spec of probes) this.probeMetrics.register(spec);
    for (const spec of diff.removed) this.transitions.forget(spec.name);
    this.results.retain(new Set(probes.map((spec) => spec.name)));

    this.config = { ...next, probes };
    // Windowed rules read the samples: never keep fewer than the longest window asks for.
    this.results.setRetention(
      Math.max(
        this.options.historyRetentionMs ?? DEFAULT_HISTORY_RETENTION_MS,
        ...next.rules.map((rule) => rule.windowMs),
      ),
    );
    this.slos.configure(next.slos, probes, this.now());
    this.notifier?.configure(next.notify, this.ruleAndStateAlerts(this.now()));
    this.heartbeat?.configure(next.notify.heartbeat);
    this.current = new Map(probes.map((spec) => [spec.name, spec]));
    this.fingerprints = new Map(diff.fingerprints);
    this.scheduler.sync(probes);
    this.selfMetrics.probesConfigured.reset();
    for (const spec of probes) this.selfMetrics.probesConfigured.inc({ kind: spec.kind });
    this.markLoaded();
    return { added: diff.added, changed: diff.replaced.length, removed: diff.removed.length };
  }

  /** Inboxes of the kinds that are pushed to, made once the state store is open. */
  private openInboxes(store: StateKeeper): void {
    for (const prober of INBOX_KINDS) {
      const kindStore = sqliteKindStore(store.store.db, prober.kind, (error) => {
        this.selfMetrics.stateWriteFailures.inc();
        this.log.error(
          { err: error, kind: prober.kind },
          'Could not save what was pushed; it is kept in memory',
        );
      });
      this.inboxes.set(
        prober.kind,
        prober.inbox!.create({ store: kindStore, now: this.now, receiving: true }),
      );
    }
  }

  /** A push (heartbeat ping) to the inbox of the kind whose prefix the path has. */
  private push(request: PushRequest): { status: number; body: string } {
    const prober = INBOX_KINDS.find((candidate) => request.path.startsWith(candidate.inbox!.prefix))!;
    const inbox = this.inboxes.get(prober.kind);
    if (!inbox) return { status: 503, body: 'prismwatch is starting\n' };
    const answer = inbox.handle({
      method: request.method,
      path: request.path.slice(prober.inbox!.prefix.length),
      headers: request.headers,
      body: request.body,
      probes: (this.config?.probes ?? []).filter((spec) => spec.kind === prober.kind),
      now: this.now(),
    });
    if (answer.rerun) this.scheduler.runNow(answer.rerun);
    return answer;
  }

  private async execute(run: ScheduledRun): Promise<void> {
    const { spec } = run;
    const result = await runProbe(spec, {
      inbox: this.inboxes.get(spec.kind),
      artifacts: this.artifacts,
      log: this.log,
      now: this.now,
      signal: this.shutdown.signal,
      startedAt: run.startedAt,
      onInternalError: () => this.selfMetrics.probeInternalErrors.inc(),
    });
    if (this.shutdown.signal.aborted) return; // cut off by shutdown: not a fact about the target
    // A reload may have removed or changed this probe while it ran; its result no longer applies.
    if (this.current.get(spec.name) !== spec) return;
    this.sink.record(spec, result);
  }

  /** What the status page shows about time: maintenance, announcements, the last incidents. */
  private historyView() {
    const { notifier, state } = this;
    if (!notifier || !state) return {};
    const now = this.now();
    const incidents = state.incidents.list({
      since: now - state.incidents.retention,
      limit: STATUS_PAGE_INCIDENTS,
    });
    const sent = notifier.store.sentFor(incidents.map((incident) => incident.id));
    return {
      maintenanceOf: (spec: ProbeSpec) => notifier.maintenance.covering(probeLabels(spec), now),
      maintenance: notifier.maintenance.list(),
      announcements: state.announcements.active(),
      incidents: incidents.map((incident) => ({
        incident,
        notifications: sent.get(incident.id)?.length ?? 0,
      })),
      incidentRetentionDays: Math.round(state.incidents.retention / 86_400_000),
      slos: this.slos.status(now),
      peers: this.peers.list(),
      ...(this.options.location ? { location: this.options.location } : {}),
    };
  }

  /** Uptime counts to disk, and history past its retention (incidents, their delivery log) forgotten. */
  private saveHistory(): void {
    this.state?.saveUptime(this.results);
    this.state?.saveSlos(this.slos.snapshot());
    const before = this.state?.pruneIncidents(this.now());
    if (before !== undefined) this.notifier?.store.pruneSentLog(before);
  }

  /**
   * Every alert: the rules' and prismwatch's own (NotificationsFailing, the state alerts), each
   * with what mutes it now, so the page and the API never count a muted alert as a page.
   */
  allAlerts(): ShownAlert[] {
    const all = [...this.ruleAndStateAlerts(this.now()), ...(this.notifier?.ownAlerts() ?? [])];
    return all.map((alert) => {
      const muted = this.notifier?.mutingOf(alert);
      return muted ? { ...alert, muted } : alert;
    });
  }

  private ruleAndStateAlerts(now: number): Alert[] {
    return [...this.alerts.list(), ...this.sloAlerts, ...(this.state?.alerts.list(now) ?? [])];
  }

  private startNotifier(): void {
    this.notifier = new Notifier(this.config!.notify, {
      db: this.state!.store.db,
      registry: this.selfMetrics.registry,
      log: this.log,
      now: this.now,
      baseUrl: () => this.options.externalUrl ?? this.baseUrl,
      evaluationIntervalMs: this.options.evaluationIntervalMs ?? DEFAULT_EVALUATION_INTERVAL_MS,
    });
    this.heartbeat = new Heartbeat(() => this.unhealthy(), this.log.child({ component: 'heartbeat' }));
    this.heartbeat.configure(this.config!.notify.heartbeat);
  }

  /**
   * Why the heartbeat should say /fail, or undefined: prismwatch's own alerts firing (notifications
   * failing, state not saved), or no probe run finishing for three times the shortest interval
   * plus its timeout (at least 30 s): the scheduler or the event loop is stuck.
   */
  private unhealthy(): string | undefined {
    const now = this.now();
    const own = [...(this.state?.alerts.list(now) ?? []), ...(this.notifier?.ownAlerts() ?? [])].filter(
      (alert) => alert.state === 'firing' && alert.rule !== 'Watchdog',
    );
    if (own.length > 0)
      return `firing: ${own.map((alert) => `${alert.rule}${alert.labels.integration ? ` (${alert.labels.integration})` : ''}`).join(', ')}`;
    const runs = this.probeMetrics.totals().runs;
    if (runs !== this.progress.runs) this.progress = { runs, at: now };
    const periodic = (this.config?.probes ?? []).filter((spec) => spec.intervalMs !== undefined);
    if (periodic.length === 0) return undefined;
    const shortest = Math.min(...periodic.map((spec) => spec.intervalMs! + spec.timeoutMs));
    const stallAfter = Math.max(30_000, 3 * shortest);
    return now - this.progress.at > stallAfter
      ? `no probe run has finished for ${Math.round((now - this.progress.at) / 1000)}s`
      : undefined;
  }

  /** One evaluation of every rule now (tests; the rule loop runs it on its timer). */
  evaluateRules(): void {
    if (this.config) this.ruleLoop?.evaluate(this.config.rules, this.config.probes);
  }

  private async renderMetrics(): Promise<MetricsBody> {
    this.selfMetrics.schedulerRunning.set(this.scheduler.running);
    this.selfMetrics.schedulerQueued.set(this.scheduler.queued);
    this.notifier?.refreshMetrics();
    const own = Buffer.from(
      `${await this.selfMetrics.registry.metrics()}\n${renderAlertSeries(this.allAlerts())}`,
    );
    return metricsBody(own, this.selfMetrics.registry.contentType, this.probeMetrics, this.selfMetrics);
  }

  /** Stops scheduling, lets in-flight probes finish within the grace period, closes the server. */
  async stop(): Promise<void> {
    if (this.stopped) return;
    this.stopped = true;
    this.ready = false;
    this.ruleLoop?.stop();
    this.heartbeat?.stop();
    clearInterval(this.uptimeTimer);
    this.peers.stop();
    const cutOff = await this.scheduler.stop(this.options.shutdownGraceMs ?? DEFAULT_SHUTDOWN_GRACE_MS);
    this.shutdown.abort(new DOMException('prismwatch is shutting down', 'AbortError'));
    if (cutOff > 0)
      this.log.warn({ cut_off: cutOff }, 'Shutdown grace period over; in-flight probes were abandoned');
    await this.closeServer();
    await this.notifier?.stop(Math.min(5_000, this.options.shutdownGraceMs ?? DEFAULT_SHUTDOWN_GRACE_MS));
    this.state?.saveUptime(this.results);
    this.state?.saveSlos(this.slos.snapshot());
    this.state?.close();
    await shutdownProbers();
    this.log.info('prismwatch stopped');
  }

  private async closeServer(): Promise<void> {
    if (!this.server.listening) return;
    const closed = new Promise<void>((resolve) => this.server.close(() => resolve()));
    this.server.closeIdleConnections();
    setTimeout(() => this.server.closeAllConnections(), 2_000).unref();
    await closed;
  }
}
