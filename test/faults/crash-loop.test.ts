/**
 * kill -9 at random points of a scripted alert scenario, again and again, on one data directory:
 * a target flaps while prismwatch is killed and restarted 20 times. Afterwards the last state
 * (resolved) has been delivered, no alert is left firing, and no notification was queued twice:
 * the only repeats a receiver may see are re-sends of one in flight at a kill, which carry the same
 * idempotency key (at most one per kill) and follow the first delivery directly.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { startCli } from '../helpers/cli.js';
import { flappingSite } from '../helpers/flapping.js';
import { eventually } from '../helpers/metrics.js';
import { sleep } from '../helpers/notifier.js';

const RUNS = 20;

/** Deterministic pseudo-random delays, so a failure can be replayed. */
function random(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (Math.imul(state, 1_664_525) + 1_013_904_223) >>> 0;
    return state / 4_294_967_296;
  };
}

describe('kill -9 at random points', () => {
  it(`loses nothing, queues nothing twice and leaves nothing firing after ${RUNS} crashes`, async () => {
    const { sink, state, configPath } = await flappingSite({ groupInterval: '300ms' });
    const dataDir = mkdtempSync(join(tmpdir(), 'prismwatch-crashloop-'));
    const args = ['--config', configPath, '--data-dir', dataDir, '--rules.evaluation-interval', '100ms'];
    const rand = random(1128);
    for (let run = 0; run < RUNS; run++) {
      const daemon = await startCli(args);
      const lifetime = 300 + rand() * 1_500;
      const flip = rand() * lifetime;
      await sleep(flip);
      state.up = rand() < 0.5;
      await sleep(lifetime - flip);
      daemon.child.kill('SIGKILL');
      await daemon.exited();
    }
    state.up = true;
    const last = await startCli(args);
    await eventually(async () => {
      const alerts = (await (await fetch(`${last.baseUrl}/api/v1/alerts`)).json()) as Array<{
        status: { state: string };
      }>;
      return (
        alerts.every((alert) => alert.status.state !== 'firing') &&
        sink.delivered.at(-1)?.body.status === 'resolved'
      );
    }, 240_000);
    await sleep(1_000);

    const keys = sink.delivered.map((delivery) => String(delivery.headers['idempotency-key']));
    const repeats = keys.length - new Set(keys).size;
    expect(repeats).toBeLessThanOrEqual(RUNS);
    // Every key names one notification, so a repeat can only be the re-send of one in flight at a
    // kill: it comes right after its first delivery (nothing of the group is sent before the
    // unfinished one), never later as a second notification with a recycled key.
    for (let i = 1; i < keys.length; i++) {
      if (keys.indexOf(keys[i]!) < i) expect(keys[i - 1], `delivery ${i} repeats an older key`).toBe(keys[i]);
    }
    expect(sink.delivered.some((delivery) => delivery.body.status === 'firing')).toBe(true);
    expect(sink.delivered.at(-1)!.body.status).toBe('resolved');
  }, 240_000);
});
