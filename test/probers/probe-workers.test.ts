/**
 * Probing on worker threads (`--probe-workers`, probers/pool): results come back as they would from
 * the main thread, kinds that share something stay on the main thread, a worker that dies fails
 * only its runs in flight (as internal errors, with the reason) and is replaced, and a prober's log
 * line reaches the daemon's own logger. The whole suite also runs with PRISMWATCH_PROBE_WORKERS=2
 * (docs/development.md); this file checks what only workers can get wrong.
 */
import { describe, expect, it, onTestFinished } from 'vitest';
import { loadConfigText } from '../../src/config/load.js';
import type { FromWorker } from '../../src/probers/pool/messages.js';
import { workerLogger } from '../../src/probers/pool/worker-log.js';
import { ProbeWorkerPool, probeWorkerFile, runsOnWorker } from '../../src/probers/pool/worker-pool.js';
import { configDir } from '../helpers/config-dir.js';
import { startDaemon } from '../helpers/daemon.js';
import { captureLog } from '../helpers/log.js';
import { eventually, sample } from '../helpers/metrics.js';
import { refusedPort, withHttpServer } from '../helpers/servers.js';

const file = probeWorkerFile();

describe('probe workers', () => {
  it('is run in CI', () => {
    // The worker is the compiled file beside the build; `npm test` builds first.
    if (process.env.CI === 'true')
      expect(file, 'dist/probers/pool/probe-worker.js is missing: build first').toBeDefined();
  });

  it.runIf(file)(
    'run the daemon’s probes and bring the results back; a heartbeat stays on the main thread',
    async () => {
      const site = await withHttpServer((_req, res) => res.writeHead(200).end('ok'));
      const closed = await refusedPort();
      const dir = configDir();
      dir.write(
        'c.yaml',
        `probes:
  - { name: web, kind: http, url: "${site.url}/", interval: 200ms }
  - { name: closed, kind: tcp, target: "127.0.0.1:${closed}", interval: 200ms, timeout: 150ms }
  - { name: job, kind: heartbeat, period: 1h, grace: 1m, token: probe-workers-token-123, interval: 200ms }
`,
      );
      const { daemon, logs, scrape } = await startDaemon(dir.path, { probeWorkers: 2 });
      await eventually(
        () =>
          daemon.results.get('web')?.last?.ok === true && daemon.results.get('closed')?.last !== undefined,
      );
      expect(daemon.results.get('closed')!.last!.failure?.code).toBe('connect_refused');
      await eventually(() => daemon.results.get('job')?.last !== undefined);
      expect(daemon.results.get('web')!.last!.facts.http?.statusCode).toBe(200);
      const text = await scrape();
      expect(sample(text, 'prismwatch_probe_workers')).toBe(2);
      expect(sample(text, 'prismwatch_probe_internal_errors_total')).toBe(0);
      expect(logs.lines.some((line) => line.msg === 'Probes run on worker threads')).toBe(true);
      expect(runsOnWorker({ kind: 'heartbeat' })).toBe(false);
      expect(runsOnWorker({ kind: 'browser' })).toBe(false);
      expect(runsOnWorker({ kind: 'http' })).toBe(true);
    },
  );

  it.runIf(file)('replace a worker that dies, failing only its runs in flight', async () => {
    // A target that never answers holds a run in flight on its worker.
    const stall = await withHttpServer(() => {});
    const site = await withHttpServer((_req, res) => res.writeHead(200).end('ok'));
    const config = loadConfigText(
      'c.yaml',
      `probes:
  - { name: stalled, kind: http, url: "${stall.url}/", interval: 1h, timeout: 30s }
  - { name: web, kind: http, url: "${site.url}/", interval: 1h }
`,
    );
    const logs = captureLog('info');
    const lost: Array<[string, number, boolean]> = [];
    const pool = new ProbeWorkerPool(file!, {
      workers: 1,
      log: logs.log,
      onWorkerLost: (reason, runs, replaced) => lost.push([reason, runs, replaced]),
    });
    onTestFinished(() => pool.stop());
    pool.sync(config.probes);
    const [stalled, web] = config.probes as [(typeof config.probes)[0], (typeof config.probes)[0]];
    expect((await pool.run(web, Date.now())!).result.ok).toBe(true);
    const inFlight = pool.run(stalled, Date.now())!;
    await eventually(() => stall.requests.length > 0);
    // The worker ends as a native crash or an out-of-memory would end it.
    const threads = pool as unknown as { workers: Array<{ worker: { terminate(): Promise<number> } }> };
    await threads.workers[0]!.worker.terminate();
    const cut = await inFlight;
    expect(cut.internalError).toBe(true);
    expect(cut.result.failure?.code).toBe('internal');
    expect(cut.result.failure?.message).toMatch(
      /probe worker exited with code \d+; the run was lost with it/,
    );
    expect(lost).toEqual([[expect.stringMatching(/exited/), 1, true]]);
    // The replacement holds the specs again and probes on.
    expect((await pool.run(web, Date.now())!).result.ok).toBe(true);
    // One that keeps ending is given up: its probes are the main thread's to run (run() says so).
    for (let i = 0; i < 5; i++) await threads.workers[0]!.worker.terminate();
    expect(lost.at(-1)).toEqual([expect.stringMatching(/exited/), 0, false]);
    expect(pool.run(web, Date.now())).toBeUndefined();
  });

  it('carries a prober’s log line to the main thread, filtered by level', () => {
    const sent: FromWorker[] = [];
    const log = workerLogger((message) => sent.push(message), 'info');
    log.debug('not sent');
    log.child({ probe: 'web' }).warn({ reason: 'slow' }, 'Probe slow');
    log.error('plain text');
    expect(sent).toEqual([
      {
        type: 'log',
        level: 'warn',
        bindings: { probe: 'web' },
        fields: { reason: 'slow' },
        message: 'Probe slow',
      },
      { type: 'log', level: 'error', bindings: {}, fields: {}, message: 'plain text' },
    ]);
  });
});
