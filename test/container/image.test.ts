/**
 * The container image, really run: podman (runc, host network, see .ci/containers.conf) starts the
 * image .ci/run built, with the daemon on a loopback port; it must become healthy, serve
 * /metrics, run as a non-root user, and exit 0 on SIGTERM. In CI the image must exist; elsewhere
 * the test is skipped when podman or the image is missing (build it with .ci/run's commands).
 */
import { spawnSync } from 'node:child_process';
import { resolve } from 'node:path';
import { describe, expect, it, onTestFinished } from 'vitest';
import { eventually, sample } from '../helpers/metrics.js';
import { refusedPort } from '../helpers/servers.js';

const IMAGE = 'localhost/prismwatch:ci';
const env = { ...process.env, CONTAINERS_CONF: resolve('.ci/containers.conf') };
const podman = (args: string[]) => spawnSync('podman', args, { encoding: 'utf8', env, timeout: 60_000 });
const available = spawnSync('podman', ['image', 'exists', IMAGE], { env }).status === 0;

describe('container image', () => {
  it('is built in CI', () => {
    if (process.env.CI === 'true')
      expect(available, `${IMAGE} is missing: .ci/run must build it with podman`).toBe(true);
  });

  it.runIf(available)(
    'starts healthy as a non-root user, serves /metrics, and exits 0 on SIGTERM',
    async () => {
      const port = await refusedPort();
      const name = `prismwatch-test-${process.pid}`;
      const run = podman([
        'run',
        '-d',
        '--name',
        name,
        '--network=host',
        '-e',
        `PRISMWATCH_LISTEN_ADDRESS=127.0.0.1:${port}`,
        IMAGE,
      ]);
      expect(run.status, run.stderr).toBe(0);
      onTestFinished(() => {
        podman(['rm', '-f', name]);
      });
      const base = `http://127.0.0.1:${port}`;
      await eventually(async () => (await fetch(`${base}/-/healthy`)).ok, 20_000);
      const metrics = await (await fetch(`${base}/metrics`)).text();
      expect(metrics).toContain('prismwatch_build_info{');
      expect(sample(metrics, 'prismwatch_config_last_reload_successful')).toBe(1);
      expect(podman(['exec', name, 'id', '-u']).stdout.trim()).toBe('10001');
      const inspect = JSON.parse(podman(['inspect', IMAGE]).stdout) as Array<{
        Healthcheck?: { Test: string[] };
        Config: { User: string; Entrypoint: string[]; Volumes?: Record<string, unknown> };
      }>;
      expect(inspect[0]!.Healthcheck?.Test.slice(0, 2)).toEqual(['CMD', 'node']);
      expect(inspect[0]!.Config.User).toBe('10001:10001');
      expect(Object.keys(inspect[0]!.Config.Volumes ?? {}).sort()).toEqual([
        '/etc/prismwatch',
        '/var/lib/prismwatch',
      ]);
      expect(inspect[0]!.Config.Entrypoint).toEqual(['node', 'dist/cli/main.js']);
      expect(podman(['kill', '--signal', 'TERM', name]).status).toBe(0);
      const waited = podman(['wait', name]);
      expect(waited.stdout.trim()).toBe('0');
      expect(podman(['logs', name]).stdout).toContain('"msg":"prismwatch stopped"');
    },
    60_000,
  );
});
