/** Flags shared by commands, with their environment fallbacks (flag > env > default). */

import { DEFAULT_LISTEN_ADDRESS } from '../config/defaults.js';
import { defaultConfigPaths } from '../config/discover.js';
import { formatHostPort, parseListenAddress } from '../server/listen-address.js';

export const ENV = {
  config: 'PRISMWATCH_CONFIG',
  listen: 'PRISMWATCH_LISTEN_ADDRESS',
  logLevel: 'PRISMWATCH_LOG_LEVEL',
  apiToken: 'PRISMWATCH_API_TOKEN',
  dataDir: 'PRISMWATCH_DATA_DIR',
  tlsCertFile: 'PRISMWATCH_TLS_CERT_FILE',
  tlsKeyFile: 'PRISMWATCH_TLS_KEY_FILE',
  heapGrowth: 'PRISMWATCH_HEAP_GROWTH_PERCENT',
  maxConnections: 'PRISMWATCH_MAX_CONNECTIONS',
  externalUrl: 'PRISMWATCH_EXTERNAL_URL',
  location: 'PRISMWATCH_LOCATION',
  notifyMode: 'PRISMWATCH_NOTIFY_MODE',
  peers: 'PRISMWATCH_PEERS',
  stateUrl: 'PRISMWATCH_STATE_URL',
} as const;

export const DEFAULT_DATA_DIR = 'data';

/**
 * --state.url (or PRISMWATCH_STATE_URL): a postgres:// URL, checked for its scheme only (the
 * driver reads the rest, TLS parameters included). Undefined: the data directory's SQLite file.
 */
export function stateUrlFlag(value: string | undefined, env = process.env): string | undefined {
  const url = value ?? env[ENV.stateUrl];
  if (!url) return undefined;
  if (!/^postgres(ql)?:\/\//.test(url))
    throw new Error(
      `--state.url expects a PostgreSQL URL like "postgres://prismwatch@db.example:5432/prismwatch", got a value starting "${url.slice(0, 12)}"`,
    );
  return url;
}

/** `--config` values, else PRISMWATCH_CONFIG (comma-separated), else ./probes and ./alerts (or the shipped ones). */
export function resolveConfigPaths(flag: readonly string[] | undefined, env = process.env): string[] {
  if (flag && flag.length > 0) return [...flag];
  const fromEnv = env[ENV.config]
    ?.split(',')
    .map((part) => part.trim())
    .filter(Boolean);
  if (fromEnv && fromEnv.length > 0) return fromEnv;
  return defaultConfigPaths();
}

export function resolveListenAddress(flag: string | undefined, env = process.env): string {
  return flag ?? env[ENV.listen] ?? DEFAULT_LISTEN_ADDRESS;
}

/** PRISMWATCH_URL as the daemon would set it, for commands that load config without serving (check). */
export function configEnvFor(listenAddress: string, env = process.env): Record<string, string | undefined> {
  const { host, port } = parseListenAddress(listenAddress);
  return { PRISMWATCH_URL: `http://${formatHostPort(host, port)}`, ...env };
}
