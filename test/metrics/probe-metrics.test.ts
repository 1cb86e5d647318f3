import { describe, expect, it } from 'vitest';
import { ProbeMetrics, userLabelNames } from '../../src/metrics/probe-metrics.js';
import type { ProbeResult, ProbeSpec } from '../../src/model/probe.js';

function spec(name: string, labels: Record<string, string> = {}): ProbeSpec {
  return {
    name,
    kind: 'http',
    intervalMs: 10_000,
    timeoutMs: 5_000,
    labels,
    settings: {},
    source: { file: 't', line: 1 },
  };
}

const ok: ProbeResult = {
  ok: true,
  startedAt: 0,
  durationMs: 1_750,
  phases: { resolve: 1, connect: 2, tls: 0, processing: 1_700, transfer: 47 },
  facts: {
    http: {
      statusCode: 200,
      httpVersion: '1.1',
      contentLength: 2,
      bodyBytes: 2,
      redirects: 1,
      finalUrl: 'https://x/',
      headers: {},
    },
    tls: {
      version: 'TLSv1.3',
      cipher: 'x',
      earliestExpiry: 1_900_000_000,
      lastChainExpiry: 1_900_000_000,
      subject: '',
      issuer: '',
      authorized: true,
    },
  },
};

describe('ProbeMetrics', () => {
  it('renders blackbox-compatible lines with escaped labels, a histogram and counters', () => {
    const metrics = new ProbeMetrics(userLabelNames([spec('a', { team: 'a"b\\c\nd' })]));
    const a = spec('a', { team: 'a"b\\c\nd' });
    metrics.register(a);
    metrics.observe(a, ok);
    metrics.observe(a, {
      ...ok,
      ok: false,
      durationMs: 40,
      failure: { code: 'status_mismatch', message: 'x' },
    });
    metrics.skip(a, 'overlap');
    const text = metrics.render().toString();
    const labels = 'probe="a",kind="http",team="a\\"b\\\\c\\nd"';
    expect(text).toContain(`# TYPE probe_success gauge\nprobe_success{${labels}} 0\n`);
    expect(text).toContain(`probe_http_duration_seconds{${labels},phase="processing"} 1.7\n`);
    expect(text).toContain(`probe_tls_version_info{${labels},version="TLSv1.3"} 1\n`);
    expect(text).toContain(`prismwatch_probe_duration_seconds_bucket{${labels},le="0.05"} 1\n`);
    expect(text).toContain(`prismwatch_probe_duration_seconds_bucket{${labels},le="1.5"} 1\n`);
    expect(text).toContain(`prismwatch_probe_duration_seconds_bucket{${labels},le="2"} 2\n`);
    expect(text).toContain(`prismwatch_probe_duration_seconds_bucket{${labels},le="+Inf"} 2\n`);
    expect(text).toContain(`prismwatch_probe_duration_seconds_count{${labels}} 2\n`);
    expect(text).toContain(`prismwatch_probe_runs_total{${labels},result="success",failure=""} 1\n`);
    expect(text).toContain(
      `prismwatch_probe_runs_total{${labels},result="failure",failure="status_mismatch"} 1\n`,
    );
    expect(text).toContain(`prismwatch_probe_skipped_total{${labels},reason="overlap"} 1\n`);
    expect(metrics.totals()).toEqual({ runs: 2, failures: 1, skipped: 1 });
  });

  it('groups each family together across probes, and streams the same bytes in any chunk size', () => {
    const metrics = new ProbeMetrics([]);
    for (const name of ['a', 'b', 'c']) {
      metrics.register(spec(name));
      metrics.observe(spec(name), ok);
    }
    const whole = metrics.render();
    expect(whole.length).toBe(metrics.exposition().length);
    for (const size of [1, 7, 64, 4096]) {
      expect(Buffer.concat([...metrics.exposition(size).chunks]).equals(whole)).toBe(true);
    }
    const families = whole
      .toString()
      .split('\n')
      .filter((line) => line.startsWith('# TYPE'))
      .map((line) => line.split(' ')[2]);
    expect(new Set(families).size).toBe(families.length);
    const successLines = whole
      .toString()
      .split('\n')
      .filter((line) => line.startsWith('probe_success{'));
    expect(successLines).toEqual([
      'probe_success{probe="a",kind="http"} 1',
      'probe_success{probe="b",kind="http"} 1',
      'probe_success{probe="c",kind="http"} 1',
    ]);
  });

  it('keeps a streaming scrape consistent with its length while probes are observed', () => {
    const metrics = new ProbeMetrics([]);
    const a = spec('a');
    metrics.register(a);
    metrics.observe(a, ok);
    const { length, chunks } = metrics.exposition(16);
    const parts: Buffer[] = [];
    for (const chunk of chunks) {
      parts.push(chunk);
      // An observation mid-stream changes the block's size (a failure adds a runs_total line).
      metrics.observe(a, { ...ok, ok: false, failure: { code: 'reset', message: 'x' } });
    }
    expect(Buffer.concat(parts).length).toBe(length);
  });

  it('counts failures in a row and says whether the certificate was rejected', () => {
    const metrics = new ProbeMetrics([]);
    const a = spec('a');
    metrics.register(a);
    const read = (name: string) =>
      Number(/ (\S+)\n/.exec(metrics.render().toString().split(`${name}{`)[1] ?? '')?.[1]);
    const rejected = { ...ok, ok: false, failure: { code: 'tls_error' as const, message: 'expired' } };
    metrics.observe(a, rejected);
    expect([
      read('prismwatch_probe_consecutive_failures'),
      read('prismwatch_tls_certificate_rejected'),
    ]).toEqual([1, 1]);
    metrics.observe(a, { ...ok, ok: false, failure: { code: 'status_mismatch', message: '500' } });
    expect([
      read('prismwatch_probe_consecutive_failures'),
      read('prismwatch_tls_certificate_rejected'),
    ]).toEqual([2, 0]);
    metrics.observe(a, ok);
    expect([
      read('prismwatch_probe_consecutive_failures'),
      read('prismwatch_tls_certificate_rejected'),
    ]).toEqual([0, 0]);
  });

  it('forgets every series of a removed probe', () => {
    const metrics = new ProbeMetrics([]);
    metrics.register(spec('gone'));
    metrics.observe(spec('gone'), ok);
    metrics.forget(spec('gone'));
    expect(metrics.render().toString()).toBe('');
    expect(metrics.exposition().length).toBe(0);
  });

  it('starts counters at zero before the first run, and leaves gauges out until then', () => {
    const metrics = new ProbeMetrics([]);
    metrics.register(spec('new'));
    const text = metrics.render().toString();
    expect(text).toContain(
      'prismwatch_probe_runs_total{probe="new",kind="http",result="success",failure=""} 0',
    );
    expect(text).not.toContain('probe_success');
  });
});
