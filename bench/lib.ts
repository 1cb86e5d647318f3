/** What the benchmarks share: a free loopback port, and the built prismwatch CLI as a child process. */
import { type ChildProcess, spawn } from 'node:child_process';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { type Alert, fingerprintOf } from '../src/model/alert.js';

export async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

/** Resolves once `url` answers below 500 (the daemon is up), polling for up to 60 s. */
export async function waitHttp(url: string): Promise<void> {
  for (let i = 0; i < 600; i++) {
    try {
      const response = await fetch(url);
      await response.arrayBuffer();
      if (response.status < 500) return;
    } catch {
      // not up yet
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new Error(`${url} did not come up`);
}

/** `prismwatch run` on `port` with config from `dir` and its data in `dir/data`; errors only in the log. */
export function spawnPrismwatch(
  dir: string,
  port: number,
  extra: { args?: string[]; env?: Record<string, string> } = {},
): ChildProcess {
  return spawn(
    process.execPath,
    [
      // PRISMWATCH_BENCH_NODE_ARGS="--cpu-prof --cpu-prof-dir=/tmp/prof" profiles the daemon.
      ...(process.env.PRISMWATCH_BENCH_NODE_ARGS?.split(' ').filter(Boolean) ?? []),
      'dist/cli/main.js',
      'run',
      '--config',
      dir,
      '--web.listen-address',
      `127.0.0.1:${port}`,
      '--data-dir',
      join(dir, 'data'),
      '--log.level',
      'error',
      ...(extra.args ?? []),
    ],
    { stdio: 'ignore', env: { ...process.env, ...extra.env } },
  );
}

/** `count` firing ProbeDown alerts, one per probe p0…, fired at `firedAt`; `extra` adds fields. */
export function firingAlerts(count: number, firedAt: number, extra: Partial<Alert> = {}): Alert[] {
  return Array.from({ length: count }, (_, i) => {
    const labels = { alertname: 'ProbeDown', severity: 'critical', probe: `p${i}` };
    return {
      fingerprint: fingerprintOf(labels),
      rule: 'ProbeDown',
      probe: `p${i}`,
      labels,
      annotations: { summary: `p${i} is down` },
      state: 'firing',
      value: 0,
      activeAt: firedAt - 30_000,
      firedAt,
      ...extra,
    } satisfies Alert;
  });
}
