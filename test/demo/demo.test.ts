/**
 * The demo walkthrough (docs/operating.md), run: `npm run demo`'s program on free ports, driven through its
 * stdin like a person would. The stand-in goes down, the page arrives by webhook and email,
 * the stand-in comes back, and the resolution arrives; then the undici replay of the k6 smoke
 * profile runs against the same stand-in and daemon (shortened), and its thresholds pass.
 */
import { spawn } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it, onTestFinished } from 'vitest';
import { replaySmoke } from '../../bench/k6-replay.js';
import { Daemon } from '../../src/daemon.js';
import { startStandIn } from '../../src/demo/standin.js';
import { createLogger } from '../../src/log.js';
import { eventually } from '../helpers/metrics.js';

describe('npm run demo', () => {
  it('shows an outage fire and resolve, by webhook and email, driven from stdin', async () => {
    const child = spawn(process.execPath, ['dist/demo/main.js'], {
      env: {
        ...process.env,
        DEMO_STANDIN_PORT: '0',
        DEMO_SMTP_PORT: '0',
        DEMO_WEBHOOK_PORT: '0',
        DEMO_PRISMWATCH_PORT: '0',
      },
    });
    const exited = new Promise<number | null>((resolve) => child.once('exit', resolve));
    onTestFinished(async () => {
      if (child.exitCode === null) child.kill('SIGKILL');
      await exited;
    });
    let output = '';
    child.stdout.on('data', (chunk) => {
      output += chunk;
    });
    await eventually(() => output.includes('commands:'), 10_000);
    child.stdin.write('down\n');
    await eventually(
      () =>
        output.includes('pager: [FIRING] ProbeDown standin-health is down') &&
        /email {3}to oncall@demo\.test: \[FIRING:1\] ProbeDown standin-health/.test(output),
      30_000,
    );
    child.stdin.write('up\n');
    await eventually(
      () =>
        output.includes('pager: [RESOLVED] ProbeDown standin-health is down') &&
        /email {3}to oncall@demo\.test: \[RESOLVED\] ProbeDown standin-health/.test(output),
      40_000,
    );
    child.stdin.write('quit\n');
    expect(await exited).toBe(0);
  }, 240_000);

  it('replays the k6 smoke profile against the stand-in and a daemon, thresholds passing', async () => {
    const standin = await startStandIn();
    onTestFinished(() => standin.close());
    const daemon = new Daemon({
      // A capacity test from one address: the public budget (429 past 20 requests a second per
      // source) would be what it measures; production keeps the default.
      publicBudget: { ratePerSecond: 1_000_000, burst: 1_000_000, maxInFlight: 10_000 },
      configPaths: ['demo/config'],
      host: '127.0.0.1',
      port: 0,
      log: createLogger({ level: 'silent' }),
      dataDir: mkdtempSync(join(tmpdir(), 'prismwatch-replay-')),
      env: { PRISM_BASE_URL: standin.url, DEMO_SMTP: '127.0.0.1:1', DEMO_WEBHOOK: 'http://127.0.0.1:1' },
    });
    await daemon.start();
    onTestFinished(() => daemon.stop());
    const lines: string[] = [];
    const ok = await replaySmoke({
      standinUrl: standin.url,
      prismwatchUrl: daemon.baseUrl,
      scale: 0.05,
      out: (line) => lines.push(line),
    });
    expect(ok, lines.join('\n')).toBe(true);
    expect(lines.join('\n')).toMatch(/health +\d+/);
    expect(lines.join('\n')).toMatch(/metrics +\d+/);
  }, 240_000);
});
