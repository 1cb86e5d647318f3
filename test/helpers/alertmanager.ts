/**
 * Debian's prometheus-alertmanager on loopback, routing everything to a webhook sink; alone, or as
 * peers of a cluster (gossip on loopback ports, short timeouts so a test settles in seconds).
 */
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { onTestFinished } from 'vitest';
import { eventually } from './metrics.js';
import { refusedPort } from './servers.js';

export const ALERTMANAGER = 'prometheus-alertmanager';
export const alertmanagerAvailable =
  spawnSync(ALERTMANAGER, ['--version'], { encoding: 'utf8' }).status === 0;

export interface RunningAlertmanager {
  readonly url: string;
  /** host:port of its gossip listener, for --cluster.peer of the others. */
  readonly cluster?: string;
  stop(): void;
}

function configFor(webhookUrl: string): string {
  return `route:
  receiver: sink
  group_by: [alertname, probe]
  group_wait: 500ms
  group_interval: 1s
  repeat_interval: 1h
receivers:
  - name: sink
    webhook_configs:
      - url: ${webhookUrl}
        send_resolved: true
`;
}

export async function startAlertmanager(
  webhookUrl: string,
  cluster?: { readonly listen: string; readonly peers: readonly string[] },
): Promise<RunningAlertmanager> {
  const dir = mkdtempSync(join(tmpdir(), 'prismwatch-am-'));
  writeFileSync(join(dir, 'alertmanager.yml'), configFor(webhookUrl));
  const port = await refusedPort();
  const clusterArgs = cluster
    ? [
        `--cluster.listen-address=${cluster.listen}`,
        `--cluster.advertise-address=${cluster.listen}`,
        ...cluster.peers.map((peer) => `--cluster.peer=${peer}`),
        // A peer waits this long for the first one's notification log before sending itself; on a
        // loaded machine gossip can lag seconds, and a shorter wait sends duplicates.
        '--cluster.peer-timeout=6s',
        '--cluster.gossip-interval=50ms',
        '--cluster.pushpull-interval=1s',
        '--cluster.settle-timeout=3s',
        '--cluster.probe-interval=200ms',
      ]
    : ['--cluster.listen-address='];
  const child = spawn(
    ALERTMANAGER,
    [
      `--config.file=${join(dir, 'alertmanager.yml')}`,
      `--storage.path=${join(dir, 'data')}`,
      `--web.listen-address=127.0.0.1:${port}`,
      ...clusterArgs,
    ],
    { stdio: ['ignore', 'ignore', 'pipe'] },
  );
  let stderr = '';
  child.stderr.on('data', (chunk) => {
    stderr += chunk;
  });
  const stop = () => {
    if (child.exitCode === null) child.kill('SIGTERM');
  };
  onTestFinished(stop);
  const url = `http://127.0.0.1:${port}`;
  await eventually(async () => (await fetch(`${url}/-/ready`)).ok, 30_000).catch((error) => {
    throw new Error(`alertmanager did not become ready: ${String(error)}\n${stderr}`);
  });
  return { url, ...(cluster ? { cluster: cluster.listen } : {}), stop };
}

/** Two peers gossiping with each other, both sending to the sink. */
export async function startAlertmanagerPair(webhookUrl: string): Promise<RunningAlertmanager[]> {
  const gossip = [`127.0.0.1:${await refusedPort()}`, `127.0.0.1:${await refusedPort()}`];
  return Promise.all(
    gossip.map((listen, i) => startAlertmanager(webhookUrl, { listen, peers: [gossip[1 - i]!] })),
  );
}
