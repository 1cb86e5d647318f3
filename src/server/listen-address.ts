/** "127.0.0.1:9797", "[::1]:9797", "localhost:0" or ":9797" (every interface) → host and port. */
import { PrismwatchError } from '../errors.js';

interface ListenAddress {
  readonly host: string;
  readonly port: number;
}

export function parseListenAddress(text: string): ListenAddress {
  const match = /^(?:\[([^\]]+)\]|([^:]*)):(\d{1,5})$/.exec(text.trim());
  const port = Number(match?.[3]);
  if (!match || port > 65535) {
    throw new PrismwatchError(
      'PRISMWATCH_USAGE',
      `listen address "${text}" is not host:port (e.g. 127.0.0.1:9797)`,
    );
  }
  return { host: match[1] ?? (match[2] || '0.0.0.0'), port };
}

export function isLoopback(host: string): boolean {
  return host === 'localhost' || host === '::1' || host.startsWith('127.');
}

export function formatHostPort(host: string, port: number): string {
  return host.includes(':') ? `[${host}]:${port}` : `${host}:${port}`;
}
