import { describe, expect, it } from 'vitest';
import { Daemon } from '../src/daemon.js';
import { runProbe } from '../src/probers/run-probe.js';
import { configDir, httpProbeYaml } from './helpers/config-dir.js';
import { startDaemon } from './helpers/daemon.js';
import { captureLog } from './helpers/log.js';
import { eventually, sample } from './helpers/metrics.js';
import { withHttpServer } from './helpers/servers.js';

describe('Daemon', () => {
  it('probes, exports blackbox-compatible series, and reports ready', async () => {
    const target = await withHttpServer((_req, res) => res.end('ok'));
    const dir = configDir();
    dir.write(
      'p.yaml',
      httpProbeYaml([{ name: 'web', url: `${target.url}/health`, labels: { team: 'core' } }]),
    );
    const { daemon, scrape } = await startDaemon(dir.path);
    const text = await eventually(async () => {
      const body = await scrape();
      return sample(body, 'probe_success', { probe: 'web' }) === 1 ? body : undefined;
    });
    expect(sample(text, 'probe_http_status_code', { probe: 'web', team: 'core' })).toBe(200);
    expect(sample(text, 'probe_http_duration_seconds', { probe: 'web', phase: 'connect' })).toBeGreaterThan(
      0,
    );
    expect(
      sample(text, 'prismwatch_probe_runs_total', { probe: 'web', result: 'success' }),
    ).toBeGreaterThanOrEqual(1);
    expect(sample(text, 'prismwatch_probe_duration_seconds_count', { probe: 'web' })).toBeGreaterThanOrEqual(
      1,
    );
    expect(sample(text, 'prismwatch_config_last_reload_successful')).toBe(1);
    expect(sample(text, 'prismwatch_build_info')).toBe(1);
    expect(sample(text, 'prismwatch_scheduler_lag_seconds_count')).toBeGreaterThanOrEqual(1);
    const ready = await fetch(`${daemon.baseUrl}/-/ready`);
    expect(ready.status).toBe(200);
    expect(ready.headers.get('x-content-type-options')).toBe('nosniff');
    expect((await fetch(`${daemon.baseUrl}/-/healthy`)).status).toBe(200);
    expect((await fetch(`${daemon.baseUrl}/nope`)).status).toBe(404);
  });

  it('keeps the running config when a reload is invalid, and says why', async () => {
    const target = await withHttpServer((_req, res) => res.end('ok'));
    const dir = configDir();
    dir.write('p.yaml', httpProbeYaml([{ name: 'web', url: target.url }]));
    const { daemon, scrape } = await startDaemon(dir.path, { apiToken: 't0ken' });
    dir.write('p.yaml', 'probes:\n  - name: web\n    kind: http\n    url: ${UNSET_FOR_TEST}\n');
    const response = await fetch(`${daemon.baseUrl}/-/reload`, {
      method: 'POST',
      headers: { authorization: 'Bearer t0ken' },
    });
    expect(response.status).toBe(500);
    expect(await response.text()).toContain(
      'p.yaml:4:10 probes[0].url: environment variable UNSET_FOR_TEST is not set',
    );
    const text = await scrape();
    expect(sample(text, 'prismwatch_config_last_reload_successful')).toBe(0);
    expect(sample(text, 'prismwatch_config_reloads_total', { result: 'failure' })).toBe(1);
    expect(daemon.currentConfig?.probes.map((probe) => probe.name)).toEqual(['web']);
    await eventually(async () => sample(await scrape(), 'probe_success', { probe: 'web' }) === 1);
  });

  it('removes the series of a probe a reload removes, and keeps unchanged probes untouched', async () => {
    const target = await withHttpServer((_req, res) => res.end('ok'));
    const dir = configDir();
    dir.write(
      'p.yaml',
      httpProbeYaml([
        { name: 'keep', url: target.url },
        { name: 'drop', url: `${target.url}/old` },
      ]),
    );
    const { daemon, scrape } = await startDaemon(dir.path);
    await eventually(async () => sample(await scrape(), 'probe_success', { probe: 'drop' }) === 1);
    const keepSpec = daemon.currentConfig!.probes[0];
    dir.write('p.yaml', httpProbeYaml([{ name: 'keep', url: target.url }]));
    expect(await daemon.reload()).toEqual({
      ok: true,
      message: 'configuration reloaded: 0 added, 0 changed, 1 removed',
    });
    const text = await scrape();
    expect(text).not.toContain('probe="drop"');
    expect(daemon.currentConfig!.probes[0]).toBe(keepSpec);
    expect(daemon.results.get('drop')).toBeUndefined();
    expect(await daemon.reload()).toEqual({ ok: true, message: 'configuration unchanged' });
  });

  it('guards write endpoints: disabled without a token, 401 with a wrong one', async () => {
    const dir = configDir();
    dir.write('p.yaml', 'probes: []\n');
    const open = await startDaemon(dir.path);
    const disabled = await fetch(`${open.daemon.baseUrl}/-/reload`, { method: 'POST' });
    expect(disabled.status).toBe(403);
    const guarded = await startDaemon(dir.path, { apiToken: 'right' });
    const wrong = await fetch(`${guarded.daemon.baseUrl}/-/reload`, {
      method: 'POST',
      headers: { authorization: 'Bearer wrong' },
    });
    expect(wrong.status).toBe(401);
    const right = await fetch(`${guarded.daemon.baseUrl}/-/reload`, {
      method: 'POST',
      headers: { authorization: 'Bearer right' },
    });
    expect(right.status).toBe(200);
  });

  it('logs a failing probe once with its reason, and its recovery', async () => {
    let healthy = false;
    const target = await withHttpServer((_req, res) => res.writeHead(healthy ? 200 : 503).end());
    const dir = configDir();
    dir.write('p.yaml', httpProbeYaml([{ name: 'flappy', url: target.url }]));
    const { logs } = await startDaemon(dir.path);
    await eventually(() => logs.lines.some((line) => line.msg === 'Probe failing'));
    await new Promise((resolve) => setTimeout(resolve, 450));
    healthy = true;
    await eventually(() => logs.lines.some((line) => line.msg === 'Probe recovered'));
    const failing = logs.lines.filter((line) => line.msg === 'Probe failing');
    expect(failing).toHaveLength(1);
    expect(failing[0]).toMatchObject({
      probe: 'flappy',
      failure: 'status_mismatch',
      reason: 'expected status 200-299, got 503',
    });
  });

  it('refuses to start on an invalid config', async () => {
    const dir = configDir();
    dir.write(
      'p.yaml',
      'probes:\n  - name: x\n    kind: http\n    url: http://127.0.0.1:1/\n    timeout: soon\n',
    );
    const daemon = new Daemon({ configPaths: [dir.path], host: '127.0.0.1', port: 0, log: captureLog().log });
    await expect(daemon.start()).rejects.toThrow(
      'p.yaml:5:14 probes[0].timeout: expected a duration like "5s", got "soon"',
    );
  });
});

describe('runProbe', () => {
  it('contains a prober bug as failure "internal" and logs its stack', async () => {
    const captured = captureLog();
    const broken = {
      name: 'broken',
      kind: 'http',
      timeoutMs: 1_000,
      labels: {},
      settings: { url: 'http://127.0.0.1:1/', headers: null },
      source: { file: 't', line: 1 },
    };
    const result = await runProbe(broken, { log: captured.log });
    expect(result.ok).toBe(false);
    expect(result.failure?.code).toBe('internal');
    expect(captured.lines.find((line) => line.level === 50)?.err).toHaveProperty('stack');
  });
});

describe('probe API', () => {
  it('lists probes with state, last run and recent success, and serves their samples', async () => {
    let healthy = true;
    const target = await withHttpServer((_req, res) => res.writeHead(healthy ? 200 : 503).end());
    const dir = configDir();
    dir.write(
      'p.yaml',
      httpProbeYaml([{ name: 'web', url: `${target.url}/health`, labels: { team: 'core' } }]),
    );
    const { daemon } = await startDaemon(dir.path);
    const get = async (path: string) => {
      const response = await fetch(`${daemon.baseUrl}${path}`);
      return { status: response.status, body: (await response.json()) as unknown };
    };
    await eventually(
      async () => ((await get('/api/v1/probes')).body as Array<{ state: string }>)[0]!.state === 'up',
    );
    healthy = false;
    // A run that times out on a loaded machine (200 ms interval) is down too, but for another
    // reason: wait for one the 503 made.
    const [web] = await eventually(async () => {
      const probes = (await get('/api/v1/probes')).body as Array<{
        state: string;
        lastRun?: { failure?: { code: string } };
      }>;
      return probes[0]!.state === 'down' && probes[0]!.lastRun?.failure?.code === 'status_mismatch'
        ? probes
        : undefined;
    });
    expect(web).toMatchObject({
      name: 'web',
      kind: 'http',
      target: `GET ${target.url}/health`,
      labels: { team: 'core' },
      intervalSeconds: 0.2,
      state: 'down',
      lastRun: {
        ok: false,
        failure: { code: 'status_mismatch', message: 'expected status 200-299, got 503' },
      },
      lastFailure: { code: 'status_mismatch' },
    });
    const samples = (await get('/api/v1/probes/web/results')).body as Array<{ ok: boolean; status: number }>;
    expect(samples.some((sample) => sample.ok && sample.status === 200)).toBe(true);
    expect(samples.filter((sample) => sample.status === 503).at(-1)).toMatchObject({
      ok: false,
      failure: 'status_mismatch',
      status: 503,
    });
    const future = (
      await get(`/api/v1/probes/web/results?since=${new Date(Date.now() + 60_000).toISOString()}`)
    ).body;
    expect(future).toEqual([]);
    expect(await get('/api/v1/probes/nope/results')).toEqual({
      status: 404,
      body: { error: 'no probe named "nope"' },
    });
    expect((await get('/api/v1/probes/web/results?since=yesterday')).status).toBe(400);
  });
});
