/** Adapts openConnection to undici's connector interface, so undici's sockets are timed per phase. */
import type { buildConnector } from 'undici';
import { type ExchangeTrace, type IpProtocol, openConnection, type TlsOptions } from './connect.js';

export interface ConnectorOptions {
  readonly signal: AbortSignal;
  readonly now: () => number;
  readonly tls: TlsOptions;
  readonly ipProtocol: IpProtocol;
  readonly ipFallback: boolean;
}

export function createTimingConnector(
  trace: ExchangeTrace,
  options: ConnectorOptions,
): buildConnector.connector {
  return (target, callback) => {
    const https = target.protocol === 'https:';
    openConnection(
      {
        ...options,
        hostname: target.hostname,
        port: Number(target.port) || (https ? 443 : 80),
        tls: https ? options.tls : undefined,
        alpn: ['http/1.1'],
      },
      trace,
    ).then(
      (socket) => callback(null, socket),
      (error: Error) => callback(error, null),
    );
  };
}
