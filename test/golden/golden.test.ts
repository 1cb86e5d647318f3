/**
 * Golden files for everything a probe kind contributes outside its own folder: the /metrics
 * exposition of a fixed config, every signal's value, the `prismwatch probe` report and the
 * PromQL of `rules export`. Results are fixed (not measured), so the bytes are too. Recorded
 * before the one-folder-per-kind restructure (issue 14) and held byte-identical through it.
 * After a deliberate change: `npx vitest run test/golden -u`, and review the diff.
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { buildAdHocSpec } from '../../src/cli/probe.js';
import { loadConfig } from '../../src/config/load.js';
import { ProbeMetrics, userLabelNames } from '../../src/metrics/probe-metrics.js';
import type { ProbeResult, ProbeSpec } from '../../src/model/probe.js';
import { proberFor } from '../../src/probers/index.js';
import { renderProbeReport } from '../../src/probers/report.js';
import { ProbeHistory, ResultStore } from '../../src/results/history.js';
import { exportPrometheusRules } from '../../src/rules/export.js';
import { computeSignal, SIGNALS } from '../../src/rules/signals.js';
import { evaluateGates } from '../../src/verify/gates.js';
import { ruleSpec } from '../helpers/specs.js';

const NOW = Date.parse('2026-12-01T12:00:00Z');
const EXPIRY = NOW / 1000 + 20 * 86_400;
const tls = {
  version: 'TLSv1.3',
  cipher: 'TLS_AES_256_GCM_SHA384',
  earliestExpiry: EXPIRY,
  lastChainExpiry: EXPIRY + 86_400,
  subject: 'CN=web.example',
  issuer: 'CN=Example CA',
  authorized: true,
};

function result(extra: Partial<ProbeResult>, offsetMs = 0): ProbeResult {
  return { ok: true, startedAt: NOW - 10_000 + offsetMs, durationMs: 120, phases: {}, facts: {}, ...extra };
}

/** Two runs per probe, so histograms and windows have more than one sample. */
const RESULTS: Record<string, ProbeResult[]> = {
  web: [
    result({
      durationMs: 2_600,
      phases: { resolve: 1.5, connect: 2.25, tls: 10, processing: 2_500, transfer: 86.25 },
      facts: {
        http: {
          statusCode: 200,
          httpVersion: '1.1',
          contentLength: 17,
          bodyBytes: 17,
          redirects: 1,
          finalUrl: 'https://web.example/health/',
          headers: { 'content-type': 'application/json', 'set-cookie': ['a=1', 'b=2'] },
        },
        tls,
      },
    }),
    result(
      {
        durationMs: 80,
        phases: { resolve: 1, connect: 2, tls: 9, processing: 60, transfer: 8 },
        facts: {
          http: {
            statusCode: 200,
            httpVersion: '1.1',
            contentLength: -1,
            bodyBytes: 0,
            redirects: 0,
            finalUrl: 'https://web.example/health',
            headers: {},
          },
          tls,
        },
      },
      1_000,
    ),
  ],
  'web-down': [
    result({
      ok: false,
      durationMs: 5_000,
      phases: { resolve: 0.5, connect: 4_999.5 },
      failure: { code: 'connect_timeout', phase: 'connect', message: 'no TCP handshake within 5000 ms' },
      facts: {
        http: {
          statusCode: 0,
          httpVersion: '1.1',
          contentLength: -1,
          bodyBytes: 0,
          redirects: 0,
          finalUrl: 'http://down.example/',
          headers: {},
        },
      },
    }),
    result(
      {
        ok: false,
        durationMs: 31,
        phases: { resolve: 1, connect: 2, processing: 28 },
        failure: { code: 'status_mismatch', message: 'status 503, expected 2xx' },
        facts: {
          http: {
            statusCode: 503,
            httpVersion: '1.1',
            contentLength: 5,
            bodyBytes: 5,
            redirects: 0,
            finalUrl: 'http://down.example/',
            headers: { 'retry-after': '3' },
          },
        },
      },
      1_000,
    ),
  ],
  resolver: [
    result({
      durationMs: 4,
      phases: { processing: 3.5 },
      facts: { dns: { rcode: 'NOERROR', answers: ['93.184.215.14', '93.184.215.15'], lookupMs: 3.5 } },
    }),
  ],
  port: [result({ durationMs: 0.75, phases: { connect: 0.5 } })],
  cert: [result({ durationMs: 30, phases: { connect: 1, tls: 28 }, facts: { tls } })],
  box: [
    result({
      durationMs: 2,
      facts: {
        host: {
          memory: { totalBytes: 8 * 2 ** 30, availableBytes: 2 * 2 ** 30, usedRatio: 0.75 },
          load: { load1: 0.5, load5: 0.25, load15: 0.125 },
          files: { allocated: 4_096, maximum: 65_536 },
          openFds: 42,
          disks: [
            { mount: '/', totalBytes: 100 * 2 ** 30, freeBytes: 30 * 2 ** 30, freeRatio: 0.3 },
            { mount: '/var', totalBytes: 50 * 2 ** 30, freeBytes: 5 * 2 ** 30, freeRatio: 0.1 },
          ],
        },
      },
    }),
  ],
  pg: [
    result({
      ok: false,
      durationMs: 12,
      phases: { connect: 1, processing: 10 },
      failure: { code: 'auth_failed', message: 'password authentication failed' },
    }),
  ],
  maria: [result({ durationMs: 8, phases: { connect: 1, processing: 6 } })],
  cache: [result({ durationMs: 1.25, phases: { connect: 0.25, tls: 0.5, processing: 0.5 }, facts: { tls } })],
  limits: [
    result({
      durationMs: 40,
      phases: { connect: 1, processing: 30 },
      facts: {
        rateLimit: {
          statusCode: 429,
          limited: true,
          dialect: 'ietf',
          limit: 100,
          remaining: 0,
          resetSeconds: 30,
          remainingRatio: 0,
          retryAfterSeconds: 30,
          burstSent: 101,
          burstLimitedAfter: 100,
        },
        tls,
      },
    }),
    result(
      { durationMs: 20, facts: { rateLimit: { statusCode: 200, limited: false, dialect: 'none' } } },
      1_000,
    ),
  ],
  headers: [
    result({
      ok: false,
      durationMs: 300,
      failure: { code: 'security_policy', message: 'grade B, below the minimum A' },
      facts: {
        security: {
          score: 70,
          grade: 'B',
          algorithmVersion: 4,
          passed: 8,
          failed: 1,
          notEvaluated: 1,
          results: [
            { test: 'content-security-policy', result: 'csp-not-implemented', modifier: -25, pass: false },
            {
              test: 'strict-transport-security',
              result: 'hsts-implemented-max-age-at-least-six-months',
              modifier: 0,
              pass: true,
            },
            {
              test: 'subresource-integrity',
              result: 'sri-not-implemented-but-no-scripts-loaded',
              modifier: 0,
              pass: undefined,
            },
          ],
          disclosing: ['server', 'x-powered-by'],
          findings: [],
          url: 'https://web.example/',
        },
      },
    }),
  ],
};

function fixedConfig(): ProbeSpec[] {
  const probes = loadConfig([new URL('../fixtures/golden/config.yaml', import.meta.url).pathname], {}).probes;
  expect(probes.map((probe) => probe.name).sort()).toEqual(Object.keys(RESULTS).sort());
  return [...probes];
}

describe('golden files', () => {
  it('/metrics of the fixed config', async () => {
    const probes = fixedConfig();
    const metrics = new ProbeMetrics(userLabelNames(probes));
    for (const spec of probes) metrics.register(spec);
    for (const spec of probes) for (const run of RESULTS[spec.name]!) metrics.observe(spec, run);
    metrics.skip(probes[0]!, 'overlap');
    metrics.skip(probes[1]!, 'missed');
    await metrics.refresh();
    await expect(metrics.render().toString()).toMatchFileSnapshot('../fixtures/golden/metrics.prom');
  });

  it('every signal of every probe', async () => {
    const values: Record<string, Record<string, number | null>> = {};
    for (const spec of fixedConfig()) {
      const history = new ProbeHistory(16);
      for (const run of RESULTS[spec.name]!) history.record(run);
      values[spec.name] = Object.fromEntries(
        SIGNALS.map((signal) => [
          signal,
          computeSignal(signal, { history, now: NOW, windowMs: 60_000, minSamples: 1 }) ?? null,
        ]),
      );
    }
    await expect(`${JSON.stringify(values, null, 2)}\n`).toMatchFileSnapshot(
      '../fixtures/golden/signals.json',
    );
  });

  it('the `prismwatch probe` report of every kind', async () => {
    const reports = fixedConfig().map((spec) =>
      renderProbeReport(proberFor(spec.kind)!.describeTarget(spec.settings), RESULTS[spec.name]![0]!, {
        now: NOW,
      }),
    );
    await expect(reports.join('\n')).toMatchFileSnapshot('../fixtures/golden/report.txt');
  });

  it('`rules export` of a rule on every signal', async () => {
    const rules = SIGNALS.map((signal) =>
      ruleSpec({
        alert: `On_${signal}`,
        signal,
        threshold: 1,
        op: '>',
        minSamples: 3,
        annotations: { summary: '{{ probe }} at {{ value }} (threshold {{ threshold }})' },
      }),
    );
    const exported = exportPrometheusRules(rules, fixedConfig());
    await expect(`${exported.yaml}\n# notes\n${exported.notes.join('\n')}\n`).toMatchFileSnapshot(
      '../fixtures/golden/rules-export.yaml',
    );
  });

  it('`prismwatch probe` specs from the command line, every kind', async () => {
    const caFile = join(mkdtempSync(join(tmpdir(), 'golden-')), 'ca.pem');
    writeFileSync(caFile, '-----BEGIN CERTIFICATE-----\nfixture\n-----END CERTIFICATE-----\n');
    const specs = Object.fromEntries(
      [
        [
          'http',
          'web.example/health',
          { method: 'head', header: ['X-Probe: 1'], status: ['2xx'], insecure: true },
        ],
        ['dns', 'example.org', { server: '127.0.0.1:53', type: 'aaaa' }],
        ['tcp', '127.0.0.1:6379', { insecure: true, caFile: caFile }],
        ['tls', 'web.example:443', { caFile: caFile }],
        ['host', '/var', {}],
        ['postgres', 'postgres://monitor@127.0.0.1:5432/app', {}],
        ['mysql', 'mysql://monitor@127.0.0.1:3306/app', {}],
        ['redis', 'redis://127.0.0.1:6379', {}],
        ['rate_limit', 'https://api.example/v1/ping', {}],
        ['security_headers', 'web.example', {}],
      ].map(([kind, target, options]) => {
        const spec = buildAdHocSpec(target as string, {
          kind: kind as string,
          timeout: '5s',
          ...(options as object),
        });
        return [kind, { settings: spec.settings, timeoutMs: spec.timeoutMs }];
      }),
    );
    await expect(`${JSON.stringify(specs, null, 2)}\n`).toMatchFileSnapshot(
      '../fixtures/golden/cli-specs.json',
    );
  });

  it('`prismwatch verify` evidence of every probe', async () => {
    const probes = fixedConfig();
    const store = new ResultStore();
    for (const spec of probes) for (const run of RESULTS[spec.name]!) store.record(spec, run);
    const results = new Map(probes.map((spec) => [spec.name, RESULTS[spec.name]!]));
    const gates = evaluateGates({ rules: [] }, probes, {
      results,
      store,
      startedAt: NOW - 60_000,
      finishedAt: NOW,
    });
    const evidence = gates.map((gate) => ({ id: gate.id, evidence: gate.evidence, measures: gate.measures }));
    await expect(`${JSON.stringify(evidence, null, 2)}\n`).toMatchFileSnapshot(
      '../fixtures/golden/verify-evidence.json',
    );
  });
});
