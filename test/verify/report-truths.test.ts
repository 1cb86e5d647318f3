/**
 * Small truths of the reports people read: `prismwatch probe` prints only phases that happened
 * (a plain-HTTP run printed "tls 0.0 ms"), and JUnit testcases carry the time their runs took
 * (every one said time="0").
 */
import { describe, expect, it } from 'vitest';
import type { ProbeResult } from '../../src/model/probe.js';
import { renderProbeReport } from '../../src/probers/report.js';
import { formatJunit } from '../../src/verify/formats.js';
import type { Gate } from '../../src/verify/gates.js';
import { buildReport } from '../../src/verify/report.js';

describe('reports', () => {
  it('list only the phases a run went through', () => {
    const result: ProbeResult = {
      ok: true,
      startedAt: 0,
      durationMs: 12,
      phases: { resolve: 0, connect: 1.5, tls: 0, processing: 9, transfer: 1.5 },
      facts: {},
    };
    const report = renderProbeReport('http://127.0.0.1:3000/', result, { now: 0 });
    expect(report).toMatch(/phases +connect 1\.5 ms · processing 9\.0 ms · transfer 1\.5 ms/);
    expect(report).not.toContain('tls 0.0 ms');
    expect(report).not.toContain('resolve 0.0 ms');
  });

  it('give each JUnit testcase the time its runs took', () => {
    const gate: Gate = {
      id: 'probe:web',
      type: 'probe',
      title: 'web (http) succeeds',
      probe: 'web',
      kind: 'http',
      status: 'pass',
      runs: 2,
      seconds: 0.25,
      evidence: '2/2 runs ok',
      checklist: [],
      measures: {},
    };
    const xml = formatJunit(buildReport([gate], { startedAt: 0, finishedAt: 1_000, samples: 2, probes: 1 }));
    expect(xml).toContain('name="web (http) succeeds" time="0.250"');
  });
});
