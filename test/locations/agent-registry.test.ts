/**
 * The control plane's agent registry (locations/agents.ts): tokens per agent, revocation, what an
 * agent may send, sequence numbers that make a resent batch harmless, the clock offset, and what
 * it says about each agent. Batches are input from the network: a fuzz of mutated and random ones
 * must never throw nor let anything but a checked result into the pipeline.
 */
import { createHash } from 'node:crypto';
import fc from 'fast-check';
import { Registry } from 'prom-client';
import { describe, expect, it } from 'vitest';
import { atLocation, toAgentSpec } from '../../src/locations/agent-spec.js';
import { AgentRegistry } from '../../src/locations/agents.js';
import type { ProbeResult, ProbeSpec } from '../../src/model/probe.js';
import { fuzz, runs } from '../fuzz/budget.js';
import { captureLog } from '../helpers/log.js';
import { probeSpec, runResult } from '../helpers/specs.js';

const hash = (token: string) => createHash('sha256').update(token).digest('hex');
const agents = [
  toAgentSpec({ name: 'eu-1', token_sha256: hash('eu-token'), down_after: 10_000 }, { file: 'a', line: 1 }),
  toAgentSpec({ name: 'us-1', token_sha256: hash('us-token'), revoked: true }, { file: 'a', line: 2 }),
];
const base = probeSpec('web');
const copies = [atLocation(base, 'eu-1')];

function registry(now = { t: 1_800_000_000_000 }) {
  const recorded: Array<{ spec: ProbeSpec; result: ProbeResult }> = [];
  const metrics = new Registry();
  const byName = new Map(copies.map((spec) => [spec.name, spec]));
  const agentRegistry = new AgentRegistry({
    now: () => now.t,
    log: captureLog().log,
    registry: metrics,
    probe: (name) => byName.get(name),
    record: (spec, result) => recorded.push({ spec, result }),
    accepting: () => true,
  });
  agentRegistry.configure(
    agents,
    copies,
    new Map([['web', { name: 'web', kind: 'http', url: 'http://x/' }]]),
  );
  return { agentRegistry, recorded, metrics, now };
}

const batch = (
  results: Array<{ seq: number; probe?: string; result?: unknown }>,
  extra: Record<string, unknown> = {},
) => ({
  agent: { version: '1', outbox: 'o1', assignment: '', backlog: 0, dropped: 0, sentAt: 1, ...extra },
  results: results.map((entry) => ({
    probe: 'web',
    result: runResult(1_800_000_000_000 - 1_000, true),
    ...entry,
  })),
});

describe('agent registry', () => {
  it('knows an agent by its token; refuses no token, unknown and revoked ones, and counts them', async () => {
    const { agentRegistry, metrics } = registry();
    expect(agentRegistry.authenticate('Bearer eu-token')).toEqual({ agent: 'eu-1' });
    expect(agentRegistry.authenticate(undefined)).toEqual({ refused: 'no_token' });
    expect(agentRegistry.authenticate('Bearer nope')).toEqual({ refused: 'unknown_token' });
    expect(agentRegistry.authenticate('Bearer us-token')).toEqual({ refused: 'revoked' });
    const text = await metrics.metrics();
    expect(text).toContain('prismwatch_agent_requests_refused_total{reason="revoked"} 1');
    expect(JSON.parse(agentRegistry.assignment('eu-1')!)).toMatchObject({
      location: 'eu-1',
      probes: [{ name: 'web' }],
    });
  });

  it('takes each result once: a batch sent again is acknowledged, not counted; a new outbox starts over', () => {
    const { agentRegistry, recorded } = registry();
    expect(agentRegistry.ingest('eu-1', batch([{ seq: 1 }, { seq: 2 }])).answer).toMatchObject({
      accepted: 2,
    });
    expect(agentRegistry.ingest('eu-1', batch([{ seq: 1 }, { seq: 2 }, { seq: 3 }])).answer).toMatchObject({
      accepted: 1,
      duplicates: 2,
    });
    expect(recorded).toHaveLength(3);
    expect(recorded[0]!.spec.name).toBe('web@eu-1');
    // The agent lost its disk: its new outbox numbers from 1 again.
    expect(agentRegistry.ingest('eu-1', batch([{ seq: 1 }], { outbox: 'o2' })).answer).toMatchObject({
      accepted: 1,
    });
  });

  it('refuses results for probes not assigned, unreadable ones, and ones from the far future', () => {
    const { agentRegistry, recorded } = registry();
    const answer = agentRegistry.ingest(
      'eu-1',
      batch([
        { seq: 1, probe: 'other' },
        { seq: 2, result: { ok: 'yes' } },
        { seq: 3, result: runResult(1_800_000_000_000 + 3_600_000, true) },
        { seq: 4 },
      ]),
    );
    expect(answer.answer).toMatchObject({ accepted: 1, refused: 3 });
    expect(recorded).toHaveLength(1);
    expect(agentRegistry.ingest('eu-1', { results: [] }).status).toBe(400);
  });

  it('refuses a result whose facts this version cannot read, and takes the rest of the batch', () => {
    const { agentRegistry, recorded } = registry();
    const broken = { ...runResult(1_800_000_000_000 - 1_000, true), facts: { http: { status: 200 } } };
    const answer = agentRegistry.ingest('eu-1', batch([{ seq: 1, result: broken }, { seq: 2 }]));
    expect(answer).toMatchObject({ status: 200, answer: { accepted: 1, refused: 1 } });
    expect(recorded).toHaveLength(1);
  });

  it("stamps a skewed agent's results in the control plane's clock and reports the offset", () => {
    const { agentRegistry, recorded } = registry();
    const skewed = runResult(1_800_000_000_000 - 61_000, true);
    agentRegistry.ingest('eu-1', batch([{ seq: 1, result: skewed }], { clockOffsetMs: 60_000 }));
    expect(recorded[0]!.result.startedAt).toBe(1_800_000_000_000 - 1_000);
    expect(agentRegistry.status()[0]).toMatchObject({ clockOffsetMs: 60_000, state: 'up' });
  });

  it('says down after down_after without a batch, and holds its copies meanwhile', () => {
    const { agentRegistry, now } = registry();
    expect(agentRegistry.status()[0]!.state).toBe('never_seen');
    expect(agentRegistry.holds(copies[0]!)).toBe(true);
    agentRegistry.ingest('eu-1', batch([{ seq: 1 }]));
    expect(agentRegistry.holds(copies[0]!)).toBe(false);
    now.t += 10_000;
    expect(agentRegistry.status()[0]!.state).toBe('down');
    expect(agentRegistry.holds(copies[0]!)).toBe(true);
    expect(agentRegistry.holds(base)).toBe(false);
  });

  it('holds a location replaying a backlog: its results are the past', () => {
    const { agentRegistry } = registry();
    agentRegistry.ingest(
      'eu-1',
      batch([{ seq: 1, result: runResult(1_800_000_000_000 - 90_000, false) }], { backlog: 40 }),
    );
    expect(agentRegistry.status()[0]!.lagMs).toBeGreaterThanOrEqual(89_000);
    expect(agentRegistry.holds(copies[0]!)).toBe(true);
  });

  it('survives mutated and random batches: never throws, records only checked results', async () => {
    const valid = batch([{ seq: 1 }, { seq: 2 }]);
    const mutated = fc
      .tuple(fc.jsonValue(), fc.array(fc.string(), { maxLength: 4 }), fc.nat(3))
      .map(([value, path, at]) => {
        const copy = JSON.parse(JSON.stringify(valid)) as Record<string, unknown>;
        let node: Record<string, unknown> = copy;
        for (const key of ['results', String(at % 2), 'result', ...path].slice(0, 1 + at + path.length)) {
          const next = node[key];
          if (next === null || typeof next !== 'object') {
            node[key] = value;
            return copy;
          }
          node = next as Record<string, unknown>;
        }
        node.injected = value;
        return copy;
      });
    await fuzz(
      'agent batches',
      fc.property(fc.oneof(mutated, fc.jsonValue(), fc.anything()), (body) => {
        const { agentRegistry, recorded } = registry();
        const answer = agentRegistry.ingest('eu-1', body);
        expect([200, 400]).toContain(answer.status);
        for (const { result } of recorded) {
          expect(typeof result.ok).toBe('boolean');
          expect(Number.isFinite(result.startedAt)).toBe(true);
          expect(Number.isFinite(result.durationMs)).toBe(true);
        }
      }),
      runs(400),
    );
  });
});

describe('agents in the config', () => {
  it('are checked like every section: located problems, duplicates of name, location or token', async () => {
    const { loadConfig } = await import('../../src/config/load.js');
    const { configDir } = await import('../helpers/config-dir.js');
    const dir = configDir();
    const token = hash('t');
    dir.write(
      'a.yaml',
      `agents:\n  - { name: eu-1, token_sha256: "abc", probs: {} }\n  - { name: eu-1, token_sha256: "${token}" }\n  - { name: us-1, location: eu-1, token_sha256: "${token}" }\n`,
    );
    let message = '';
    try {
      loadConfig([dir.path]);
    } catch (error) {
      message = (error as Error).message;
    }
    expect(message).toContain("a.yaml:2:33 agents[0].token_sha256: expected the token's sha256");
    expect(message).toContain('agents[0].probs: unknown key "probs" (did you mean "probes"?)');
    expect(message).toContain('agents[2].location: duplicate location "eu-1" (one agent per location)');
    expect(message).toContain('agents[2].token_sha256: duplicate token');
    expect(message).not.toContain('missing required key');
  });
});
