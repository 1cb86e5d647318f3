/**
 * Opens a connection the way every network prober needs it: resolve (with family preference and
 * fallback), TCP connect, optional TLS handshake, each phase timed into a trace. Certificates are
 * verified after the handshake rather than by OpenSSL aborting it, so an expired certificate still
 * reports its expiry date. Honours the run's AbortSignal in every phase.
 */
import { lookup } from 'node:dns/promises';
import { isIP, type Socket, connect as tcpConnect } from 'node:net';
import { type TLSSocket, connect as tlsConnect } from 'node:tls';
import type { Failure, Phase } from '../../model/failure.js';
import { describeAuthorizationError, readTlsFacts } from './tls-facts.js';
import type { TlsFacts } from './tls-section.js';

export interface TlsOptions {
  readonly ca?: string;
  readonly cert?: string;
  readonly key?: string;
  readonly insecureSkipVerify: boolean;
  readonly serverName?: string;
  readonly minVersion?: 'TLSv1' | 'TLSv1.1' | 'TLSv1.2' | 'TLSv1.3';
}

export type IpProtocol = 'auto' | 'ip4' | 'ip6';

/** Mutable record of one exchange: which phase it is in and how long each took. */
export interface ExchangeTrace {
  phase: Phase;
  readonly phases: Record<Phase, number>;
  /** Epoch ms when the connection became usable. */
  readyAt?: number;
  tls?: TlsFacts;
  /** A failure the connector decided on (a rejected certificate); wins over the library's error. */
  failure?: Failure;
  /** The address actually connected to, for messages. */
  remoteAddress?: string;
}

export function createTrace(): ExchangeTrace {
  return { phase: 'resolve', phases: { resolve: 0, connect: 0, tls: 0, processing: 0, transfer: 0 } };
}

interface ConnectOptions {
  readonly hostname: string;
  readonly port: number;
  readonly signal: AbortSignal;
  readonly now: () => number;
  /** TLS settings, or undefined for plain TCP. */
  readonly tls?: TlsOptions;
  /** ALPN protocols to offer (HTTP asks for http/1.1). */
  readonly alpn?: string[];
  readonly ipProtocol: IpProtocol;
  readonly ipFallback: boolean;
}

/** The address to reach `hostname` at, by `ip_protocol` and `ip_fallback` (the icmp kind uses it too). */
export async function resolveAddress(
  hostname: string,
  options: { readonly ipProtocol: IpProtocol; readonly ipFallback: boolean },
): Promise<string> {
  if (isIP(hostname)) return hostname;
  if (options.ipProtocol === 'auto') return (await lookup(hostname)).address;
  const wanted = options.ipProtocol === 'ip4' ? 4 : 6;
  try {
    return (await lookup(hostname, { family: wanted })).address;
  } catch (error) {
    if (!options.ipFallback) throw error;
    return (await lookup(hostname, { family: wanted === 4 ? 6 : 4 })).address;
  }
}

/**
 * The run's deadline (or shutdown) ended a connection or an exchange. Its message is for logs:
 * the failure a user sees is read off the aborted signal (failure.ts).
 */
export class RunAbortedError extends Error {
  readonly code = 'PRISMWATCH_ABORTED';
  constructor(cause?: unknown) {
    super('probe deadline reached', { cause });
  }
}

class TlsRejectedError extends Error {
  readonly code = 'PRISMWATCH_TLS_UNAUTHORIZED';
}

/** Resolves to a connected (and, with `tls`, verified) socket, or rejects with the cause. */
export function openConnection(options: ConnectOptions, trace: ExchangeTrace): Promise<Socket | TLSSocket> {
  return new Promise((resolve, reject) => {
    const { signal, now } = options;
    let socket: Socket | undefined;
    let settled = false;
    const settle = (error: Error | null, ready?: Socket) => {
      if (settled) return;
      settled = true;
      signal.removeEventListener('abort', onAbort);
      if (error) {
        socket?.destroy();
        reject(error);
      } else {
        resolve(ready!);
      }
    };
    const onAbort = () => settle(new RunAbortedError(signal.reason));
    if (signal.aborted) return onAbort();
    signal.addEventListener('abort', onAbort, { once: true });

    const hostname = options.hostname.replace(/^\[|\]$/g, '');
    let mark = now();
    trace.phase = 'resolve';
    // Everything after the lookup runs in a callback: a synchronous throw there (node:tls refusing
    // a malformed key, node:net a bad port) would become an unhandled rejection and end the
    // process, so it is caught and settles this connection like any other error.
    const guarded = (step: () => void) => {
      try {
        step();
      } catch (error) {
        settle(error instanceof Error ? error : new Error(String(error)));
      }
    };
    const connectTo = (address: string) => {
      if (settled) return;
      trace.phases.resolve += now() - mark;
      mark = now();
      trace.phase = 'connect';
      trace.remoteAddress = `${address.includes(':') ? `[${address}]` : address}:${options.port}`;
      socket = tcpConnect({ host: address, port: options.port, noDelay: true });
      socket.once('error', (error) => settle(error));
      // An event callback: a throw here (node:tls refusing a malformed key) would be uncaught.
      socket.once('connect', () =>
        guarded(() => {
          trace.phases.connect += now() - mark;
          mark = now();
          if (!options.tls) {
            trace.readyAt = now();
            trace.phase = 'processing';
            settle(null, socket);
            return;
          }
          trace.phase = 'tls';
          const tls = options.tls;
          const secure: TLSSocket = tlsConnect({
            socket,
            host: hostname,
            servername: tls.serverName ?? (isIP(hostname) ? undefined : hostname),
            ca: tls.ca,
            cert: tls.cert,
            key: tls.key,
            minVersion: tls.minVersion,
            ALPNProtocols: options.alpn,
            // Verified below, after reading the certificate, so failures still report expiry.
            rejectUnauthorized: false,
          });
          socket = secure;
          secure.once('error', (error) => settle(error));
          secure.once('secureConnect', () => {
            trace.phases.tls += now() - mark;
            trace.tls = readTlsFacts(secure);
            if (!secure.authorized && !tls.insecureSkipVerify) {
              const message = describeAuthorizationError(secure.authorizationError);
              trace.failure = { code: 'tls_error', phase: 'tls', message };
              settle(new TlsRejectedError(message));
              return;
            }
            trace.readyAt = now();
            trace.phase = 'processing';
            // TLS 1.3 servers reject a missing or bad client certificate after the handshake, with
            // an alert; record it so the failure says so instead of "connection closed".
            secure.on('error', (error: NodeJS.ErrnoException) => {
              if (error.code?.startsWith('ERR_SSL_')) {
                trace.failure ??= {
                  code: 'tls_error',
                  phase: 'tls',
                  message: `TLS alert from ${trace.remoteAddress}: ${error.message} (${error.code})`,
                };
              }
            });
            settle(null, secure);
          });
        }),
      );
    };
    resolveAddress(hostname, options).then(
      (address) => guarded(() => connectTo(address)),
      (error: Error) => settle(error),
    );
  });
}
