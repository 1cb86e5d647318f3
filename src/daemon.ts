/**
 * Assembly only: builds the parts in dependency order, wires each producer to its consumers once,
 * starts and stops them. The probe plane (scheduler → probe runs → results, metrics, SLO counts:
 * daemon/probe-plane.ts) and the server exist from construction; the control plane (state →
 * muting → notification, the rule loop: daemon/control-plane.ts) once the config has loaded.
 * Reloads (config/running-config.ts) hand each plane its share.
 */

import type { Config } from './config/load.js';
import { RunningConfig, selfEnv } from './config/running-config.js';
import { ControlPlane } from './daemon/control-plane.js';
import type { DaemonOptions } from './daemon/options.js';
import { DEFAULT_MAX_CONCURRENCY, ProbePlane } from './daemon/probe-plane.js';
import { logStarted, warnIfDescriptorsShort, warnIfOpen } from './daemon/start-warnings.js';
import { stateStatus } from './daemon/state-status.js';
import { Discovery } from './discovery/discovery.js';
import { PrismwatchError } from './errors.js';
import { AgentRegistry } from './locations/agents.js';
import { acceptsOpenMetrics, type MetricsBody, metricsBody } from './metrics/scrape.js';
import { SelfMetrics } from './metrics/self-metrics.js';
import { PUSH_PREFIXES } from './probers/inboxes.js';
import { shutdownProbers } from './probers/index.js';
import { renderAlertSeries } from './rules/alerts-metrics.js';
import { DEFAULT_EVALUATION_INTERVAL_MS } from './rules/rule-loop.js';
import { daemonViews, type StartedParts } from './server/daemon-views.js';
import { closeServer, createHttpServer, listen, routesOf } from './server/http.js';
import { formatHostPort } from './server/listen-address.js';
import { Peers } from './server/peers.js';
import { DEFAULT_MAX_CONNECTIONS } from './server/server-limits.js';
import { ServerMetrics } from './server/server-metrics.js';
import { sharedStateMetrics } from './state/shared/shared-metrics.js';
import { SharedState } from './state/shared/shared-store.js';
import { RunSpans } from './tracing/otlp-spans.js';
import { preciseNow } from './util/clock.js';

export type { DaemonOptions } from './daemon/options.js';

const DEFAULT_SHUTDOWN_GRACE_MS = 10_000;
/** Peers' probes are read this often for the status page (it refreshes every 30 s). */
const PEER_POLL_INTERVAL_MS = 15_000;

export class Daemon {
  readonly selfMetrics = new SelfMetrics();
  baseUrl = '';
  private readonly now: () => number;
  private readonly probing: ProbePlane;
  private readonly peers: Peers;
  /** Agents at private locations: their tokens, assignments and results (locations/agents.ts). */
  private readonly agents: AgentRegistry;
  private readonly config: RunningConfig;
  private readonly discovery: Discovery;
  private readonly spans: RunSpans | undefined;
  private readonly server;
  private control: ControlPlane | undefined;
  private shared: SharedState | undefined;
  private readonly sharedMetrics;
  /** What the server shows of the control plane: made once, when it is built. */
  private startedViews: StartedParts | undefined;
  private ready = false;
  private stopped = false;

  constructor(private readonly options: DaemonOptions) {
    const { log } = options;
    const now = options.now ?? preciseNow;
    this.now = now;
    this.discovery = new Discovery({
      log: log.child({ component: 'discovery' }),
      registry: this.selfMetrics.registry,
      now,
      changed: () => this.config.rediscover(),
    });
    this.config = new RunningConfig({
      paths: options.configPaths,
      env: () => selfEnv(this.baseUrl, options.tls !== undefined, options.env ?? process.env),
      shard: options.shard,
      location: options.location,
      notifyMode: options.notifyMode,
      targetsOf: (source) => this.discovery.targetsOf(source),
      apply: (config, diff) => {
        this.discovery.configure(config.discovery);
        this.probing.apply(config, diff);
        this.agents.configure(config.agents, config.probes, config.definitions);
        this.control?.configure(config);
      },
      metrics: this.selfMetrics,
      log,
      now,
    });
    this.spans = options.otlpEndpoint
      ? new RunSpans({
          endpoint: options.otlpEndpoint,
          ...(options.location ? { location: options.location } : {}),
        })
      : undefined;
    this.probing = new ProbePlane({
      ...options,
      ...(this.spans ? { spans: this.spans } : {}),
      now,
      selfMetrics: this.selfMetrics,
      isCurrent: (spec) => this.config.isCurrent(spec),
      maintenance: () => this.control?.mutes.maintenance,
      inboxOf: (kind) => this.control?.inboxes.of(kind),
    });
    this.agents = new AgentRegistry({
      now,
      log: log.child({ component: 'agents' }),
      registry: this.selfMetrics.registry,
      probe: (name) => this.config.probe(name),
      record: (spec, result) => this.probing.record(spec, result),
      // Before the control plane exists nothing is evaluated; with a shared database, the leader keeps results.
      accepting: () => this.control?.leading() ?? false,
    });
    this.sharedMetrics = sharedStateMetrics(this.selfMetrics.registry, () => this.shared);
    this.peers = new Peers(options.peers ?? [], log.child({ component: 'peers' }), Date.now);
    this.server = createHttpServer({
      log: log.child({ component: 'server' }),
      apiToken: options.apiToken,
      metrics: new ServerMetrics(this.selfMetrics.registry),
      limits: options.serverLimits,
      publicBudget: options.publicBudget,
      tls: options.tls,
      priority: () => this.probing.scheduler.holdForControl(),
      handlers: {
        metrics: (accept) =>
          this.renderMetrics(this.options.openMetrics === true && acceptsOpenMetrics(accept)),
        status: () => stateStatus(this.shared, this.control),
        isReady: () => this.ready,
        reload: () => this.config.reload(),
        pushPrefixes: PUSH_PREFIXES,
        agents: this.agents,
        discovery: () =>
          this.discovery.status().map((source) => {
            const skipped = this.config.skippedTargets(source.name);
            return {
              ...source,
              skipped: skipped.count,
              ...(skipped.count > 0 ? { skippedTargets: skipped.first } : {}),
            };
          }),
        ...daemonViews(
          {
            ...this.probing.parts(),
            config: this.config,
            peers: this.peers,
            agents: () => this.agents.status(),
            location: options.location,
            now,
          },
          () => this.startedViews,
        ),
      },
    });
  }

  get results() {
    return this.probing.results;
  }

  get alerts() {
    return this.probing.evaluator;
  }

  get currentConfig(): Config | undefined {
    return this.config.config;
  }

  /** The server's route table (the route fuzz walks it). */
  get routes() {
    return routesOf(this.server);
  }

  /** Runs, failures and skips over all probes since start: benchmarks read it. */
  probeTotals() {
    return this.probing.totals();
  }

  /** Binds the server, loads the config (throws ConfigError when invalid) and starts scheduling. */
  async start(): Promise<void> {
    const { options, probing } = this;
    const address = await listen(this.server, options.host, options.port);
    this.baseUrl = `${options.tls ? 'https' : 'http'}://${formatHostPort(address.address, address.port)}`;
    warnIfOpen(options.log, address.address, this.baseUrl, options.apiToken);
    const evaluationIntervalMs = options.evaluationIntervalMs ?? DEFAULT_EVALUATION_INTERVAL_MS;
    let config: Config;
    let control: ControlPlane;
    try {
      config = this.config.load();
      if (options.stateUrl) this.shared = await this.openShared(options.stateUrl);
      control = new ControlPlane(config, {
        ...(this.shared ? { shared: this.shared } : {}),
        ...options,
        ...probing.parts(),
        evaluationIntervalMs,
        selfMetrics: this.selfMetrics,
        runs: () => probing.totals().runs,
        probes: () => this.config.probes,
        agents: this.agents,
        baseUrl: () => options.externalUrl ?? this.baseUrl,
        now: this.now,
      });
    } catch (error) {
      await this.shared?.close(0);
      await closeServer(this.server);
      throw error;
    }
    this.control = control;
    this.startedViews = control.views((name) => this.probing.scheduler.runNow(name), this.config);
    const maxConnections = options.serverLimits?.maxConnections ?? DEFAULT_MAX_CONNECTIONS;
    warnIfDescriptorsShort(options.log, maxConnections, options.maxConcurrency ?? DEFAULT_MAX_CONCURRENCY);
    probing.scheduler.start();
    control.start(evaluationIntervalMs, this.config);
    this.peers.start(PEER_POLL_INTERVAL_MS, [this.baseUrl, config.notify.externalUrl, options.externalUrl]);
    this.ready = true;
    const shard = options.shard && `${options.shard.index}/${options.shard.count}`;
    const facts = { probes: config.probes.length, files: config.files, ...(shard ? { shard } : {}) };
    logStarted(options.log, this.baseUrl, facts, control.notifier.destinations());
  }

  /** Connects to the shared state database; refuses to start, naming it (password masked), when it cannot. */
  private async openShared(url: string): Promise<SharedState> {
    try {
      return await SharedState.open({
        url,
        log: this.options.log,
        metrics: this.sharedMetrics,
        now: Date.now,
        ...(this.options.stateLeaseMs ? { leaseMs: this.options.stateLeaseMs } : {}),
      });
    } catch (error) {
      throw new PrismwatchError('PRISMWATCH_STATE', (error as Error).message);
    }
  }

  /** Loads the config again; an invalid one is reported and the running one kept. */
  reload(): Promise<{ ok: boolean; message: string }> {
    return this.config.reload();
  }

  private async renderMetrics(openMetrics: boolean): Promise<MetricsBody> {
    const { scheduler, probeMetrics } = this.probing;
    this.selfMetrics.schedulerRunning.set(scheduler.running);
    this.selfMetrics.schedulerQueued.set(scheduler.queued);
    this.control?.notifier.refreshMetrics();
    const { registry } = this.selfMetrics;
    // prismwatch_alerts comes from the leader only: replicas standing by show the same alerts on
    // their pages, but a dashboard summing the series over replicas must count each alert once.
    const control = this.control;
    const alerts = renderAlertSeries(control?.leading() ? control.shownAlerts() : []);
    const own = Buffer.from(`${await registry.metrics()}\n${alerts}`);
    return metricsBody(own, registry.contentType, probeMetrics.current, this.selfMetrics, openMetrics);
  }

  /** Stops scheduling, lets in-flight probes finish within the grace period, closes the server. */
  async stop(): Promise<void> {
    if (this.stopped) return;
    this.stopped = true;
    this.ready = false;
    const graceMs = this.options.shutdownGraceMs ?? DEFAULT_SHUTDOWN_GRACE_MS;
    this.control?.halt();
    this.peers.stop();
    this.discovery.stop();
    await this.probing.stop(graceMs);
    await closeServer(this.server);
    await this.control?.close(Math.min(5_000, graceMs));
    await shutdownProbers();
    await this.spans?.shutdown();
    this.options.log.info('prismwatch stopped');
  }
}
