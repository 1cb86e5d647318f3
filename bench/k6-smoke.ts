/**
 * `npm run bench:k6-smoke`: the k6 smoke profile where k6 is installed, and its undici replay
 * (bench/k6-replay.ts) where it is not, so the numbers exist either way. Starts the PrismAI
 * stand-in and a prismwatch daemon watching it (demo config) on loopback. `SCALE=0.25` shortens
 * the stages.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Daemon } from '../src/daemon.js';
import { startStandIn } from '../src/demo/standin.js';
import { createLogger } from '../src/log.js';
import { replaySmoke } from './k6-replay.js';

async function main(): Promise<void> {
  const k6 = spawnSync('k6', ['version'], { encoding: 'utf8' });
  const standin = await startStandIn();
  const daemon = new Daemon({
    // A capacity test from one address: the public budget (429 past 20 requests a second per
    // source) would be what it measures; production keeps the default.
    publicBudget: { ratePerSecond: 1_000_000, burst: 1_000_000, maxInFlight: 10_000 },
    configPaths: ['demo/config'],
    host: '127.0.0.1',
    port: 0,
    log: createLogger({ level: 'error' }),
    dataDir: mkdtempSync(join(tmpdir(), 'prismwatch-k6-')),
    env: {
      ...process.env,
      PRISM_BASE_URL: standin.url,
      DEMO_SMTP: '127.0.0.1:1',
      DEMO_WEBHOOK: 'http://127.0.0.1:1',
    },
  });
  await daemon.start();
  let ok = true;
  try {
    if (k6.status === 0) {
      console.log(`k6 found (${k6.stdout.trim()}): running the scripts themselves`);
      for (const [script, env] of [
        ['k6/prismai.ts', `PRISM_BASE_URL=${standin.url}`],
        ['k6/prismwatch.ts', `PRISMWATCH_URL=${daemon.baseUrl}`],
      ] as const) {
        const run = spawnSync('k6', ['run', '-e', env, '-e', 'PROFILE=smoke', script], { stdio: 'inherit' });
        ok &&= run.status === 0;
      }
    } else {
      console.log('k6 not installed: replaying the smoke profile with undici (bench/k6-replay.ts)');
      ok = await replaySmoke({
        standinUrl: standin.url,
        prismwatchUrl: daemon.baseUrl,
        scale: Number(process.env.SCALE ?? 1),
      });
    }
  } finally {
    await daemon.stop();
    await standin.close();
  }
  console.log(ok ? '\nall thresholds pass' : '\nsome thresholds FAIL');
  process.exitCode = ok ? 0 : 1;
}

void main();
