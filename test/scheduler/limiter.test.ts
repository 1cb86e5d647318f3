import { describe, expect, it } from 'vitest';
import { Limiter, SHED } from '../../src/scheduler/limiter.js';

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

function spin(ms: number): void {
  const until = performance.now() + ms;
  while (performance.now() < until) {
    // a saturated event loop
  }
}

/** `count` runs that stay in flight until `release()`; `started` counts those that began. */
function heldRuns(limiter: Limiter, count: number) {
  const gates: Array<() => void> = [];
  const order: number[] = [];
  const runs = Array.from({ length: count }, (_, i) =>
    limiter.run(
      () =>
        new Promise<void>((resolve) => {
          order.push(i);
          gates[i] = resolve;
        }),
    ),
  );
  return {
    order,
    release: (i: number) => gates[i]?.(),
    async releaseAll() {
      for (;;) {
        for (const gate of gates) gate?.();
        if (order.length === count) break;
        await sleep(5);
      }
      await Promise.all(runs);
    },
  };
}

/** Starts one run and says whether it began at once, without waiting for a slot. */
function startsAtOnce(limiter: Limiter): { began: boolean; run: Promise<void> } {
  const probe = { began: false, run: Promise.resolve() };
  probe.run = limiter
    .run(async () => {
      probe.began = true;
    })
    .then(() => {});
  return probe;
}

describe('Limiter', () => {
  it('never runs more than max at once, and starts the waiting in arrival order', async () => {
    const limiter = new Limiter(2, { floor: 2 });
    const held = heldRuns(limiter, 4);
    await sleep(10);
    expect(held.order).toEqual([0, 1]);
    expect(limiter.queued).toBe(2);
    held.release(1);
    await sleep(10);
    expect(held.order).toEqual([0, 1, 2]);
    await held.releaseAll();
    expect(held.order).toEqual([0, 1, 2, 3]);
    expect(limiter.running).toBe(0);
  });

  it('above the floor, holds a new run while the loop is saturated and starts it once the loop frees', async () => {
    const limiter = new Limiter(100, { floor: 2, busyRatio: 0.5 });
    const held = heldRuns(limiter, 2);
    spin(60);
    const third = startsAtOnce(limiter);
    expect(third.began).toBe(false);
    expect(limiter.queued).toBe(1);
    // Idle now: the utilisation of the next 20 ms window is low, and the recheck lets it go.
    await sleep(80);
    expect(third.began).toBe(true);
    await held.releaseAll();
  });

  it('does not count runs waiting on a stalled target: they cost the loop nothing', async () => {
    const limiter = new Limiter(100, { floor: 2, busyRatio: 0.5, youngMs: 30 });
    const held = heldRuns(limiter, 2);
    await sleep(50);
    spin(60);
    expect(startsAtOnce(limiter).began).toBe(true);
    await held.releaseAll();
  });

  it('below the floor, starts at once however busy the loop is', async () => {
    const limiter = new Limiter(100, { floor: 4, busyRatio: 0.5 });
    spin(60);
    const runs = [startsAtOnce(limiter), startsAtOnce(limiter), startsAtOnce(limiter)];
    expect(runs.map((run) => run.began)).toEqual([true, true, true]);
    await Promise.all(runs.map((run) => run.run));
  });

  it('while the control path holds it on a saturated loop, starts nothing, even below the floor', async () => {
    const limiter = new Limiter(100, { floor: 4, busyRatio: 0.5 });
    const release = limiter.hold();
    spin(60);
    const held = startsAtOnce(limiter);
    expect(held.began).toBe(false);
    release();
    release(); // ending a hold twice ends it once
    // The loop idles from here: the next recheck lets the run go.
    await held.run;
    expect(held.began).toBe(true);
  });

  it('a hold on a loop that is not saturated holds nothing back', () => {
    const limiter = new Limiter(100, { floor: 1, busyRatio: 0.99 });
    const release = limiter.hold();
    expect(startsAtOnce(limiter).began).toBe(true);
    release();
  });

  it('sheds a run that waited longer than it may, without running it', async () => {
    const limiter = new Limiter(1);
    const held = heldRuns(limiter, 1);
    await sleep(5);
    let ran = false;
    const late = limiter.run(async () => {
      ran = true;
    }, 20);
    const patient = limiter.run(async () => 'ran');
    await sleep(40);
    await held.releaseAll();
    expect(await late).toBe(SHED);
    expect(ran).toBe(false);
    expect(await patient).toBe('ran');
    expect(limiter.running).toBe(0);
  });
});
