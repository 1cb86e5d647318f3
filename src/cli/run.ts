/** `prismwatch run`: the daemon, with signal handling. SIGTERM/SIGINT stop cleanly, SIGHUP reloads. */

import { readFileSync } from 'node:fs';
import { parseShard } from '../config/shard.js';
import { Daemon } from '../daemon.js';
import { ConfigError, PrismwatchError } from '../errors.js';
import { createLogger } from '../log.js';
import { NOTIFY_MODES, type NotifyMode } from '../notify/config/mode.js';
import { parseListenAddress } from '../server/listen-address.js';
import { parseDuration } from '../util/duration.js';
import { MAX_TIMER_DELAY_MS } from '../util/timer.js';
import { applyHeapGrowth, heapGrowthPercent } from './heap-growth.js';
import { exitOnUncaught, untilStopped } from './lifecycle.js';
import { DEFAULT_DATA_DIR, ENV, resolveConfigPaths, resolveListenAddress, stateUrlFlag } from './options.js';

interface RunCommandOptions {
  readonly config?: string[];
  readonly listenAddress?: string;
  readonly logLevel?: string;
  readonly maxConcurrency?: string;
  readonly probeWorkers?: string;
  readonly maxConnections?: string;
  readonly publicRate?: string;
  readonly publicMaxInFlight?: string;
  readonly shard?: string;
  readonly tlsCertFile?: string;
  readonly tlsKeyFile?: string;
  readonly shutdownGrace?: string;
  readonly evaluationInterval?: string;
  readonly dataDir?: string;
  readonly stateUrl?: string;
  readonly stateLease?: string;
  readonly heapGrowthPercent?: string;
  /** --metrics.exemplars: OpenMetrics with exemplars for scrapes that accept it. */
  readonly exemplars?: boolean;
  /** --tracing.otlp-endpoint (or OTEL_EXPORTER_OTLP_TRACES_ENDPOINT). */
  readonly otlpEndpoint?: string;
  readonly externalUrl?: string;
  readonly incidentRetention?: string;
  readonly location?: string;
  readonly notifyMode?: string;
  readonly peers?: readonly string[];
  readonly historyRetention?: string;
}

/** An absolute http(s) URL from a flag, without a trailing slash; `example` shows one in the error. */
function httpUrlFlag(flag: string, value: string, example: string): string {
  let url: URL | undefined;
  try {
    url = new URL(value);
  } catch {
    url = undefined;
  }
  if (!url || (url.protocol !== 'http:' && url.protocol !== 'https:'))
    throw new PrismwatchError('PRISMWATCH_USAGE', `${flag} expects ${example}, got "${value}"`);
  return value.replace(/\/+$/, '');
}

/** --state.url and --state.lease: PostgreSQL shared by several instances. */
function sharedState(options: RunCommandOptions): { stateUrl?: string; stateLeaseMs?: number } {
  let stateUrl: string | undefined;
  try {
    stateUrl = stateUrlFlag(options.stateUrl);
  } catch (error) {
    throw new PrismwatchError('PRISMWATCH_USAGE', (error as Error).message);
  }
  if (options.stateLease === undefined) return stateUrl ? { stateUrl } : {};
  const stateLeaseMs = parseDuration(options.stateLease);
  if (stateLeaseMs === undefined || stateLeaseMs < 1_000 || stateLeaseMs > 10 * 60_000)
    throw new PrismwatchError(
      'PRISMWATCH_USAGE',
      `--state.lease expects a duration from 1s to 10m like "10s", got "${options.stateLease}"`,
    );
  if (!stateUrl) throw new PrismwatchError('PRISMWATCH_USAGE', '--state.lease needs --state.url');
  return { stateUrl, stateLeaseMs };
}

/** --web.external-url (or its env): an absolute http(s) URL, kept without a trailing slash. */
function externalUrl(options: RunCommandOptions): { externalUrl?: string } {
  const value = options.externalUrl ?? process.env[ENV.externalUrl];
  if (!value) return {};
  return {
    externalUrl: httpUrlFlag(
      '--web.external-url',
      value,
      'an absolute http or https URL like "https://prismwatch.example.com"',
    ),
  };
}

/** --peer (or PRISMWATCH_PEERS, comma-separated): absolute http(s) base URLs of other instances. */
function peerUrls(values: readonly string[]): string[] {
  return values.map((value) =>
    httpUrlFlag('--peer', value, 'the base URL of another prismwatch like "http://prismwatch-us:9797"'),
  );
}

/** --web.tls-cert-file and --web.tls-key-file (or their env), both or neither, read now. */
function serverTls(options: RunCommandOptions): { tls?: { cert: Buffer; key: Buffer } } {
  const certFile = options.tlsCertFile ?? process.env[ENV.tlsCertFile];
  const keyFile = options.tlsKeyFile ?? process.env[ENV.tlsKeyFile];
  if (!certFile && !keyFile) return {};
  if (!certFile || !keyFile)
    throw new PrismwatchError('PRISMWATCH_USAGE', '--web.tls-cert-file and --web.tls-key-file go together');
  const read = (flag: string, file: string) => {
    try {
      return readFileSync(file);
    } catch (error) {
      throw new PrismwatchError(
        'PRISMWATCH_USAGE',
        `${flag} ${file}: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}`,
      );
    }
  };
  return { tls: { cert: read('--web.tls-cert-file', certFile), key: read('--web.tls-key-file', keyFile) } };
}

/** A flag that takes a whole number of at least 1, or undefined when it is not given. */
function wholeNumberFlag(flag: string, text: string | undefined): number | undefined {
  if (text === undefined) return undefined;
  const value = Number(text);
  if (!Number.isSafeInteger(value) || value < 1) {
    throw new PrismwatchError(
      'PRISMWATCH_USAGE',
      `${flag} expects a whole number of at least 1, got "${text}"`,
    );
  }
  return value;
}

/** --rules.evaluation-interval (run, rules pages): a duration from 100ms to 24d. */
export function evaluationIntervalFlag(text: string): number {
  const ms = parseDuration(text);
  if (ms === undefined || ms < 100 || ms > MAX_TIMER_DELAY_MS)
    throw new PrismwatchError(
      'PRISMWATCH_USAGE',
      `--rules.evaluation-interval expects a duration from 100ms to 24d, got "${text}"`,
    );
  return ms;
}

/** Exit codes: 0 after a clean stop, 2 for an invalid configuration, 1 for anything else. */
export async function runDaemon(options: RunCommandOptions): Promise<number> {
  applyHeapGrowth(heapGrowthPercent(options.heapGrowthPercent ?? process.env[ENV.heapGrowth]));
  const log = createLogger({ level: options.logLevel ?? process.env[ENV.logLevel] ?? 'info' });
  const { host, port } = parseListenAddress(resolveListenAddress(options.listenAddress));
  const configPaths = resolveConfigPaths(options.config);
  const maxConcurrency = wholeNumberFlag('--max-concurrency', options.maxConcurrency);
  const probeWorkers = wholeNumberFlag(
    '--probe-workers',
    options.probeWorkers ?? (process.env.PRISMWATCH_PROBE_WORKERS || undefined),
  );
  const maxConnections = wholeNumberFlag(
    '--web.max-connections',
    options.maxConnections ?? process.env[ENV.maxConnections],
  );
  const publicRate = wholeNumberFlag('--web.public-rate', options.publicRate);
  const publicMaxInFlight = wholeNumberFlag('--web.public-max-in-flight', options.publicMaxInFlight);
  const shutdownGraceMs =
    options.shutdownGrace === undefined ? undefined : parseDuration(options.shutdownGrace);
  if (
    options.shutdownGrace !== undefined &&
    (shutdownGraceMs === undefined || shutdownGraceMs > MAX_TIMER_DELAY_MS)
  ) {
    throw new PrismwatchError(
      'PRISMWATCH_USAGE',
      `--shutdown-grace expects a duration like "10s" (at most 24d), got "${options.shutdownGrace}"`,
    );
  }
  const evaluationIntervalMs =
    options.evaluationInterval === undefined ? undefined : evaluationIntervalFlag(options.evaluationInterval);
  const incidentRetentionMs =
    options.incidentRetention === undefined ? undefined : parseDuration(options.incidentRetention);
  if (
    options.incidentRetention !== undefined &&
    (incidentRetentionMs === undefined || incidentRetentionMs < 60_000)
  )
    throw new PrismwatchError(
      'PRISMWATCH_USAGE',
      `--incidents.retention expects a duration of at least 1m like "90d", got "${options.incidentRetention}"`,
    );
  const location = options.location ?? process.env[ENV.location];
  if (location !== undefined && !/^[A-Za-z0-9][A-Za-z0-9_.:-]{0,62}$/.test(location))
    throw new PrismwatchError(
      'PRISMWATCH_USAGE',
      `--location expects a name of letters, digits, "_", ".", ":" or "-" like "eu-west-1", got "${location}"`,
    );
  const notifyMode = options.notifyMode ?? process.env[ENV.notifyMode] ?? 'all';
  if (!(NOTIFY_MODES as readonly string[]).includes(notifyMode))
    throw new PrismwatchError(
      'PRISMWATCH_USAGE',
      `--notify.mode expects one of ${NOTIFY_MODES.join(', ')}, got "${notifyMode}"`,
    );
  const peers = peerUrls(
    options.peers ??
      process.env[ENV.peers]
        ?.split(',')
        .map((part) => part.trim())
        .filter(Boolean) ??
      [],
  );
  const historyRetentionMs =
    options.historyRetention === undefined ? undefined : parseDuration(options.historyRetention);
  if (
    options.historyRetention !== undefined &&
    (historyRetentionMs === undefined || historyRetentionMs < 60_000)
  )
    throw new PrismwatchError(
      'PRISMWATCH_USAGE',
      `--history.retention expects a duration of at least 1m like "30m", got "${options.historyRetention}"`,
    );
  const daemon = new Daemon({
    evaluationIntervalMs,
    ...sharedState(options),
    ...(historyRetentionMs === undefined ? {} : { historyRetentionMs }),
    ...(peers.length > 0 ? { peers } : {}),
    ...(location ? { location } : {}),
    notifyMode: notifyMode as NotifyMode,
    ...(incidentRetentionMs === undefined ? {} : { incidentRetentionMs }),
    dataDir: options.dataDir ?? process.env[ENV.dataDir] ?? DEFAULT_DATA_DIR,
    configPaths,
    host,
    port,
    log,
    apiToken: process.env[ENV.apiToken] || undefined,
    maxConcurrency,
    ...(probeWorkers === undefined ? {} : { probeWorkers }),
    ...(maxConnections === undefined ? {} : { serverLimits: { maxConnections } }),
    publicBudget: {
      ...(publicRate === undefined ? {} : { ratePerSecond: publicRate, burst: publicRate * 3 }),
      ...(publicMaxInFlight === undefined ? {} : { maxInFlight: publicMaxInFlight }),
    },
    shutdownGraceMs,
    ...(options.exemplars ? { openMetrics: true } : {}),
    ...otlpEndpoint(options.otlpEndpoint ?? process.env.OTEL_EXPORTER_OTLP_TRACES_ENDPOINT),
    ...(options.shard ? { shard: parseShard(options.shard) } : {}),
    ...serverTls(options),
    ...externalUrl(options),
  });

  exitOnUncaught(log);

  try {
    await daemon.start();
  } catch (error) {
    if (error instanceof ConfigError) {
      log.error(
        { issues: error.issues.length },
        `Invalid configuration, refusing to start:\n${error.message}`,
      );
      process.stderr.write(`${error.message}\n`);
      return 2;
    }
    if (error instanceof PrismwatchError) {
      log.fatal({ code: error.code }, error.message);
      process.stderr.write(`prismwatch: ${error.message}\n`);
    } else {
      log.fatal({ err: error }, 'Could not start');
    }
    return 1;
  }

  process.on('SIGHUP', () => {
    log.info('SIGHUP received, reloading configuration');
    void daemon.reload();
  });
  return untilStopped(log, () => daemon.stop());
}

/** The OTLP traces URL, checked here: a typo must stop the start, not lose every span quietly. */
function otlpEndpoint(value: string | undefined): { otlpEndpoint?: string } {
  if (!value) return {};
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    throw new PrismwatchError(
      'PRISMWATCH_USAGE',
      `--tracing.otlp-endpoint expects an http(s) URL, got "${value}"`,
    );
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:')
    throw new PrismwatchError(
      'PRISMWATCH_USAGE',
      `--tracing.otlp-endpoint expects an http(s) URL, got "${value}"`,
    );
  return { otlpEndpoint: url.href };
}
