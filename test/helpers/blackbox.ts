/**
 * Debian's blackbox_exporter on loopback for tests: HTTPS (with the test's CA), TLS over TCP and
 * DNS modules, and a Prometheus scrape job that probes one target through it. In CI the binary
 * must be present: tests check blackboxAvailable and fail rather than skip.
 */
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { onTestFinished } from 'vitest';
import { eventually } from './metrics.js';
import { refusedPort } from './servers.js';

export const BLACKBOX = 'prometheus-blackbox-exporter';
export const blackboxAvailable = spawnSync(BLACKBOX, ['--version']).status === 0;

/** Starts blackbox_exporter; returns its host:port. */
export async function startBlackbox(caFile: string): Promise<string> {
  const dir = mkdtempSync(join(tmpdir(), 'prismwatch-blackbox-'));
  const tls = `tls_config: { ca_file: ${JSON.stringify(caFile)} }`;
  writeFileSync(
    join(dir, 'blackbox.yml'),
    `modules:
  http: { prober: http, timeout: 5s, http: { preferred_ip_protocol: ip4, ${tls} } }
  tcp_tls: { prober: tcp, timeout: 5s, tcp: { preferred_ip_protocol: ip4, tls: true, ${tls} } }
  dns: { prober: dns, timeout: 5s, dns: { preferred_ip_protocol: ip4, transport_protocol: udp, query_name: prismai.test, query_type: A } }
`,
  );
  const port = await refusedPort();
  const child = spawn(
    BLACKBOX,
    [`--config.file=${join(dir, 'blackbox.yml')}`, `--web.listen-address=127.0.0.1:${port}`],
    {
      stdio: ['ignore', 'ignore', 'pipe'],
    },
  );
  let stderr = '';
  child.stderr.on('data', (chunk) => {
    stderr = (stderr + chunk).slice(-10_000);
  });
  onTestFinished(() => {
    child.kill('SIGTERM');
  });
  const url = `127.0.0.1:${port}`;
  await eventually(async () => (await fetch(`http://${url}/-/healthy`)).ok, 15_000, 100).catch((error) => {
    throw new Error(`blackbox_exporter did not start: ${String(error)}\n${stderr}`);
  });
  return url;
}

export function blackboxJob(name: string, module: string, target: string, exporter: string): string {
  return `  - job_name: ${name}
    metrics_path: /probe
    params: { module: [${module}] }
    static_configs: [{ targets: [${JSON.stringify(target)}] }]
    relabel_configs:
      - { source_labels: [__address__], target_label: __param_target }
      - { source_labels: [__param_target], target_label: instance }
      - { target_label: __address__, replacement: ${JSON.stringify(exporter)} }
`;
}
