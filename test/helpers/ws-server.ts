/** A `ws` WebSocket server on 127.0.0.1 (plain or TLS), closed when the test finishes. */
import { createServer as createHttp } from 'node:http';
import { createServer as createHttps } from 'node:https';
import type { AddressInfo } from 'node:net';
import { onTestFinished } from 'vitest';
import { type WebSocket, WebSocketServer } from 'ws';

export async function withWsServer(
  onConnection: (socket: WebSocket, path: string) => void,
  tls?: { cert: string; key: string },
): Promise<{ url: string; port: number; connections: () => number }> {
  const server = tls ? createHttps({ cert: tls.cert, key: tls.key }) : createHttp();
  server.on('request', (req, res) => {
    if (req.url === '/forbidden') res.writeHead(403).end('no');
  });
  const wss = new WebSocketServer({
    noServer: true,
    handleProtocols: (protocols) => (protocols.has('prism.v1') ? 'prism.v1' : false),
  });
  let count = 0;
  server.on('upgrade', (req, socket, head) => {
    if (req.url === '/forbidden') {
      socket.end('HTTP/1.1 403 Forbidden\r\ncontent-length: 0\r\n\r\n');
      return;
    }
    wss.handleUpgrade(req, socket, head, (client) => {
      count += 1;
      client.on('error', () => {});
      onConnection(client, req.url ?? '/');
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  onTestFinished(async () => {
    for (const client of wss.clients) client.terminate();
    wss.close();
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  });
  return { url: `${tls ? 'wss' : 'ws'}://127.0.0.1:${port}`, port, connections: () => count };
}
