/** What a daemon is started with: the flags of `prismwatch run` (cli/run.ts), the demo's and tests'. */
import type { Logger } from 'pino';
import type { Env } from '../config/interpolate.js';
import type { Shard } from '../config/shard.js';
import type { NotifyMode } from '../notify/config/mode.js';
import type { BudgetLimits } from '../server/budgets.js';
import type { ServerLimits } from '../server/server-limits.js';

export interface DaemonOptions {
  readonly configPaths: readonly string[];
  readonly host: string;
  readonly port: number;
  readonly log: Logger;
  readonly env?: Env;
  readonly apiToken?: string;
  readonly maxConcurrency?: number;
  /** Worker threads that run probes (probers/pool); 1 or unset runs them on the main thread. */
  readonly probeWorkers?: number;
  readonly shutdownGraceMs?: number;
  readonly historyRetentionMs?: number;
  /** How long incident history is kept (default 90 days). */
  readonly incidentRetentionMs?: number;
  readonly now?: () => number;
  /** How often alert rules are evaluated. */
  readonly evaluationIntervalMs?: number;
  /** Where alert state is kept across restarts; without one it lives in memory only. */
  readonly dataDir?: string;
  /**
   * A PostgreSQL URL (--state.url): state shared by every instance given the same one, one of
   * them leading. Replaces dataDir's SQLite file.
   */
  readonly stateUrl?: string;
  /** The leader's lease (--state.lease; default 8 s). */
  readonly stateLeaseMs?: number;
  /** Serve HTTPS (PEM certificate and key) instead of plain HTTP. */
  readonly tls?: { readonly cert: Buffer; readonly key: Buffer };
  /** The server's connection cap and timeouts (`--web.max-connections`); defaults otherwise. */
  readonly serverLimits?: Partial<ServerLimits>;
  /** The per-source rate and in-flight cap of unauthenticated routes (`--web.public-*`). */
  readonly publicBudget?: Partial<BudgetLimits>;
  /**
   * Answer scrapes that accept OpenMetrics in it, with trace ids as exemplars on the latency
   * histogram (`--metrics.exemplars`). Off by default: the text format stays what every scrape gets.
   */
  readonly openMetrics?: boolean;
  /** Export each traced run as OTLP spans to this collector URL (`--tracing.otlp-endpoint`). */
  readonly otlpEndpoint?: string;
  /** Run only this shard's probes (`--shard i/n`). */
  readonly shard?: Shard;
  /**
   * Where this instance probes from (`--location`): a `location` label on every probe, so its
   * series, results and alerts say which vantage point saw them (quorum rules count them).
   */
  readonly location?: string;
  /** Which integrations send (`--notify.mode`, notify/config/mode.ts); default all. */
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
