/**
 * The only way out of a Playwright run: an HTTP proxy on a Unix socket (the sandbox's entry pipes
 * its loopback port to it) that lets through requests and CONNECT tunnels to the allowed hosts and
 * answers 403 to anything else, naming what it refused. Chromium and Playwright's `request`
 * fixture both go through it (the run's config sets `use.proxy`).
 *
 * node:http parses what arrives (a test's own code can send anything here); a malformed request
 * gets node's 400 and the connection closes, and nothing here throws into the daemon.
 */
import { createServer, request as httpRequest, type IncomingMessage, type Server } from 'node:http';
import { connect, type Socket } from 'node:net';
import type { Duplex } from 'node:stream';
import { matchesWildcard } from '../../util/wildcard.js';

const MAX_REFUSED = 20;
/** Hop-by-hop and proxy headers, not forwarded (RFC 9110 §7.6.1). */
const HOP_HEADERS = new Set([
  'connection',
  'keep-alive',
  'proxy-connection',
  'proxy-authorization',
  'proxy-authenticate',
  'te',
  'trailer',
  'transfer-encoding',
  'upgrade',
]);

export interface AllowlistProxy {
  /** Hosts it refused, each once, at most 20. */
  readonly refused: readonly string[];
  close(): Promise<void>;
}

/** Whether `host` is one of `allowed` (exact, or under a `*.example.com` pattern), case-insensitively. */
export function hostAllowed(allowed: readonly string[], host: string): boolean {
  const name = host.toLowerCase().replace(/^\[|\]$/g, '');
  return allowed.some((pattern) => {
    const wanted = pattern.toLowerCase().replace(/^\[|\]$/g, '');
    return wanted === name || (wanted.startsWith('*.') && matchesWildcard(wanted, name));
  });
}

/** host and port of a CONNECT target ("shop.example.com:443", "[::1]:8443"), or undefined. */
export function parseAuthority(authority: string): { host: string; port: number } | undefined {
  const match = /^(\[[0-9A-Fa-f:.]+\]|[A-Za-z0-9.-]+):(\d{1,5})$/.exec(authority);
  if (!match) return undefined;
  const port = Number(match[2]);
  if (port < 1 || port > 65_535) return undefined;
  return { host: match[1]!.replace(/^\[|\]$/g, ''), port };
}

export async function startAllowlistProxy(
  socketPath: string,
  allowed: readonly string[],
): Promise<AllowlistProxy> {
  const refused: string[] = [];
  const open = new Set<Duplex>();
  const track = (socket: Duplex) => {
    open.add(socket);
    socket.once('close', () => open.delete(socket));
  };
  const refuse = (host: string) => {
    if (!refused.includes(host) && refused.length < MAX_REFUSED) refused.push(host);
  };
  const server: Server = createServer((req, res) => {
    let target: URL;
    try {
      target = new URL(req.url ?? '');
      if (target.protocol !== 'http:') throw new Error('not http');
    } catch {
      res
        .writeHead(400, { 'content-type': 'text/plain' })
        .end('prismwatch proxy: expected an absolute http:// URL\n');
      return;
    }
    if (!hostAllowed(allowed, target.hostname)) {
      refuse(target.hostname);
      res
        .writeHead(403, { 'content-type': 'text/plain' })
        .end(`prismwatch: ${target.hostname} is not in this probe's allowed_hosts\n`);
      return;
    }
    const headers: Record<string, string | string[]> = {};
    for (const [name, value] of Object.entries(req.headers))
      if (value !== undefined && !HOP_HEADERS.has(name)) headers[name] = value;
    const upstream = httpRequest(
      {
        hostname: target.hostname.replace(/^\[|\]$/g, ''),
        port: target.port || 80,
        path: `${target.pathname}${target.search}`,
        method: req.method,
        headers,
        agent: false,
      },
      (answer) => {
        const forwarded: Record<string, string | string[]> = {};
        for (const [name, value] of Object.entries(answer.headers))
          if (value !== undefined && !HOP_HEADERS.has(name)) forwarded[name] = value;
        res.writeHead(answer.statusCode ?? 502, forwarded);
        answer.pipe(res);
        answer.on('error', () => res.destroy());
      },
    );
    upstream.on('error', (error) => {
      if (res.headersSent) res.destroy();
      else res.writeHead(502, { 'content-type': 'text/plain' }).end(`prismwatch proxy: ${error.message}\n`);
    });
    req.on('error', () => upstream.destroy());
    res.on('close', () => upstream.destroy());
    req.pipe(upstream);
  });
  server.on('connection', track);
  server.on('clientError', (_error, socket) => socket.destroy());
  server.on('connect', (req: IncomingMessage, client: Duplex, head: Buffer) => {
    // node hands the socket over without its error listener: a client gone before its answer is
    // written (EPIPE, ECONNRESET) would otherwise be an uncaught error that ends the daemon.
    client.on('error', () => client.destroy());
    const target = parseAuthority(req.url ?? '');
    if (!target) {
      client.end('HTTP/1.1 400 Bad Request\r\nconnection: close\r\n\r\n');
      return;
    }
    if (!hostAllowed(allowed, target.host)) {
      refuse(target.host);
      client.end('HTTP/1.1 403 Forbidden\r\nconnection: close\r\n\r\n');
      return;
    }
    const upstream: Socket = connect(target.port, target.host);
    track(upstream);
    const end = () => {
      client.destroy();
      upstream.destroy();
    };
    upstream.on('error', () => {
      if (client.writable) client.end('HTTP/1.1 502 Bad Gateway\r\nconnection: close\r\n\r\n');
      end();
    });
    client.on('error', end);
    upstream.once('connect', () => {
      client.write('HTTP/1.1 200 Connection Established\r\n\r\n');
      if (head.length > 0) upstream.write(head);
      upstream.pipe(client);
      client.pipe(upstream);
      upstream.on('close', end);
      client.on('close', end);
    });
  });
  // A WebSocket upgrade sent to the proxy as plain HTTP: browsers tunnel these with CONNECT.
  server.on('upgrade', (_req, socket: Duplex) => {
    socket.on('error', () => socket.destroy());
    socket.end('HTTP/1.1 501 Not Implemented\r\nconnection: close\r\n\r\n');
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(socketPath, () => {
      server.off('error', reject);
      resolve();
    });
  });
  server.on('error', () => {});
  return {
    refused,
    close: () =>
      new Promise<void>((resolve) => {
        for (const socket of open) socket.destroy();
        server.close(() => resolve());
      }),
  };
}
