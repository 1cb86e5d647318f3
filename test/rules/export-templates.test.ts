/**
 * Every shipped rule that `rules export` writes, run by Debian's promtool on input series shaped
 * like prismwatch's (same labels, a known value), must fire with the annotations prismwatch itself
 * renders for that value: promtool's `test rules` compares the texts exactly. Once the export
 * printed "certificate expires in 9.999190972221118" where prismwatch said "10.0 days", and
 * "()" for {{kind}}.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { loadConfig } from '../../src/config/load.js';
import { PROBE_DURATION_BUCKETS } from '../../src/metrics/probe-metrics.js';
import type { ProbeSpec } from '../../src/model/probe.js';
import { alertLabels } from '../../src/rules/evaluator.js';
import { exportPrometheusRules } from '../../src/rules/export.js';
import { type RuleSpec, selects } from '../../src/rules/rule.js';
import { renderAnnotations } from '../../src/rules/template.js';
import { probeSpec, ruleSpec } from '../helpers/specs.js';

const available = spawnSync('promtool', ['--version']).status === 0;

/** Input series (name → promtool values, 1m apart) that give the signal `value` at EVAL. */
interface Input {
  readonly series: Array<[name: string, extra: Record<string, string>, values: string]>;
  readonly value: number;
  /** Labels the expression drops from the probe's (the disk's mount). */
  readonly dropped?: readonly string[];
}

const EVAL_MINUTES = 40;
const STEPS = `x${EVAL_MINUTES + 5}`;
const BUCKETS = [...PROBE_DURATION_BUCKETS.map(String), '+Inf'];

/** What makes each signal of the shipped rules fire, with the value it then has. */
const INPUTS: Record<string, Input> = {
  up: { series: [['probe_success', {}, `0${STEPS}`]], value: 0 },
  // Nothing answered: no rejected certificate to tell it apart from.
  cert_unchecked: { series: [['probe_success', {}, `0${STEPS}`]], value: 1 },
  error_ratio: {
    series: [
      ['prismwatch_probe_runs_total', { result: 'success', failure: '' }, `0+9${STEPS}`],
      ['prismwatch_probe_runs_total', { result: 'failure', failure: 'status_mismatch' }, `0+1${STEPS}`],
      ['prismwatch_probe_duration_seconds_count', {}, `0+10${STEPS}`],
    ],
    value: 0.1,
  },
  latency_p95: {
    // Every run between 2 s and 2.5 s: the quantile interpolates to 2 + 0.5 × 0.95.
    series: [
      ...BUCKETS.map((le): Input['series'][number] => [
        'prismwatch_probe_duration_seconds_bucket',
        { le },
        `0+${Number(le) >= 2.5 || le === '+Inf' ? 10 : 0}${STEPS}`,
      ]),
      ['prismwatch_probe_runs_total', { result: 'success', failure: '' }, `0+10${STEPS}`],
      ['prismwatch_probe_duration_seconds_count', {}, `0+10${STEPS}`],
    ],
    value: 2.475,
  },
  security_policy_failed: {
    series: [
      ['probe_success', {}, `0${STEPS}`],
      ['prismwatch_security_score', {}, `40${STEPS}`],
    ],
    value: 1,
  },
  cert_invalid: { series: [['prismwatch_tls_certificate_rejected', {}, `1${STEPS}`]], value: 1 },
  consecutive_failures: { series: [['prismwatch_probe_consecutive_failures', {}, `3${STEPS}`]], value: 3 },
  memory_used_ratio: { series: [['prismwatch_host_memory_used_ratio', {}, `0.97${STEPS}`]], value: 0.97 },
  disk_free_ratio: {
    series: [
      ['prismwatch_host_disk_free_ratio', { mount: '/' }, `0.5${STEPS}`],
      ['prismwatch_host_disk_free_ratio', { mount: '/var' }, `0.03${STEPS}`],
    ],
    value: 0.03,
    dropped: ['mount'],
  },
  ratelimit_remaining_ratio: {
    series: [['prismwatch_ratelimit_remaining_ratio', {}, `0.1${STEPS}`]],
    value: 0.1,
  },
  // time() is the evaluation's: 10 days and 2 hours after it, a fraction prismwatch rounds.
  cert_expiry_days: {
    series: [['probe_ssl_earliest_cert_expiry', {}, `${EVAL_MINUTES * 60 + 10 * 86400 + 7200}${STEPS}`]],
    value: 10 + 7200 / 86400,
  },
  lcp_seconds: {
    series: [['prismwatch_browser_web_vital', { metric: 'lcp' }, `4.5${STEPS}`]],
    value: 4.5,
    dropped: ['metric'],
  },
  // Under both domain thresholds (30 and 7 days), so each rule fires.
  domain_expiry_days: {
    series: [
      ['prismwatch_domain_expiry_timestamp_seconds', {}, `${EVAL_MINUTES * 60 + 5 * 86400 + 7200}${STEPS}`],
    ],
    value: 5 + 7200 / 86400,
  },
};

/** The labels of this probe's series as Prometheus stores them under the documented scrape config (docs/metrics.md) (instance = probe; empty values dropped). */
function probeLabels(probe: ProbeSpec): Record<string, string> {
  const labels: Record<string, string> = { probe: probe.name, kind: probe.kind, instance: probe.name };
  for (const [name, value] of Object.entries(probe.labels)) if (value !== '') labels[name] = value;
  return labels;
}

function seriesText(name: string, labels: Record<string, string>): string {
  const parts = Object.entries(labels)
    .filter(([, value]) => value !== '')
    .map(([key, value]) => `${key}=${JSON.stringify(value)}`);
  return `${name}{${parts.join(',')}}`;
}

function testCase(rule: RuleSpec, probe: ProbeSpec): Record<string, unknown> {
  const input = INPUTS[rule.signal];
  if (!input) throw new Error(`no input series for signal ${rule.signal} (rule ${rule.alert}): add one`);
  const labels = probeLabels(probe);
  const expLabels: Record<string, string> = { ...labels, ...rule.labels, severity: rule.severity };
  for (const name of input.dropped ?? []) delete expLabels[name];
  const expAnnotations = renderAnnotations(rule, probe, input.value, alertLabels(rule, probe));
  return {
    interval: '1m',
    input_series: input.series.map(([name, extra, values]) => ({
      series: seriesText(name, { ...labels, ...extra }),
      values,
    })),
    alert_rule_test: [
      {
        eval_time: `${EVAL_MINUTES}m`,
        alertname: rule.alert,
        exp_alerts: [{ exp_labels: expLabels, exp_annotations: expAnnotations }],
      },
    ],
  };
}

/**
 * Runs the export of `rules` through promtool with, for each rule, input series of the first
 * probe it selects, expecting prismwatch's own annotation texts. Rules sharing a name fire
 * together, and promtool checks one alertname's whole list, so they share a test group.
 */
function promtoolAgrees(rules: readonly RuleSpec[], probes: readonly ProbeSpec[]): void {
  const { yaml } = exportPrometheusRules(rules, probes);
  const exported = new Set(
    (parse(yaml) as { groups: Array<{ rules: Array<{ alert: string }> }> }).groups[0]!.rules.map(
      (rule) => rule.alert,
    ),
  );
  const byAlert = new Map<string, Array<Record<string, unknown>>>();
  for (const rule of rules) {
    if (!exported.has(rule.alert) || Object.keys(rule.annotations).length === 0) continue;
    const probe = probes.find((candidate) => selects(rule.select, candidate));
    if (!probe) throw new Error(`${rule.alert} selects no probe`);
    byAlert.set(rule.alert, [...(byAlert.get(rule.alert) ?? []), testCase(rule, probe)]);
  }
  const tests = [...byAlert.values()].map((group) => ({
    interval: '1m',
    input_series: group.flatMap((testcase) => testcase.input_series as unknown[]),
    alert_rule_test: [
      {
        ...(group[0]!.alert_rule_test as Array<Record<string, unknown>>)[0],
        exp_alerts: group.flatMap(
          (testcase) => (testcase.alert_rule_test as Array<{ exp_alerts: unknown[] }>)[0]!.exp_alerts,
        ),
      },
    ],
  }));
  const dir = mkdtempSync(join(tmpdir(), 'prismwatch-templates-'));
  writeFileSync(join(dir, 'rules.yml'), yaml);
  writeFileSync(
    join(dir, 'test.yml'),
    JSON.stringify({ rule_files: ['rules.yml'], evaluation_interval: '1m', tests }, null, 2),
  );
  const run = spawnSync('promtool', ['test', 'rules', 'test.yml'], { encoding: 'utf8', cwd: dir });
  expect(run.stdout + run.stderr).toContain('SUCCESS');
  expect(run.status).toBe(0);
  return;
}

describe('exported annotations', () => {
  it.runIf(available)('read as prismwatch renders them, for every exported shipped rule', () => {
    const config = loadConfig(['alerts', 'probes', 'probes/examples'], {
      PRISMWATCH_URL: 'http://127.0.0.1:9797',
    });
    const annotated = config.rules.filter((rule) => Object.keys(rule.annotations).length > 0);
    expect(annotated.length).toBeGreaterThanOrEqual(12);
    promtoolAgrees(config.rules, config.probes);
  });

  it.runIf(available)(
    'keep literal braces literal, and read labels as prismwatch does (rule labels, labels a probe lacks)',
    () => {
      const template =
        'literal {{ $value }} and {{{probe}}} and }} {x} | {{kind}} {{alert}} {{severity}} {{window}} {{threshold}} {{value}} | team={{labels.team}} tier={{labels.tier}} owner={{labels.owner}} sev={{labels.severity}} name={{labels.alertname}} probe={{labels.probe}} kind={{labels.kind}}';
      const rules = [
        ruleSpec({
          alert: 'Hostile',
          select: { names: ['with-team'] },
          labels: { owner: 'ops {on call}' },
          annotations: { text: template },
        }),
        ruleSpec({
          alert: 'HostileBare',
          select: { names: ['bare.one'] },
          signal: 'error_ratio',
          op: '>',
          threshold: 0.05,
          windowMs: 300_000,
          annotations: { text: template },
        }),
      ];
      const probes = [
        probeSpec('with-team', { labels: { team: 'core "quoted"', tier: '' } }),
        probeSpec('bare.one'),
        probeSpec('bare-one'),
      ];
      promtoolAgrees(rules, probes);
    },
  );
});
