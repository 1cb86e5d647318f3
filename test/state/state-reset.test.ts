/**
 * State can be lost, monitoring cannot: a corrupt or truncated state database is moved aside and a
 * fresh one started, a data directory that cannot be written leaves the daemon running without
 * persistence; both are logged naming the file, exported and alerted on, and probing never stops.
 */
import { spawnSync } from 'node:child_process';
import {
  existsSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  truncateSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it, onTestFinished } from 'vitest';
import { configDir, httpProbeYaml } from '../helpers/config-dir.js';
import { startDaemon } from '../helpers/daemon.js';
import { eventually, sample } from '../helpers/metrics.js';
import { withHttpServer } from '../helpers/servers.js';

async function probedSite() {
  const target = await withHttpServer((_req, res) => res.end('ok'));
  const dir = configDir();
  dir.write('probes.yaml', httpProbeYaml([{ name: 'web', url: target.url, interval: '500ms' }]));
  return dir.path;
}

function dataDir(): string {
  const dir = mkdtempSync(join(tmpdir(), 'prismwatch-state-'));
  onTestFinished(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

async function probing(scrape: () => Promise<string>): Promise<void> {
  await eventually(
    async () =>
      (sample(await scrape(), 'prismwatch_probe_runs_total', { probe: 'web', result: 'success' }) ?? 0) > 2,
    15_000,
  );
}

async function ownAlert(baseUrl: string, name: string) {
  const alerts = (await (await fetch(`${baseUrl}/api/v1/alerts`)).json()) as Array<{
    labels: Record<string, string>;
    annotations: Record<string, string>;
    status: { state: string };
  }>;
  return alerts.find((alert) => alert.labels.alertname === name);
}

describe('an unreadable state database', () => {
  it.each([
    ['garbage', (file: string) => writeFileSync(file, 'this is not an SQLite database at all'.repeat(200))],
    [
      'a truncated database',
      (file: string) => {
        // A real database from a previous run, cut in the middle of its pages.
        truncateSync(file, Math.floor(readFileSync(file).length / 2) + 17);
      },
    ],
  ])('(%s) is moved aside, a fresh one started, and PrismwatchStateReset fires', async (_name, damage) => {
    const config = await probedSite();
    const data = dataDir();
    const first = await startDaemon(config, { dataDir: data, evaluationIntervalMs: 100 });
    await probing(first.scrape);
    await first.daemon.stop();
    const file = join(data, 'prismwatch.db');
    damage(file);

    const { daemon, logs, scrape } = await startDaemon(config, { dataDir: data, evaluationIntervalMs: 100 });
    await probing(scrape);
    const text = await scrape();
    expect(sample(text, 'prismwatch_state_resets_total')).toBe(1);
    expect(sample(text, 'prismwatch_state_persistent')).toBe(1);
    const moved = readdirSync(data).filter((name) => /^prismwatch\.db\.corrupt-[-\dTZ]+$/.test(name));
    expect(moved).toHaveLength(1);
    const line = logs.lines.find((entry) => entry.moved_to !== undefined);
    expect(line?.file).toBe(file);
    expect(String(line?.msg)).toContain(file);
    const alert = await eventually(() => ownAlert(daemon.baseUrl, 'PrismwatchStateReset'));
    expect(alert.status.state).toBe('firing');
    expect(alert.annotations.description).toContain(moved[0]);
    // The fresh database is in use: it is there, and a restart reads it without another reset.
    await daemon.stop();
    expect(existsSync(file)).toBe(true);
    const again = await startDaemon(config, { dataDir: data });
    expect(sample(await again.scrape(), 'prismwatch_state_resets_total')).toBe(0);
  });
});

function readOnlyMount(): string | undefined {
  const dir = mkdtempSync(join(tmpdir(), 'prismwatch-ro-'));
  if (spawnSync('mount', ['-t', 'tmpfs', '-o', 'size=1m,ro', 'tmpfs', dir]).status !== 0) return undefined;
  onTestFinished(() => {
    spawnSync('umount', ['-l', dir]);
    rmSync(dir, { recursive: true, force: true });
  });
  return dir;
}

describe('a data directory that cannot be written', () => {
  it('is testable in CI (a read-only tmpfs mount as root)', () => {
    if (process.env.CI === 'true') expect(readOnlyMount(), 'CI runs as root and must mount').toBeDefined();
  });

  it('leaves the daemon probing without persistence, said loudly, exported and alerted', async (context) => {
    const data = readOnlyMount();
    if (!data) return context.skip();
    const config = await probedSite();
    const { daemon, logs, scrape } = await startDaemon(config, { dataDir: data, evaluationIntervalMs: 100 });
    await probing(scrape);
    expect(sample(await scrape(), 'prismwatch_state_persistent')).toBe(0);
    const line = logs.lines.find((entry) => String(entry.msg).startsWith('Running WITHOUT persistence'));
    expect(line?.level).toBe(50);
    expect(String(line?.reason)).toContain(data);
    const alert = await eventually(() => ownAlert(daemon.baseUrl, 'PrismwatchStateNotPersisted'));
    expect(alert.status.state).toBe('firing');
  });
});
