/** What a daemon says once at start when its own settings put it at risk. */
import type { Logger } from 'pino';
import { isLoopback } from '../server/listen-address.js';
import { descriptorShortfall, openFilesLimit } from '../util/fd-limit.js';

/** Read endpoints open to the network: said when listening beyond loopback without a token. */
export function warnIfOpen(
  log: Logger,
  address: string,
  baseUrl: string,
  apiToken: string | undefined,
): void {
  if (isLoopback(address) || apiToken) return;
  log.warn(
    { address: baseUrl },
    'Listening on a non-loopback address without PRISMWATCH_API_TOKEN: read endpoints are open to the network; write endpoints stay disabled',
  );
}

/** Says when client connections and probe runs cannot all get a file descriptor. */
export function warnIfDescriptorsShort(log: Logger, maxConnections: number, maxConcurrency: number): void {
  const short = descriptorShortfall(openFilesLimit(), maxConnections, maxConcurrency);
  if (!short) return;
  log.warn(
    {
      fd_limit: short.limit,
      fd_needed: short.needed,
      max_connections: maxConnections,
      max_concurrency: maxConcurrency,
    },
    `The file descriptor limit (${short.limit}) is below what --web.max-connections and --max-concurrency may use (${short.needed}): under load probes will fail as fd_exhausted. Raise ulimit -n, or lower either flag`,
  );
}

/** The one line that says the daemon is up, where to look, and where alerts go. */
export function logStarted(
  log: Logger,
  baseUrl: string,
  facts: { probes: number; files: readonly string[]; shard?: string },
  where: { sending: string[]; onlyLog: boolean; switchedOff: Array<{ integration: string; why: string }> },
): void {
  log.info(
    {
      address: baseUrl,
      status_page: `${baseUrl}/`,
      metrics: `${baseUrl}/metrics`,
      probes: facts.probes,
      files: facts.files,
      alerts_to: where.sending,
      ...(where.switchedOff.length > 0 ? { switched_off: where.switchedOff } : {}),
      ...(facts.shard ? { shard: facts.shard } : {}),
    },
    where.onlyLog
      ? `prismwatch started: status page ${baseUrl}/ — alerts go to this log only (no receiver is set up; see alerts/routing.yaml)`
      : `prismwatch started: status page ${baseUrl}/ — alerts go to ${where.sending.join(', ')}`,
  );
}
