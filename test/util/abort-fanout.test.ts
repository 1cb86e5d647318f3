import { describe, expect, it } from 'vitest';
import { onAbort } from '../../src/util/abort-fanout.js';

describe('onAbort', () => {
  it('calls each registered listener once on abort, not those that left', () => {
    const controller = new AbortController();
    const called: string[] = [];
    onAbort(controller.signal, () => called.push('a'));
    const leave = onAbort(controller.signal, () => called.push('b'));
    onAbort(controller.signal, () => called.push('c'));
    leave();
    controller.abort();
    controller.abort();
    expect(called).toEqual(['a', 'c']);
  });

  it('calls a listener at once when the signal has already aborted', () => {
    const controller = new AbortController();
    controller.abort();
    let called = 0;
    onAbort(controller.signal, () => called++);
    expect(called).toBe(1);
  });

  it('adds a single listener to the signal however many register', () => {
    const controller = new AbortController();
    let added = 0;
    const original = controller.signal.addEventListener.bind(controller.signal);
    controller.signal.addEventListener = ((...args: Parameters<typeof original>) => {
      added += 1;
      original(...args);
    }) as typeof original;
    const leaves = Array.from({ length: 1_000 }, () => onAbort(controller.signal, () => {}));
    for (const leave of leaves) leave();
    expect(added).toBe(1);
  });
});
