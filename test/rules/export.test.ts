/**
 * `prismwatch rules export` against Debian's promtool: the export must pass `check rules`, and the
 * error-rate and latency rules must fire in `test rules` on series shaped like prismwatch's own.
 * In CI promtool must be present (see test/metrics/promtool.test.ts).
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config/load.js';
import { PROBE_DURATION_BUCKETS } from '../../src/metrics/probe-metrics.js';
import { exportPrometheusRules } from '../../src/rules/export.js';
import type { RuleSpec } from '../../src/rules/rule.js';
import { probeSpec, ruleSpec } from '../helpers/specs.js';

const available = spawnSync('promtool', ['--version']).status === 0;

const web = probeSpec('web', { intervalMs: 6_000 });
const base = { windowMs: 300_000 };
const RULES: RuleSpec[] = [
  ruleSpec({
    ...base,
    alert: 'HighErrorRate',
    severity: 'critical',
    signal: 'error_ratio',
    op: '>',
    threshold: 0.05,
    minSamples: 10,
    forMs: 60_000,
  }),
  ruleSpec({
    ...base,
    alert: 'HighLatency',
    severity: 'warning',
    signal: 'latency_p95',
    op: '>',
    threshold: 2,
    minSamples: 5,
    forMs: 120_000,
  }),
];

/** The edges prismwatch's latency histogram really has, so the input series match a real scrape. */
const BUCKETS = [...PROBE_DURATION_BUCKETS.map(String), '+Inf'];

function unitTest(rulesFile: string): string {
  const bucketSeries = BUCKETS.map((le) => {
    const perMinute = Number(le) >= 2.5 || le === '+Inf' ? 10 : 0; // every run takes about 2.4 s
    return `      - series: 'prismwatch_probe_duration_seconds_bucket{probe="web",le="${le}"}'\n        values: '0+${perMinute}x20'`;
  });
  return `rule_files: [${JSON.stringify(rulesFile)}]
evaluation_interval: 1m
tests:
  - interval: 1m
    input_series:
      - series: 'prismwatch_probe_runs_total{probe="web",result="success",failure=""}'
        values: '0+9x20'
      - series: 'prismwatch_probe_runs_total{probe="web",result="failure",failure="status_mismatch"}'
        values: '0+1x20'
      - series: 'prismwatch_probe_duration_seconds_count{probe="web"}'
        values: '0+10x20'
${bucketSeries.join('\n')}
    alert_rule_test:
      - eval_time: 10m
        alertname: HighErrorRate
        exp_alerts:
          - exp_labels: { severity: critical, probe: web }
      - eval_time: 10m
        alertname: HighLatency
        exp_alerts:
          - exp_labels: { severity: warning, probe: web }
`;
}

describe('rules export', () => {
  it('says which rules it cannot express instead of approximating them', () => {
    const config = loadConfig(['alerts', 'probes'], { PRISMWATCH_URL: 'http://127.0.0.1:9797' });
    const { notes } = exportPrometheusRules(config.rules, config.probes);
    // Every shipped rule is exported, hysteresis included (through ALERTS).
    expect(notes.filter((note) => note.includes('left out') || note.includes('dropped'))).toEqual([]);
  });

  it.runIf(available)('passes promtool check rules for the shipped rules', () => {
    const config = loadConfig(['alerts', 'probes', 'probes/examples'], {
      PRISMWATCH_URL: 'http://127.0.0.1:9797',
    });
    const dir = mkdtempSync(join(tmpdir(), 'prismwatch-rules-'));
    writeFileSync(join(dir, 'rules.yml'), exportPrometheusRules(config.rules, config.probes).yaml);
    const check = spawnSync('promtool', ['check', 'rules', join(dir, 'rules.yml')], { encoding: 'utf8' });
    expect(check.stdout + check.stderr).toContain('SUCCESS');
    expect(check.status).toBe(0);
  });

  it.runIf(available)('fires the error-rate and latency rules in promtool test rules', () => {
    const dir = mkdtempSync(join(tmpdir(), 'prismwatch-rules-'));
    writeFileSync(join(dir, 'rules.yml'), exportPrometheusRules(RULES, [web]).yaml);
    writeFileSync(join(dir, 'test.yml'), unitTest('rules.yml'));
    const run = spawnSync('promtool', ['test', 'rules', join(dir, 'test.yml')], {
      encoding: 'utf8',
      cwd: dir,
    });
    expect(run.stdout + run.stderr).toContain('SUCCESS');
    expect(run.status).toBe(0);
  });
});
