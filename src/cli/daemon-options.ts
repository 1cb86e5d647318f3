/** Options of the commands that talk to a running daemon, and the base URL they resolve to. */
import { type Command, Option } from 'commander';
import { formatHostPort, parseListenAddress } from '../server/listen-address.js';
import { ENV, resolveListenAddress } from './options.js';

export const daemonOptions = (command: Command): Command =>
  command
    .addOption(
      new Option(
        '--web.listen-address <host:port>',
        `the daemon's address (env ${ENV.listen}, default 127.0.0.1:9797)`,
      ),
    )
    .option('--url <url>', "the daemon's base URL, instead of --web.listen-address");

/** Commander's way to repeat an option: each occurrence appends. */
export const collect = (value: string, previous: string[] = []): string[] => [...previous, value];

/** The daemon's base URL from --url, else --web.listen-address / PRISMWATCH_LISTEN_ADDRESS. */
export function daemonUrl(options: Record<string, unknown>): string {
  const { host, port } = parseListenAddress(
    resolveListenAddress(options['web.listenAddress'] as string | undefined),
  );
  return (options.url as string | undefined) ?? `http://${formatHostPort(host, port)}`;
}
