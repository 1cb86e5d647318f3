/**
 * Every receiver's socket closes on every path. An SMTP server that answers EHLO one line every
 * 100 ms and a webhook that never answers: attempts time out and are retried for a while, and the
 * sockets held open never outnumber the attempts in flight; after stop, none is left, on either
 * side (the servers count their connections; the process counts its descriptors). Before, each
 * timed-out SMTP attempt left its socket open: 24 → 43 in 30 s.
 */
import { readdirSync, readlinkSync } from 'node:fs';
import { createServer, type Server, type Socket } from 'node:net';
import { describe, expect, it, onTestFinished } from 'vitest';
import { eventually } from '../helpers/metrics.js';
import { alertFor, startNotifier } from '../helpers/notifier.js';

/** A TCP server whose connections are counted; `onConnection` decides what it does with them. */
async function countingServer(onConnection: (socket: Socket) => void) {
  const open = new Set<Socket>();
  let accepted = 0;
  const server: Server = createServer((socket) => {
    accepted++;
    open.add(socket);
    socket.on('error', () => {});
    socket.on('close', () => open.delete(socket));
    onConnection(socket);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  onTestFinished(
    () =>
      new Promise<void>((resolve) => {
        for (const socket of open) socket.destroy();
        server.close(() => resolve());
      }),
  );
  const port = (server.address() as { port: number }).port;
  return { port, open: () => open.size, accepted: () => accepted };
}

/** Greets, then answers EHLO one line of its capability list every 100 ms, forever. */
function tricklingSmtp(socket: Socket) {
  socket.write('220 slow.test ESMTP\r\n');
  let timer: NodeJS.Timeout | undefined;
  socket.on('data', () => {
    clearInterval(timer);
    timer = setInterval(() => socket.write('250-STILL-THINKING\r\n'), 100);
  });
  socket.on('close', () => clearInterval(timer));
}

/** Reads the request and never answers. */
function hangingHttp(socket: Socket) {
  socket.resume();
}

function openSockets(): number {
  return readdirSync('/proc/self/fd').filter((fd) => {
    try {
      return readlinkSync(`/proc/self/fd/${fd}`).startsWith('socket:');
    } catch {
      return false;
    }
  }).length;
}

describe('receiver sockets', () => {
  it('never outnumber the attempts in flight, and are all closed after stop', async () => {
    const smtp = await countingServer(tricklingSmtp);
    const hook = await countingServer(hangingHttp);
    const baseline = openSockets();
    const harness = startNotifier(`
route: { receiver: both, group_by: [alertname, probe], group_wait: 0s, group_interval: 100ms }
receivers:
  - name: both
    email_configs:
      - { to: ops@example.test, from: pw@example.test, smarthost: "127.0.0.1:${smtp.port}", require_tls: false, timeout: 300ms }
    webhook_configs:
      - { url: "http://127.0.0.1:${hook.port}/", timeout: 300ms }
`);
    harness.evaluate(['a', 'b', 'c'].map((probe) => alertFor({ probe })));
    let mostSmtp = 0;
    let mostHook = 0;
    // Retries with backoff: wait for a good number of timed-out attempts on each, watching the
    // connections held open all the while.
    await eventually(
      () => {
        mostSmtp = Math.max(mostSmtp, smtp.open());
        mostHook = Math.max(mostHook, hook.open());
        return smtp.accepted() >= 12 && hook.accepted() >= 12 ? true : undefined;
      },
      120_000,
      20,
    );
    // Three groups: at most three attempts in flight per integration, each with its own socket
    // (undici may keep one more idle for reuse).
    expect(mostSmtp, `SMTP connections open at once (of ${smtp.accepted()} made)`).toBeLessThanOrEqual(4);
    expect(mostHook, `webhook connections open at once (of ${hook.accepted()} made)`).toBeLessThanOrEqual(4);
    await harness.stop();
    await eventually(() => (smtp.open() === 0 && hook.open() === 0 ? true : undefined), 30_000, 50);
    await eventually(() => (openSockets() <= baseline ? true : undefined), 30_000, 50);
  }, 240_000);
});
