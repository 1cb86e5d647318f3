/**
 * kill -9 of a real prismwatch process while a notification is queued (receiver down) or in flight
 * (receiver hanging), then a restart on the same data directory: the receiver accepts it exactly
 * once, and the alert that is still firing is not notified again.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { startCli } from '../helpers/cli.js';
import { configDir } from '../helpers/config-dir.js';
import { eventually, sample } from '../helpers/metrics.js';
import { sleep } from '../helpers/notifier.js';
import { refusedPort } from '../helpers/servers.js';
import { type WebhookMode, webhookSink } from '../helpers/sinks.js';

async function scenario(mode: 'down' | WebhookMode) {
  const sink = await webhookSink();
  if (mode === 'down') await sink.down();
  else sink.mode = mode;
  const dir = configDir();
  dir.write(
    'config.yaml',
    `probes:
  - name: gone
    kind: tcp
    target: 127.0.0.1:${await refusedPort()}
    interval: 200ms
    timeout: 100ms
rules:
  - alert: ProbeDown
    severity: critical
    signal: up
    op: '=='
    threshold: 0
route:
  receiver: hooks
  group_wait: 100ms
  group_interval: 300ms
receivers:
  - name: hooks
    webhook_configs: [{ url: "${sink.url}", timeout: 5s }]
`,
  );
  const dataDir = mkdtempSync(join(tmpdir(), 'prismwatch-crash-'));
  const args = ['--config', dir.path, '--data-dir', dataDir, '--rules.evaluation-interval', '100ms'];
  const first = await startCli(args);
  if (mode === 'down') {
    await eventually(async () => {
      const text = await (await fetch(`${first.baseUrl}/metrics`)).text();
      return sample(text, 'prismwatch_notification_outbox_depth', { integration: 'hooks/webhook/0' }) === 1;
    }, 240_000);
  } else {
    await eventually(() => sink.attempts.length === 1, 10_000);
  }
  first.child.kill('SIGKILL');
  await first.exited();
  if (mode === 'down') await sink.up();
  sink.mode = 'ok';
  await startCli(args);
  await eventually(() => sink.delivered.length === 1, 15_000);
  await sleep(1_500);
  return sink;
}

describe('kill -9 and restart', () => {
  it('delivers a notification queued before the crash exactly once', async () => {
    const sink = await scenario('down');
    expect(sink.delivered).toHaveLength(1);
    expect(sink.attempts).toHaveLength(1);
  }, 240_000);

  it('re-sends a notification that was in flight at the crash, with the same idempotency key, and only once more', async () => {
    const sink = await scenario('hang');
    expect(sink.delivered).toHaveLength(1);
    expect(sink.attempts).toHaveLength(2);
    expect(sink.attempts[0]!.headers['idempotency-key']).toBe(sink.attempts[1]!.headers['idempotency-key']);
  }, 240_000);
});
