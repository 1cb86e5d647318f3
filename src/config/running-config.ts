/**
 * The running configuration and how it changes: loaded at start (a bad one refuses to start),
 * reloaded on SIGHUP or POST /-/reload (off the main thread; a bad one is reported and the
 * running one kept), narrowed to this instance (its shard, its location label, its notify mode),
 * and diffed so that unchanged probes keep their spec objects and with them their schedule
 * slots, series and history. What each part does with a new config is the daemon's `apply`.
 */
import type { Logger } from 'pino';
import type { Counter, Gauge } from 'prom-client';
import type { DiscoveredTarget } from '../discovery/target-groups.js';
import { ConfigError } from '../errors.js';
import { withAgents } from '../locations/agent-spec.js';
import type { ProbeSpec } from '../model/probe.js';
import { type NotifyMode, withNotifyMode } from '../notify/config/mode.js';
import { proberFor } from '../probers/index.js';
import { discoveredProbes, type SkippedTarget } from './discovered-probes.js';
import type { Env } from './interpolate.js';
import { type Config, loadConfig } from './load.js';
import { loadConfigOffThread } from './load-off-thread.js';
import { diffProbes, type ProbeDiff } from './probe-diff.js';
import { inShard, type Shard } from './shard.js';

/**
 * The env config files see: PRISMWATCH_URL (the daemon's own base URL, unless set) and
 * PRISMWATCH_SELF_MIN_GRADE, the grade its own security_headers probe demands: A over HTTPS; C+
 * over plain HTTP, where the missing HSTS and HTTPS redirect cost 40 points by the rules.
 */
export function selfEnv(baseUrl: string, tls: boolean, env: Env): Env {
  return { PRISMWATCH_URL: baseUrl, PRISMWATCH_SELF_MIN_GRADE: tls ? 'A' : 'C+', ...env };
}

export interface ReloadOutcome {
  readonly ok: boolean;
  readonly message: string;
}

export interface RunningConfigOptions {
  readonly paths: readonly string[];
  /** The environment config files interpolate, read at each load. */
  readonly env: () => Env;
  readonly shard?: Shard;
  readonly location?: string;
  readonly notifyMode?: NotifyMode;
  /** Hands a new config (its probes narrowed and diffed) to every part. */
  readonly apply: (config: Config, diff: ProbeDiff) => void;
  readonly metrics: {
    readonly reloadSuccessful: Gauge;
    readonly reloadSuccessTimestamp: Gauge;
    readonly reloadsTotal: Counter;
  };
  readonly log: Logger;
  readonly now: () => number;
  /** The targets each discovery source last gave (discovery/discovery.ts); none without. */
  readonly targetsOf?: (source: string) => readonly DiscoveredTarget[];
}

export class RunningConfig {
  private running: Config | undefined;
  private fingerprints = new Map<string, string>();
  /** Current specs by name: what a finishing run checks against (it may have been reloaded away). */
  private current = new Map<string, ProbeSpec>();
  private reloading: Promise<ReloadOutcome> | undefined;
  /** The config as loaded, before discovered probes and narrowing: what a discovery change re-applies. */
  private loaded: Config | undefined;
  private skipped = new Map<string, { count: number; first: SkippedTarget[] }>();

  constructor(private readonly options: RunningConfigOptions) {}

  /** The config in force; undefined only before `load`. */
  get config(): Config | undefined {
    return this.running;
  }

  get probes(): readonly ProbeSpec[] {
    return this.running?.probes ?? [];
  }

  /** The running probe of this name (an agent's location copy: `<probe>@<location>`). */
  probe(name: string): ProbeSpec | undefined {
    return this.current.get(name);
  }

  /** Whether a run of this spec still applies: a reload may have removed or changed it meanwhile. */
  isCurrent(spec: ProbeSpec): boolean {
    return this.current.get(spec.name) === spec;
  }

  /** The first load, on this thread; throws ConfigError when the config is invalid. */
  load(): Config {
    try {
      return this.apply(loadConfig(this.options.paths, this.options.env())).config;
    } catch (error) {
      this.options.metrics.reloadSuccessful.set(0);
      throw error;
    }
  }

  /** Loads the config again; an invalid one is reported and the running one kept. */
  reload(): Promise<ReloadOutcome> {
    // Concurrent requests (SIGHUP and POST at once) share one reload.
    this.reloading ??= this.doReload().finally(() => {
      this.reloading = undefined;
    });
    return this.reloading;
  }

  private async doReload(): Promise<ReloadOutcome> {
    const { metrics, log } = this.options;
    let next: Config;
    try {
      next = await loadConfigOffThread(this.options.paths, this.options.env());
    } catch (error) {
      metrics.reloadSuccessful.set(0);
      metrics.reloadsTotal.inc({ result: 'failure' });
      const issues = error instanceof ConfigError ? error.issues.length : 1;
      log.error({ err: error }, 'Config reload failed; the running configuration is kept');
      return {
        ok: false,
        message: `reload failed, running configuration kept (${issues} issue(s)):\n${(error as Error).message}`,
      };
    }
    metrics.reloadsTotal.inc({ result: 'success' });
    if (next.checksum === this.running?.checksum) {
      this.markLoaded();
      return { ok: true, message: 'configuration unchanged' };
    }
    const { diff } = this.apply(next);
    const summary = { added: diff.added, changed: diff.replaced.length, removed: diff.removed.length };
    log.info(summary, 'Config reloaded');
    return {
      ok: true,
      message: `configuration reloaded: ${summary.added} added, ${summary.changed} changed, ${summary.removed} removed`,
    };
  }

  /**
   * Discovered targets changed: the loaded config is applied again with them, as a reload would
   * (same narrowing, same diff: unchanged probes keep their slots and history).
   */
  rediscover(): void {
    if (!this.loaded) return;
    const { diff } = this.apply(this.loaded);
    const summary = { added: diff.added, changed: diff.replaced.length, removed: diff.removed.length };
    if (summary.added + summary.changed + summary.removed > 0)
      this.options.log.info(summary, 'Discovered probes changed');
  }

  /** How many targets of a discovery source made no probe, and why (the first 100). */
  skippedTargets(source: string): { count: number; first: readonly SkippedTarget[] } {
    return this.skipped.get(source) ?? { count: 0, first: [] };
  }

  /** Narrows a valid config to this instance and swaps it in. */
  private apply(loaded: Config): { config: Config; diff: ProbeDiff } {
    const { shard, location } = this.options;
    this.loaded = loaded;
    const found = discoveredProbes(
      loaded.discovery,
      this.options.targetsOf ?? (() => []),
      new Set(loaded.probes.map((spec) => spec.name)),
    );
    this.noteSkipped(found.skipped);
    const probes = found.probes.length > 0 ? [...loaded.probes, ...found.probes] : loaded.probes;
    const sharded = shard ? probes.filter((spec) => inShard(spec.name, shard)) : probes;
    const located = location
      ? sharded.map((spec) => ({ ...spec, labels: { ...spec.labels, location } }))
      : sharded;
    // Probes agents run become one copy per agent's location (locations/agent-spec.ts).
    // Agents are handed probe definitions as written; a discovered probe has none, so this
    // instance runs it (docs/discovery.md).
    const narrowed = [
      ...withAgents(
        located.filter((spec) => !spec.discovered),
        loaded.agents,
        (kind) => proberFor(kind)?.inbox !== undefined,
      ),
      ...located.filter((spec) => spec.discovered),
    ];
    const diff = diffProbes(this.probes, this.fingerprints, narrowed);
    const config: Config = {
      ...loaded,
      probes: diff.probes,
      notify: withNotifyMode(loaded.notify, this.options.notifyMode ?? 'all'),
    };
    this.running = config;
    this.fingerprints = new Map(diff.fingerprints);
    this.current = new Map(diff.probes.map((spec) => [spec.name, spec]));
    this.options.apply(config, diff);
    this.markLoaded();
    return { config, diff };
  }

  private noteSkipped(skipped: ReadonlyMap<string, SkippedTarget[]>): void {
    for (const [source, targets] of skipped) {
      const before = this.skipped.get(source)?.count ?? 0;
      if (targets.length > 0 && targets.length !== before)
        this.options.log.warn(
          { source, skipped: targets.length, first: targets[0] },
          'Discovered targets the template cannot make a probe of are skipped',
        );
      this.skipped.set(source, { count: targets.length, first: targets.slice(0, 100) });
    }
  }

  private markLoaded(): void {
    this.options.metrics.reloadSuccessful.set(1);
    this.options.metrics.reloadSuccessTimestamp.set(this.options.now() / 1000);
  }
}
