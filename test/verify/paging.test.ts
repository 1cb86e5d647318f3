/**
 * The "what pages when" derivation (src/verify/paging.ts) on hand-checked cases, and docs/rules.md's
 * table against the shipped config: change a rule, a probe interval or a route timer and this says
 * the table is stale.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { configEnvFor } from '../../src/cli/options.js';
import { loadConfig } from '../../src/config/load.js';
import { DEFAULT_LISTEN_ADDRESS } from '../../src/config/schema.js';
import { whatPagesWhen } from '../../src/verify/paging.js';
import { pagingAssumptions, pagingTable } from '../../src/verify/paging-table.js';
import { configDir } from '../helpers/config-dir.js';

function entriesFor(rules: string, interval = '15s') {
  const dir = configDir();
  dir.write(
    'all.yaml',
    `probes:
  - { name: api, kind: http, url: 'http://127.0.0.1:9/', interval: ${interval} }
${rules}
route:
  receiver: log
  group_wait: 30s
  routes:
    - receiver: pager
      matchers: ['severity="critical"']
      group_wait: 20s
receivers:
  - name: log
    log_configs: [{}]
  - name: pager
    log_configs: [{}]
inhibit_rules:
  - source_matchers: ['alertname="Down"']
    target_matchers: ['alertname!="Down"']
    equal: [probe]
`,
  );
  return whatPagesWhen(loadConfig([dir.path], {}), 10_000);
}

const ERRORS = `rules:
  - { alert: Errors, severity: critical, signal: error_ratio, window: 5m, min_samples: 10, op: '>', threshold: 0.05 }`;

describe('what pages when', () => {
  it('counts the runs a windowed rule needs and the span they must fall in', () => {
    const [errors] = entriesFor(`rules:
  - { alert: Errors, severity: critical, signal: error_ratio, window: 5m, min_samples: 10, op: '>', threshold: 0.05, for: 1m, keep_firing_for: 2m }`);
    expect(errors).toMatchObject({
      receivers: ['pager'],
      badRuns: 2,
      windowed: true,
      pageAfterMs: [80_000, 90_000],
      resolvedWithinMs: 300_000 + 120_000 + 15_000 + 10_000,
      shortestMs: 300_000 - 60_000 - 10_000,
      mutedBy: ['alertname="Down" (same probe)'],
    });
    // At 30 s the window holds 10 runs: one failure is 10 %.
    expect(entriesFor(ERRORS, '30s')[0]!.badRuns).toBe(1);
    // And at 1m it holds 5, fewer than min_samples: the rule can never fire.
    expect(entriesFor(ERRORS, '1m')[0]!.never).toContain('fewer than min_samples 10');
  });

  it('finds the slow runs an interpolated p95 needs', () => {
    const [slow] = entriesFor(`rules:
  - { alert: Slow, severity: warning, signal: latency_p95, window: 5m, op: '>', threshold: 2s }`);
    // 20 runs: p95 sits at rank 18.05, so two slow runs (2.5 s) put it at 2.5 s; one only at 0.125 s.
    expect(slow).toMatchObject({
      badRuns: 2,
      badRun: 'slow',
      receivers: ['log'],
      pageAfterMs: [30_000, 40_000],
    });
  });

  it('needs the condition to outlast for + an evaluation for a state rule, and counts runs in a row', () => {
    const [down, twice] = entriesFor(`rules:
  - { alert: Down, severity: critical, signal: up, op: '==', threshold: 0, for: 1m, keep_firing_for: 1m }
  - { alert: Twice, severity: warning, signal: consecutive_failures, op: '>=', threshold: 2 }`);
    expect(down).toMatchObject({
      badRuns: 1,
      pageAfterMs: [80_000, 90_000],
      resolvedWithinMs: 60_000 + 15_000 + 10_000,
      // 1 + ⌊70 s / 15 s⌋ = 5 failed runs in a row.
      shortestMs: 75_000,
      mutedBy: [],
    });
    // Warnings go to the log route (group_wait 30 s): the failure must last through its first flush,
    // 2 + ⌊(10 s + 30 s) / 15 s⌋ = 4 runs.
    expect(twice).toMatchObject({ badRuns: 2, pageAfterMs: [30_000, 40_000], shortestMs: 60_000 });
  });
});

describe("docs/rules.md's table", () => {
  it('is what `prismwatch rules pages` derives from the shipped config', () => {
    const config = loadConfig(['probes', 'alerts'], configEnvFor(DEFAULT_LISTEN_ADDRESS, {}));
    const expected = `${pagingTable(whatPagesWhen(config, 10_000))}\n${pagingAssumptions(10_000)}\n`;
    const readme = readFileSync('docs/rules.md', 'utf8');
    const section = /<!-- what-pages-when:start -->\n([\s\S]*?)<!-- what-pages-when:end -->/.exec(
      readme,
    )?.[1];
    expect(section, 'docs/rules.md: regenerate with `npm run --silent readme:pages`').toBe(expected);
  });
});
