/** The agent's outbox (state/agent-outbox.ts): ordered, numbered, bounded, and kept across restarts. */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { AgentOutbox } from '../../src/state/agent-outbox.js';

const dir = () => mkdtempSync(join(tmpdir(), 'prismwatch-outbox-'));

describe('agent outbox', () => {
  it('hands results out in order, in batches bounded by count and bytes, and forgets what was acknowledged', () => {
    const outbox = new AgentOutbox(dir(), 1_000);
    for (let i = 0; i < 10; i++) outbox.append('web', JSON.stringify({ i }));
    expect(outbox.depth).toBe(10);
    const first = outbox.peek(4, 1 << 20);
    expect(first.map((entry) => JSON.parse(entry.result).i)).toEqual([0, 1, 2, 3]);
    expect(outbox.peek(100, 100).length).toBeLessThan(10);
    outbox.acknowledge(first.at(-1)!.seq);
    expect(outbox.depth).toBe(6);
    expect(JSON.parse(outbox.peek(1, 1 << 20)[0]!.result).i).toBe(4);
    outbox.close();
  });

  it('keeps its identity, its results and its numbering across a restart', () => {
    const path = dir();
    const outbox = new AgentOutbox(path, 1_000);
    outbox.append('web', '{}');
    outbox.append('web', '{}');
    const seq = outbox.peek(10, 1 << 20).at(-1)!.seq;
    outbox.close();
    const again = new AgentOutbox(path, 1_000);
    expect(again.id).toBe(outbox.id);
    expect(again.depth).toBe(2);
    again.acknowledge(seq);
    again.append('web', '{}');
    expect(again.peek(10, 1 << 20)[0]!.seq).toBeGreaterThan(seq);
    again.close();
  });

  it('drops the oldest past its bound, and counts them', () => {
    const outbox = new AgentOutbox(dir(), 5);
    for (let i = 0; i < 8; i++) outbox.append('web', JSON.stringify({ i }));
    expect(outbox.depth).toBe(5);
    expect(outbox.dropped).toBe(3);
    expect(JSON.parse(outbox.peek(1, 1 << 20)[0]!.result).i).toBe(3);
    outbox.close();
  });
});
