/**
 * An undici connector that resolves, connects and handshakes by itself so each phase is timed
 * (undici has no httptrace). Certificates are verified after the handshake rather than by
 * OpenSSL aborting it, so an expired certificate still reports its expiry date.
 */
import { lookup } from 'node:dns/promises';
import { isIP, type Socket, connect as tcpConnect } from 'node:net';
import { type TLSSocket, connect as tlsConnect } from 'node:tls';
import type { buildConnector } from 'undici';
import type { Failure, Phase } from './failure.js';
import type { HttpTlsSettings } from './http-config.js';
import { describeAuthorizationError, readTlsFacts } from './tls-facts.js';
import type { TlsFacts } from './types.js';

/** Mutable record of one exchange: which phase it is in and how long each took. */
export interface ExchangeTrace {
  phase: Phase;
  readonly phases: Record<Phase, number>;
  /** Epoch ms when the connection became usable for the request. */
  readyAt?: number;
  tls?: TlsFacts;
  /** A failure the connector decided on (a rejected certificate); wins over undici's error. */
  failure?: Failure;
  /** The address actually connected to, for messages. */
  remoteAddress?: string;
}

export function createTrace(): ExchangeTrace {
  return { phase: 'resolve', phases: { resolve: 0, connect: 0, tls: 0, processing: 0, transfer: 0 } };
}

export interface ConnectorOptions {
  readonly signal: AbortSignal;
  readonly now: () => number;
  readonly tls: HttpTlsSettings;
  readonly ipProtocol: 'auto' | 'ip4' | 'ip6';
  readonly ipFallback: boolean;
}

async function resolveAddress(hostname: string, options: ConnectorOptions): Promise<{ address: string }> {
  if (isIP(hostname)) return { address: hostname };
  if (options.ipProtocol === 'auto') return lookup(hostname);
  const wanted = options.ipProtocol === 'ip4' ? 4 : 6;
  try {
    return await lookup(hostname, { family: wanted });
  } catch (error) {
    if (!options.ipFallback) throw error;
    return lookup(hostname, { family: wanted === 4 ? 6 : 4 });
  }
}

function abortError(signal: AbortSignal): Error {
  const error = new Error('probe deadline reached') as Error & { code: string; cause: unknown };
  error.code = 'PRISMWATCH_ABORTED';
  error.cause = signal.reason;
  return error;
}

export function createTimingConnector(
  trace: ExchangeTrace,
  options: ConnectorOptions,
): buildConnector.connector {
  return (target, callback) => {
    const { signal, now } = options;
    let socket: Socket | undefined;
    let settled = false;
    const settle = (error: Error | null, ready?: Socket) => {
      if (settled) return;
      settled = true;
      signal.removeEventListener('abort', onAbort);
      if (error) {
        socket?.destroy();
        callback(error, null);
      } else {
        callback(null, ready!);
      }
    };
    const onAbort = () => settle(abortError(signal));
    if (signal.aborted) return onAbort();
    signal.addEventListener('abort', onAbort, { once: true });

    const hostname = target.hostname.replace(/^\[|\]$/g, '');
    const https = target.protocol === 'https:';
    const port = Number(target.port) || (https ? 443 : 80);
    let mark = now();
    trace.phase = 'resolve';
    resolveAddress(hostname, options).then(
      ({ address }) => {
        if (settled) return;
        trace.phases.resolve += now() - mark;
        mark = now();
        trace.phase = 'connect';
        trace.remoteAddress = `${address.includes(':') ? `[${address}]` : address}:${port}`;
        socket = tcpConnect({ host: address, port, noDelay: true });
        socket.once('error', (error) => settle(error));
        socket.once('connect', () => {
          trace.phases.connect += now() - mark;
          mark = now();
          if (!https) {
            trace.readyAt = now();
            trace.phase = 'processing';
            settle(null, socket);
            return;
          }
          trace.phase = 'tls';
          const servername = options.tls.serverName ?? (isIP(hostname) ? undefined : hostname);
          const secure: TLSSocket = tlsConnect({
            socket,
            host: hostname,
            servername,
            ca: options.tls.ca,
            cert: options.tls.cert,
            key: options.tls.key,
            minVersion: options.tls.minVersion,
            ALPNProtocols: ['http/1.1'],
            // Verified below, after reading the certificate, so failures still report expiry.
            rejectUnauthorized: false,
          });
          socket = secure;
          secure.once('error', (error) => settle(error));
          secure.once('secureConnect', () => {
            trace.phases.tls += now() - mark;
            trace.tls = readTlsFacts(secure);
            if (!secure.authorized && !options.tls.insecureSkipVerify) {
              const message = describeAuthorizationError(secure.authorizationError);
              trace.failure = { code: 'tls_error', phase: 'tls', message };
              const error = new Error(message) as Error & { code: string };
              error.code = 'PRISMWATCH_TLS_UNAUTHORIZED';
              settle(error);
              return;
            }
            trace.readyAt = now();
            trace.phase = 'processing';
            settle(null, secure);
          });
        });
      },
      (error: Error) => settle(error),
    );
  };
}
