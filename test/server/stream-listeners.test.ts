/**
 * A /metrics answer streamed to a client that reads slowly waits for 'drain' between chunks; the
 * waiter that loses each race is removed, so a long scrape does not gather listeners on the
 * response (it once warned "11 close listeners added to [ServerResponse]").
 */
import { once } from 'node:events';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { connect } from 'node:net';
import { describe, expect, it } from 'vitest';
import { writeAnswer } from '../../src/server/answer.js';

describe('streamed answers', () => {
  it('leave no listeners behind while a slow reader drains them', async () => {
    const chunk = Buffer.alloc(256 * 1024, 'x');
    const chunks = Array.from({ length: 40 }, () => chunk);
    const counts: number[] = [];
    const server = createServer((_req, res) => {
      const poll = setInterval(() => counts.push(res.listenerCount('close') + res.listenerCount('error')), 5);
      void writeAnswer(
        res,
        { status: 200, stream: { length: chunk.length * chunks.length, chunks } },
        { tls: false, head: false },
      ).finally(() => clearInterval(poll));
    });
    server.listen(0, '127.0.0.1');
    await once(server, 'listening');
    const { port } = server.address() as AddressInfo;
    const socket = connect(port, '127.0.0.1');
    socket.write('GET / HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n');
    // Read slowly: pause, then take a little at a time, so the server meets backpressure often.
    let received = 0;
    socket.pause();
    const reading = setInterval(() => {
      let data: Buffer | null;
      // biome-ignore lint/suspicious/noAssignInExpressions: reading until the buffer is empty
      while ((data = socket.read()) !== null) received += data.length;
    }, 10);
    await once(socket, 'end').catch(() => {});
    await new Promise<void>((resolve) => {
      const check = setInterval(() => {
        if (socket.readableEnded || socket.destroyed) {
          clearInterval(check);
          resolve();
        }
      }, 10);
    });
    clearInterval(reading);
    server.close();
    expect(received).toBeGreaterThan(chunk.length * chunks.length);
    expect(Math.max(...counts)).toBeLessThan(8);
  });
});
