/**
 * A free port of 127.0.0.1 below the kernel's ephemeral range. Ports handed out for `listen(0)`
 * and for outgoing connections all come from that range, so a port below it stays as the test
 * left it: closed (a "connection refused" target) or free for a server the test stops and starts
 * again (a restarted database). A port from `listen(0)` did not: under load, another test's
 * server took one between its close and its use.
 */
import { readFileSync } from 'node:fs';
import { createServer } from 'node:net';

const FLOOR = 20_000;

function ephemeralLow(): number {
  try {
    const [low] = readFileSync('/proc/sys/net/ipv4/ip_local_port_range', 'utf8').trim().split(/\s+/);
    return Number(low) > FLOOR + 1_000 ? Number(low) : 32_768;
  } catch {
    return 32_768;
  }
}

function tryListen(port: number): Promise<boolean> {
  const server = createServer();
  return new Promise((resolve) => {
    server.once('error', () => resolve(false));
    server.listen({ port, host: '127.0.0.1', exclusive: true }, () => server.close(() => resolve(true)));
  });
}

export async function quietPort(): Promise<number> {
  const low = ephemeralLow();
  for (let attempt = 0; attempt < 100; attempt++) {
    const port = FLOOR + Math.floor(Math.random() * (low - FLOOR));
    if (await tryListen(port)) return port;
  }
  throw new Error(`no free port of 127.0.0.1 between ${FLOOR} and ${low} after 100 tries`);
}
