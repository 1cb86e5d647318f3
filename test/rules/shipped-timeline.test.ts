/**
 * prismwatch and Prometheus agree on every shipped rule. For each rule in alerts/, one probe it
 * selects runs every 15 s for 40 minutes: good, then bad for 12 minutes, then (for a rule with a
 * resolve threshold) between the two thresholds, then good again. The same runs go
 *
 * - through prismwatch's evaluator, once a minute, and
 * - through prismwatch's own /metrics rendering, sampled once a minute, as the input series of
 *   `promtool test rules` with the rules `rules export` writes,
 *
 * and both must hold the same alerts at every minute: pending and firing from the same minute,
 * resolved at the same minute, with hysteresis, `for`, `keep_firing_for` and the "window's worth
 * of runs" coverage. The exported alerts carry the series' `kind` label beside prismwatch's.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { stringify } from 'yaml';
import { loadConfig } from '../../src/config/load.js';
import { ProbeMetrics, userLabelNames } from '../../src/metrics/probe-metrics.js';
import type { ProbeResult, ProbeSpec } from '../../src/model/probe.js';
import { ResultStore } from '../../src/results/history.js';
import { AlertEvaluator } from '../../src/rules/evaluator.js';
import { exportPrometheusRules } from '../../src/rules/export.js';
import { durationBuckets } from '../../src/rules/latency-buckets.js';
import { type RuleSpec, selects } from '../../src/rules/rule.js';

const available = spawnSync('promtool', ['--version']).status === 0;
const MINUTE = 60_000;
const DAY = 86_400_000;
const RUN_EVERY_MS = 15_000;
const MINUTES = 40;

type Phase = 'good' | 'bad' | 'between';

function phaseAt(ms: number, rule: RuleSpec): Phase {
  const minute = ms / MINUTE;
  if (minute >= 12 && minute < 24) return 'bad';
  if (minute >= 24 && minute < 29 && rule.resolveThreshold !== undefined) return 'between';
  return 'good';
}

/** A value on the bad side, past the resolve threshold but not the threshold, or on the good side. */
function valueFor(rule: RuleSpec, phase: Phase, bad: number, good: number): number {
  if (phase === 'bad') return bad;
  if (phase === 'between') return (rule.threshold + rule.resolveThreshold!) / 2;
  return good;
}

const security = {
  score: 40,
  grade: 'D',
  algorithmVersion: 4,
  passed: 6,
  failed: 3,
  notEvaluated: 1,
  results: [],
  disclosing: [],
  findings: [],
  url: 'https://prismai.example/',
};

/** One run of the rule's probe at `at` (epoch ms from 0, promtool's clock), `index` counting runs. */
function runFor(rule: RuleSpec, at: number, index: number): ProbeResult {
  const phase = phaseAt(at, rule);
  const base = { ok: true, startedAt: at, durationMs: 80, phases: {}, facts: {} } as ProbeResult;
  const failed = (code: string): ProbeResult =>
    ({ ...base, ok: false, failure: { code, message: 'x' } }) as ProbeResult;
  switch (rule.signal) {
    case 'up':
    case 'consecutive_failures':
    case 'cert_unchecked':
      return phase === 'bad' ? failed('connect_refused') : base;
    case 'error_ratio':
      return phase === 'bad' && index % 3 === 0 ? failed('status_mismatch') : base;
    case 'latency_p95':
      return { ...base, durationMs: valueFor(rule, phase, 3.2, 0.1) * 1000 };
    case 'memory_used_ratio':
    case 'disk_free_ratio': {
      const memory = rule.signal === 'memory_used_ratio' ? valueFor(rule, phase, 0.97, 0.5) : 0.5;
      const free = rule.signal === 'disk_free_ratio' ? valueFor(rule, phase, 0.03, 0.5) : 0.5;
      return {
        ...base,
        facts: {
          host: {
            memory: {
              totalBytes: 8 * 2 ** 30,
              availableBytes: (1 - memory) * 8 * 2 ** 30,
              usedRatio: memory,
            },
            load: { load1: 0.5, load5: 0.25, load15: 0.125 },
            files: { allocated: 4_096, maximum: 65_536 },
            openFds: 42,
            disks: [
              { mount: '/', totalBytes: 100 * 2 ** 30, freeBytes: free * 100 * 2 ** 30, freeRatio: free },
            ],
          },
        },
      } as ProbeResult;
    }
    case 'cert_invalid':
    case 'cert_expiry_days': {
      const expiry = at / 1000 + (rule.signal === 'cert_expiry_days' && phase === 'bad' ? 5 : 90) * 86_400;
      const tls = {
        version: 'TLSv1.3',
        cipher: 'TLS_AES_256_GCM_SHA384',
        earliestExpiry: expiry,
        lastChainExpiry: expiry,
        subject: 'CN=prismai.example',
        issuer: 'CN=Example CA',
        authorized: !(rule.signal === 'cert_invalid' && phase === 'bad'),
      };
      const rejected = rule.signal === 'cert_invalid' && phase === 'bad';
      return { ...(rejected ? failed('tls_error') : base), facts: { tls } } as ProbeResult;
    }
    case 'security_policy_failed':
      return { ...(phase === 'bad' ? failed('security_policy') : base), facts: { security } } as ProbeResult;
    case 'ratelimit_remaining_ratio': {
      const ratio = valueFor(rule, phase, 0.1, 0.6);
      return {
        ...base,
        facts: {
          rateLimit: {
            statusCode: 200,
            limited: false,
            dialect: 'ietf',
            limit: 100,
            remaining: ratio * 100,
            resetSeconds: 30,
            remainingRatio: ratio,
          },
        },
      } as ProbeResult;
    }
    case 'domain_expiry_days': {
      const days = phase === 'bad' ? 3 : 90;
      return {
        ...base,
        facts: {
          domain: {
            domain: 'prismai.example',
            expiresAt: at + days * DAY,
            status: [],
            server: 'rdap',
            fetchedAt: at,
          },
        },
      } as ProbeResult;
    }
    case 'lcp_seconds':
      return {
        ...base,
        facts: {
          browser: {
            statusCode: 200,
            vitals: { lcp: valueFor(rule, phase, 6, 1), cls: 0 },
            consoleErrors: [],
            failedRequests: [],
            requests: 3,
          },
        },
      } as ProbeResult;
    default:
      throw new Error(`no timeline for signal ${rule.signal} (rule ${rule.alert}): add one`);
  }
}

/** Samples of an exposition, empty-valued labels dropped (Prometheus treats them as absent). */
function samplesOf(exposition: string): Map<string, number> {
  const out = new Map<string, number>();
  for (const line of exposition.split('\n')) {
    if (line === '' || line.startsWith('#')) continue;
    const match = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{(.*)\})? (\S+)$/.exec(line);
    if (!match) continue;
    const labels = [...(match[2] ?? '').matchAll(/([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\]|\\.)*)"/g)]
      .filter(([, , value]) => value !== '')
      .map(([, name, value]) => `${name}="${value}"`);
    out.set(`${match[1]}{${labels.join(',')}}`, Number(match[3]));
  }
  return out;
}

interface Timeline {
  readonly rule: RuleSpec;
  readonly probe: ProbeSpec;
  readonly series: Map<string, Array<number | undefined>>;
  /** Per minute 0…MINUTES: the labels of the rule's alerts firing in prismwatch. */
  readonly firing: Array<Array<Record<string, string>>>;
}

async function timelineOf(
  rule: RuleSpec,
  probe: ProbeSpec,
  allRules: readonly RuleSpec[],
): Promise<Timeline> {
  const metrics = new ProbeMetrics(userLabelNames([probe]), durationBuckets(allRules, []));
  metrics.register(probe);
  const store = new ResultStore();
  const evaluator = new AlertEvaluator();
  const series = new Map<string, Array<number | undefined>>();
  const firing: Timeline['firing'] = [];
  let index = 0;
  for (let minute = 0; minute <= MINUTES; minute++) {
    // Runs at 5 s, 20 s, 35 s, 50 s past each minute: never on an evaluation's instant.
    for (let at = (minute - 1) * MINUTE + 5_000; minute > 0 && at < minute * MINUTE; at += RUN_EVERY_MS) {
      const result = runFor(rule, at, index++);
      store.record(probe, result);
      metrics.observe(probe, result);
    }
    await metrics.refresh();
    for (const [key, value] of samplesOf(metrics.render().toString())) {
      if (!series.has(key)) series.set(key, Array<number | undefined>(MINUTES + 1).fill(undefined));
      series.get(key)![minute] = value;
    }
    evaluator.evaluate(minute * MINUTE, [rule], [probe], store, MINUTE);
    firing[minute] = evaluator
      .list()
      .filter((alert) => alert.state === 'firing')
      .map((alert) => {
        const { alertname: _, ...labels } = alert.labels;
        return { ...labels, kind: probe.kind };
      });
  }
  return { rule, probe, series, firing };
}

describe('shipped rules: prismwatch and promtool test rules agree minute by minute', () => {
  it('holds for every rule in alerts/', async () => {
    const config = loadConfig(['alerts', 'probes', 'probes/examples'], {
      PRISMWATCH_URL: 'http://127.0.0.1:9797',
    });
    const timelines: Timeline[] = [];
    for (const rule of config.rules) {
      const selected = config.probes.find((probe) => selects(rule.select, probe));
      expect(selected, `${rule.alert} selects no shipped probe`).toBeDefined();
      const probe = { ...selected!, intervalMs: RUN_EVERY_MS, schedule: undefined };
      timelines.push(await timelineOf(rule, probe, config.rules));
    }
    // Each rule fires in prismwatch and resolves before the end: the timelines test something.
    for (const { rule, firing } of timelines) {
      expect(
        firing.some((list) => list.length > 0),
        `${rule.alert} never fired`,
      ).toBe(true);
      expect(firing.at(-1), `${rule.alert} still firing at the end`).toEqual([]);
    }
    if (!available) {
      expect(process.env.CI, 'promtool is missing: .ci/run must install prometheus').not.toBe('true');
      return;
    }
    const { yaml } = exportPrometheusRules(config.rules, config.probes);
    // Annotations render $value, and the test is about when alerts fire: they are left out.
    const groups = (
      (await import('yaml')).parse(yaml) as { groups: Array<{ rules: Array<Record<string, unknown>> }> }
    ).groups.map((group) => ({
      ...group,
      rules: group.rules.map(({ annotations: _, ...rule }) => rule),
    }));
    const dir = mkdtempSync(join(tmpdir(), 'prismwatch-shipped-'));
    writeFileSync(join(dir, 'rules.yml'), stringify({ groups }, { lineWidth: 0 }));
    const tests = timelines.map(({ rule, series, firing }) => ({
      interval: '1m',
      input_series: [...series].map(([key, values]) => ({
        series: key.endsWith('{}') ? key.slice(0, -2) : key,
        values: values.map((value) => (value === undefined ? '_' : String(value))).join(' '),
      })),
      alert_rule_test: firing.map((labels, minute) => ({
        eval_time: `${minute}m`,
        alertname: rule.alert,
        exp_alerts: labels.map((exp_labels) => ({ exp_labels })),
      })),
    }));
    writeFileSync(
      join(dir, 'test.yml'),
      stringify({ rule_files: ['rules.yml'], evaluation_interval: '1m', tests }, { lineWidth: 0 }),
    );
    const run = spawnSync('promtool', ['test', 'rules', join(dir, 'test.yml')], {
      encoding: 'utf8',
      cwd: dir,
    });
    expect(run.stdout + run.stderr).toContain('SUCCESS');
    expect(run.status).toBe(0);
  });
});
