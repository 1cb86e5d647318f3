/**
 * Debian's real Prometheus on loopback for tests: it scrapes what the test names every second,
 * evaluates the given rule file every second, and answers PromQL over its HTTP API. In CI the
 * binary must be present (requirePrometheus), so a missing install step fails instead of skipping.
 */
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect, onTestFinished } from 'vitest';
import { eventually } from './metrics.js';
import { refusedPort } from './servers.js';

export const prometheusAvailable = spawnSync('prometheus', ['--version']).status === 0;

/** In CI a missing binary is a failure, not a skip. */
export function requirePrometheus(): void {
  if (process.env.CI === 'true')
    expect(prometheusAvailable, 'prometheus is missing: .ci/run must install the Debian package').toBe(true);
}

export interface PromSample {
  readonly metric: Record<string, string>;
  readonly value: number;
}

interface PromAlert {
  readonly labels: Record<string, string>;
  readonly annotations: Record<string, string>;
  readonly state: 'pending' | 'firing';
}

export interface RunningPrometheus {
  readonly url: string;
  /** An instant query at now (or at `atSeconds`); throws on a PromQL error (a dashboard query that does not parse). */
  query(expr: string, atSeconds?: number): Promise<PromSample[]>;
  /** Active alerts of the loaded rules, from /api/v1/alerts. */
  alerts(): Promise<PromAlert[]>;
  /** Writes a new rule file and reloads (POST /-/reload). */
  setRules(yaml: string): Promise<void>;
  /** Exemplars of a selector over the last hour (/api/v1/query_exemplars; needs exemplar-storage). */
  exemplars(
    selector: string,
  ): Promise<Array<{ labels: Record<string, string>; value: string; timestamp: number }>>;
}

interface Options {
  /** The `scrape_configs` list as YAML (its items, indented by two spaces). */
  readonly scrapeConfigs: string;
  readonly rules?: string;
  /** host:port of Alertmanagers to send the rules' alerts to. */
  readonly alertmanagers?: readonly string[];
  /** `--enable-feature` values, e.g. exemplar-storage. */
  readonly features?: readonly string[];
}

export async function startPrometheus(options: Options): Promise<RunningPrometheus> {
  const dir = mkdtempSync(join(tmpdir(), 'prismwatch-prom-'));
  const rulesFile = join(dir, 'rules.yml');
  writeFileSync(rulesFile, options.rules ?? 'groups: []\n');
  writeFileSync(
    join(dir, 'prometheus.yml'),
    `global:
  scrape_interval: 1s
  scrape_timeout: 1s
  evaluation_interval: 1s
rule_files: [${JSON.stringify(rulesFile)}]
${options.alertmanagers ? `alerting:\n  alertmanagers:\n    - static_configs: [{ targets: ${JSON.stringify(options.alertmanagers)} }]\n` : ''}scrape_configs:
${options.scrapeConfigs}
`,
  );
  const port = await refusedPort();
  const child = spawn(
    'prometheus',
    [
      `--config.file=${join(dir, 'prometheus.yml')}`,
      `--storage.tsdb.path=${join(dir, 'data')}`,
      `--web.listen-address=127.0.0.1:${port}`,
      '--web.enable-lifecycle',
      ...(options.features ?? []).map((feature) => `--enable-feature=${feature}`),
    ],
    { stdio: ['ignore', 'ignore', 'pipe'] },
  );
  let stderr = '';
  child.stderr.on('data', (chunk) => {
    stderr = (stderr + chunk).slice(-20_000);
  });
  onTestFinished(() => {
    child.kill('SIGTERM');
  });
  const url = `http://127.0.0.1:${port}`;
  await eventually(async () => (await fetch(`${url}/-/ready`)).ok, 30_000, 100).catch((error) => {
    throw new Error(`prometheus did not become ready: ${String(error)}\n${stderr}`);
  });

  async function api<T>(path: string): Promise<T> {
    const response = await fetch(`${url}${path}`);
    const body = (await response.json()) as { status: string; data: T; error?: string };
    if (body.status !== 'success') throw new Error(`prometheus ${path}: ${body.error}`);
    return body.data;
  }

  return {
    url,
    async query(expr, atSeconds) {
      const data = await api<{
        resultType: string;
        result: Array<{ metric: Record<string, string>; value: [number, string] }>;
      }>(
        `/api/v1/query?query=${encodeURIComponent(expr)}${atSeconds === undefined ? '' : `&time=${atSeconds}`}`,
      );
      if (data.resultType === 'scalar') {
        const [, value] = data.result as unknown as [number, string];
        return [{ metric: {}, value: Number(value) }];
      }
      return data.result.map((item) => ({ metric: item.metric, value: Number(item.value[1]) }));
    },
    async alerts() {
      return (await api<{ alerts: PromAlert[] }>('/api/v1/alerts')).alerts;
    },
    async exemplars(selector) {
      const end = Date.now() / 1000;
      const series = await api<
        Array<{ exemplars: Array<{ labels: Record<string, string>; value: string; timestamp: number }> }>
      >(`/api/v1/query_exemplars?query=${encodeURIComponent(selector)}&start=${end - 3600}&end=${end + 60}`);
      return series.flatMap((entry) => entry.exemplars);
    },
    async setRules(yaml) {
      writeFileSync(rulesFile, yaml);
      const response = await fetch(`${url}/-/reload`, { method: 'POST' });
      if (!response.ok) throw new Error(`prometheus reload: ${response.status} ${await response.text()}`);
    },
  };
}

/**
 * docs/metrics.md's recommended scrape config for prismwatch (the block between the scrape-config markers),
 * as written but for the address and a 1 s interval: tests run what operators are told to run.
 */
export function prismwatchScrape(...hostPorts: string[]): string {
  const readme = readFileSync('docs/metrics.md', 'utf8');
  const block = /<!-- scrape-config[^>]*-->\n```yaml\n([\s\S]*?)```\n<!-- \/scrape-config -->/.exec(readme);
  if (!block) throw new Error('docs/metrics.md lacks the scrape-config block');
  const items = block[1]!.replace(/^scrape_configs:\n/, '');
  if (!items.includes("'prismwatch:9797'"))
    throw new Error("docs/metrics.md's scrape config no longer targets 'prismwatch:9797'");
  return items
    .replace("'prismwatch:9797'", hostPorts.map((hostPort) => `'${hostPort}'`).join(', '))
    .replace(/scrape_interval: \S+/, 'scrape_interval: 1s');
}
