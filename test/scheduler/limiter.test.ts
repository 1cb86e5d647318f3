import { describe, expect, it } from 'vitest';
import { Limiter } from '../../src/scheduler/limiter.js';

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

function spin(ms: number): void {
  const until = performance.now() + ms;
  while (performance.now() < until) {
    // a saturated event loop
  }
}

function held(): { promise: Promise<void>; release: () => void } {
  let release = () => {};
  const promise = new Promise<void>((resolve) => {
    release = resolve;
  });
  return { promise, release };
}

describe('Limiter', () => {
  it('never runs more than max at once, and starts the waiting in arrival order', async () => {
    const limiter = new Limiter(2, { floor: 2 });
    const gates = [held(), held(), held(), held()];
    const started: number[] = [];
    const runs = gates.map((gate, i) =>
      limiter.run(async () => {
        started.push(i);
        await gate.promise;
      }),
    );
    await sleep(10);
    expect(started).toEqual([0, 1]);
    expect(limiter.queued).toBe(2);
    gates[1]!.release();
    await sleep(10);
    expect(started).toEqual([0, 1, 2]);
    for (const gate of gates) gate.release();
    await Promise.all(runs);
    expect(started).toEqual([0, 1, 2, 3]);
    expect(limiter.running).toBe(0);
  });

  it('above the floor, holds a new run while the loop is saturated and starts it once the loop frees', async () => {
    const limiter = new Limiter(100, { floor: 2, busyRatio: 0.5 });
    const gates = [held(), held()];
    const runs = gates.map((gate) => limiter.run(() => gate.promise));
    spin(60);
    let started = false;
    const third = limiter.run(async () => {
      started = true;
    });
    await Promise.resolve();
    expect(started).toBe(false);
    expect(limiter.queued).toBe(1);
    // Idle now: the utilisation of the next 20 ms window is low, and the recheck lets it go.
    await sleep(80);
    expect(started).toBe(true);
    await third;
    for (const gate of gates) gate.release();
    await Promise.all(runs);
  });

  it('does not count runs waiting on a stalled target: they cost the loop nothing', async () => {
    const limiter = new Limiter(100, { floor: 2, busyRatio: 0.5, youngMs: 30 });
    const gates = [held(), held()];
    const runs = gates.map((gate) => limiter.run(() => gate.promise));
    await sleep(50);
    spin(60);
    let started = false;
    const third = limiter.run(async () => {
      started = true;
    });
    await Promise.resolve();
    expect(started).toBe(true);
    await third;
    for (const gate of gates) gate.release();
    await Promise.all(runs);
  });

  it('below the floor, starts at once however busy the loop is', async () => {
    const limiter = new Limiter(100, { floor: 4, busyRatio: 0.5 });
    spin(60);
    let started = 0;
    await Promise.all([1, 2, 3].map(() => limiter.run(async () => void started++)));
    expect(started).toBe(3);
  });
});
