/**
 * A target that can be switched up and down, a webhook sink, and a config watching the one and
 * paging the other with short timers: the setup of the fault tests that crash, fill disks and flap.
 */
import { configDir } from './config-dir.js';
import { withHttpServer } from './servers.js';
import { webhookSink } from './sinks.js';

export async function flappingSite(options: { groupInterval?: string } = {}) {
  const sink = await webhookSink();
  const state = { up: true };
  const target = await withHttpServer((_req, res) => res.writeHead(state.up ? 200 : 500).end());
  const dir = configDir();
  dir.write(
    'c.yaml',
    `probes:
  - { name: web, kind: http, url: "${target.url}/", interval: 100ms, timeout: 80ms }
rules:
  - { alert: WebDown, severity: critical, signal: up, op: '==', threshold: 0 }
route: { receiver: hooks, group_wait: 100ms, group_interval: ${options.groupInterval ?? '200ms'} }
receivers:
  - { name: hooks, webhook_configs: [{ url: "${sink.url}", timeout: 2s }] }
`,
  );
  return { sink, state, configPath: dir.path };
}
