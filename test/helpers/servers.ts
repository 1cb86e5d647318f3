/** Real servers on 127.0.0.1, port 0, closed when the test finishes (got's with-server, fastify t.after). */
import {
  createServer as createHttp,
  type IncomingMessage,
  type Server,
  type ServerResponse,
} from 'node:http';
import { createServer as createHttps } from 'node:https';
import type { AddressInfo } from 'node:net';
import { createServer as createNet, type Socket } from 'node:net';
import { onTestFinished } from 'vitest';
import { quietPort } from './quiet-port.js';

export type Handler = (req: IncomingMessage, res: ServerResponse) => void;

export interface Running {
  readonly url: string;
  readonly port: number;
  readonly requests: IncomingMessage[];
  readonly server: Server | ReturnType<typeof createNet>;
}

async function start(
  server: Server | ReturnType<typeof createNet>,
  scheme: string,
  requests: IncomingMessage[],
): Promise<Running> {
  const sockets = new Set<Socket>();
  server.on('connection', (socket: Socket) => {
    // A probe that gives up resets its connection: that is no error of the test's.
    socket.on('error', () => {});
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  onTestFinished(async () => {
    for (const socket of sockets) socket.destroy();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  });
  return { url: `${scheme}://127.0.0.1:${port}`, port, requests, server };
}

export async function withHttpServer(handler: Handler): Promise<Running> {
  const requests: IncomingMessage[] = [];
  const server = createHttp((req, res) => {
    requests.push(req);
    handler(req, res);
  });
  return start(server, 'http', requests);
}

export async function withHttpsServer(
  tls: { cert: string; key: string },
  handler: Handler,
): Promise<Running> {
  const requests: IncomingMessage[] = [];
  const server = createHttps({ cert: tls.cert, key: tls.key }, (req, res) => {
    requests.push(req);
    handler(req, res);
  });
  return start(server, 'https', requests);
}

/** A raw TCP server for what HTTP servers will not do: garbage, resets, silence. */
export async function withTcpServer(onSocket: (socket: Socket) => void): Promise<Running> {
  const server = createNet(onSocket);
  return start(server, 'http', []);
}

/** A port that refuses connections, and keeps refusing: below the ephemeral range (quiet-port.ts). */
export async function refusedPort(): Promise<number> {
  return quietPort();
}
