/**
 * `prismwatch deploy start` / `finish` as CI runs them, against a stand-in whose next version is
 * slower (finish exits 1 and the markdown names p95) or as good (exit 0, JUnit for the CI report).
 * Between the two commands the daemon has a maintenance window muting only ProbeDown of the
 * deployed service; finish ends it.
 */
import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runCli } from '../helpers/cli.js';
import { configDir } from '../helpers/config-dir.js';
import { startDaemon } from '../helpers/daemon.js';
import { withHttpServer } from '../helpers/servers.js';

const TOKEN = 'deploy-t0ken';
/** The slow version adds this; the comparison ignores rises under NOISE so a busy runner cannot fail the good one. */
const SLOW_MS = 800;
const NOISE = '400ms';

async function rollout(next: 'slower' | 'fine') {
  const version = { slow: false };
  const target = await withHttpServer((_req, res) => {
    const answer = () => res.writeHead(200, { 'content-type': 'application/json' }).end('{"ok":true}');
    if (version.slow) setTimeout(answer, SLOW_MS);
    else answer();
  });
  const dir = configDir();
  dir.write(
    'p.yaml',
    `probes:
  - { name: api, kind: http, url: "${target.url}/api", interval: 1h, timeout: 5s, labels: { service: api }, checklist: [API endpoints responding correctly] }
  - { name: shop, kind: http, url: "${target.url}/", interval: 1h, timeout: 5s, labels: { service: shop } }
rules:
  - { alert: ProbeDown, severity: critical, signal: up, op: '==', threshold: 0 }
`,
  );
  const { daemon } = await startDaemon(dir.path, { apiToken: TOKEN });
  const work = mkdtempSync(join(tmpdir(), 'prismwatch-deploy-'));
  const state = join(work, 'deploy.json');
  const cli = (args: string[]) =>
    runCli([...args, '-c', dir.path, '--url', daemon.baseUrl, '--state', state, '--samples', '8'], {
      PRISMWATCH_API_TOKEN: TOKEN,
    });

  const started = await cli(['deploy', 'start', '--service', 'api', '--author', 'ci']);
  expect(started.stderr).toBe('');
  expect(started.code).toBe(0);
  expect(started.stdout).toMatch(/^Baseline: \d+ gates passed, 0 failed over 1 probe\(s\): api$/m);
  expect(started.stdout).toContain('for service=~"api": muting ProbeDown; runs left out of uptime');
  expect(started.stdout).toContain('Still paging');
  expect(existsSync(state)).toBe(true);
  const windows = (await (await fetch(`${daemon.baseUrl}/api/v1/maintenance`)).json()) as {
    maintenance: Array<{ id: string; mute: string[]; matchers: string[]; status: { state: string } }>;
  };
  expect(windows.maintenance).toMatchObject([
    { mute: ['ProbeDown'], matchers: ['service=~"api"'], status: { state: 'active' } },
  ]);

  version.slow = next === 'slower';
  const format = next === 'slower' ? 'markdown' : 'junit';
  const report = join(work, `report.${format}`);
  const finished = await cli([
    'deploy',
    'finish',
    '--watch',
    '1s',
    '--format',
    format,
    '-o',
    report,
    '--min-latency-increase',
    NOISE,
  ]);
  const after = (await (await fetch(`${daemon.baseUrl}/api/v1/maintenance`)).json()) as typeof windows;
  expect(after.maintenance[0]!.status.state).toBe('ended');
  expect(existsSync(state)).toBe(false);
  return { finished, text: readFileSync(report, 'utf8') };
}

describe('prismwatch deploy', () => {
  it('fails a new version that is slower, naming p95 in the ticked checklist', async () => {
    const { finished, text } = await rollout('slower');
    expect(finished.code).toBe(1);
    expect(text).toMatch(
      /- \[ \] API endpoints responding correctly — \*\*FAILED\*\* \(prismwatch\): api: p95 rose from \d+ ms to \d+ ms/,
    );
    expect(text).toContain('## Compared with the baseline');
    expect(text).toMatch(/- \[ \] api: p95 latency within 20 % of the baseline — \*\*FAILED\*\*: p95 rose/);
    expect(text).toMatch(
      /- \[x\] api: error ratio not above the baseline — error ratio 0 % \(baseline 0 %\)/,
    );
  }, 240_000);

  it('passes a new version that is as good, with a JUnit report for CI', async () => {
    const { finished, text } = await rollout('fine');
    expect(finished.stderr).toContain('Maintenance window');
    expect(finished.code).toBe(0);
    expect(text).toContain('<testsuite');
    expect(text).toContain('api: p95 latency within 20 % of the baseline');
    expect(text).not.toContain('<failure');
  }, 240_000);
});
