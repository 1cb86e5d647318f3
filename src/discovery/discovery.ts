/**
 * The running discovery sources: started and stopped as the config's `discovery:` changes (a source
 * whose settings did not change keeps running and keeps its targets across a reload), each one's
 * latest targets held here, and a change handed on — settled, so a burst of file writes is one
 * change — to be applied like a reload (config/running-config.ts `rediscover`).
 *
 * A source over its `max_targets` is refused the update, not cut: the probes it had stay, and its
 * status says why (an inventory that suddenly lists a million hosts must not become a million
 * probes, nor lose an arbitrary half of the real ones).
 */
import type { Logger } from 'pino';
import { Counter, Gauge, type Registry } from 'prom-client';
import { FileSdSource } from './file-source.js';
import { HttpSdSource } from './http-source.js';
import type { DiscoverySource, SourceUpdate } from './source.js';
import type { DiscoveredTarget } from './target-groups.js';

/** What the discovery part of a config says of one source (config/discovery-spec.ts). */
export interface SourceSettings {
  readonly name: string;
  readonly maxTargets: number;
  readonly fileSd?: { readonly files: readonly string[]; readonly refresh_interval: number };
  readonly httpSd?: {
    readonly url: string;
    readonly refresh_interval: number;
    readonly timeout: number;
    readonly headers: Readonly<Record<string, string>>;
  };
}

export interface SourceStatus {
  readonly name: string;
  readonly type: 'file_sd' | 'http_sd';
  readonly targets: number;
  /** Epoch ms of the last successful read; undefined until one. */
  readonly refreshedAt?: number;
  /** Why the last read failed (or was refused), while it has not succeeded since. */
  readonly error?: string;
}

/** A change settles this long before it is applied: a directory of files rewritten is one change. */
const SETTLE_MS = 250;

interface Running {
  readonly key: string;
  /** Replaced by a reload that keeps the source (a new max_targets applies to its next read). */
  settings: SourceSettings;
  readonly source: DiscoverySource;
  targets: readonly DiscoveredTarget[];
  refreshedAt?: number;
  error?: string;
}

export class Discovery {
  private readonly running = new Map<string, Running>();
  private settle: NodeJS.Timeout | undefined;
  private readonly targetsGauge: Gauge;
  private readonly failures: Counter;

  constructor(
    private readonly options: {
      readonly log: Logger;
      readonly registry: Registry;
      readonly now: () => number;
      /** Called, settled, when any source's targets changed. */
      readonly changed: () => void;
    },
  ) {
    this.targetsGauge = new Gauge({
      name: 'prismwatch_discovery_targets',
      help: 'Targets each discovery source last gave (the probes made of them may be fewer: see the API).',
      labelNames: ['source'],
      registers: [options.registry],
    });
    this.failures = new Counter({
      name: 'prismwatch_discovery_refresh_failures_total',
      help: 'Reads of a discovery source that failed or were refused (its last targets were kept).',
      labelNames: ['source'],
      registers: [options.registry],
    });
  }

  /** The targets a source last gave (none for a source not running). */
  targetsOf(name: string): readonly DiscoveredTarget[] {
    return this.running.get(name)?.targets ?? [];
  }

  status(): SourceStatus[] {
    return [...this.running.values()].map((entry) => ({
      name: entry.settings.name,
      type: entry.settings.fileSd ? 'file_sd' : 'http_sd',
      targets: entry.targets.length,
      ...(entry.refreshedAt !== undefined ? { refreshedAt: entry.refreshedAt } : {}),
      ...(entry.error !== undefined ? { error: entry.error } : {}),
    }));
  }

  /** Starts, keeps or stops sources to match the config. */
  configure(sources: readonly SourceSettings[]): void {
    const wanted = new Map(sources.map((settings) => [settings.name, settings]));
    for (const [name, entry] of this.running) {
      const settings = wanted.get(name);
      if (settings && keyOf(settings) === entry.key) continue;
      entry.source.stop();
      this.running.delete(name);
      this.targetsGauge.remove({ source: name });
      if (entry.targets.length > 0) this.soon();
    }
    for (const settings of sources) {
      const kept = this.running.get(settings.name);
      if (kept) {
        kept.settings = settings;
        continue;
      }
      const entry: Running = {
        key: keyOf(settings),
        settings,
        targets: [],
        source: this.sourceFor(settings, (update) => this.update(settings.name, update)),
      };
      this.running.set(settings.name, entry);
      this.targetsGauge.set({ source: settings.name }, 0);
      entry.source.start();
    }
  }

  stop(): void {
    clearTimeout(this.settle);
    for (const entry of this.running.values()) entry.source.stop();
    this.running.clear();
  }

  private sourceFor(settings: SourceSettings, report: (update: SourceUpdate) => void): DiscoverySource {
    if (settings.fileSd)
      return new FileSdSource(settings.fileSd.files, settings.fileSd.refresh_interval, report);
    const http = settings.httpSd!;
    return new HttpSdSource(
      {
        url: http.url,
        refreshIntervalMs: http.refresh_interval,
        timeoutMs: http.timeout,
        headers: http.headers,
      },
      report,
    );
  }

  private update(name: string, update: SourceUpdate): void {
    const entry = this.running.get(name);
    if (!entry) return; // A stopped source's late answer.
    if ('error' in update) {
      this.fail(entry, update.error);
      return;
    }
    const { targets } = update;
    if (targets.length > entry.settings.maxTargets) {
      this.fail(
        entry,
        `${targets.length} targets, above max_targets ${entry.settings.maxTargets}: the ${entry.targets.length} from before are kept`,
      );
      return;
    }
    entry.refreshedAt = Math.round(this.options.now());
    entry.error = undefined;
    if (sameTargets(entry.targets, targets)) return;
    entry.targets = targets;
    this.targetsGauge.set({ source: name }, targets.length);
    this.soon();
  }

  private fail(entry: Running, error: string): void {
    this.failures.inc({ source: entry.settings.name });
    if (entry.error !== error)
      this.options.log.warn(
        { source: entry.settings.name, error },
        'Discovery source read failed; its last targets are kept',
      );
    entry.error = error;
  }

  private soon(): void {
    if (this.settle) return;
    this.settle = setTimeout(() => {
      this.settle = undefined;
      this.options.changed();
    }, SETTLE_MS);
    this.settle.unref();
  }
}

function keyOf(settings: SourceSettings): string {
  return JSON.stringify({ file: settings.fileSd, http: settings.httpSd });
}

function sameTargets(a: readonly DiscoveredTarget[], b: readonly DiscoveredTarget[]): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) {
    if (a[i]!.address !== b[i]!.address) return false;
    if (a[i]!.labels !== b[i]!.labels && JSON.stringify(a[i]!.labels) !== JSON.stringify(b[i]!.labels))
      return false;
  }
  return true;
}
