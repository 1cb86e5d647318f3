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

/** `prismwatch run` on `port` with config from `dir` and its data in `dir/data`; errors only in the log. */
export function spawnPrismwatch(
  dir: string,
  port: number,
  extra: { args?: string[]; env?: Record<string, string> } = {},
): ChildProcess {
  return spawn(
    process.execPath,
    [
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
