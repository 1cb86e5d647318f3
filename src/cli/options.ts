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
} as const;

export const DEFAULT_DATA_DIR = 'data';

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
