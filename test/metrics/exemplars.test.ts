/**
 * Trace ids as exemplars: with --metrics.exemplars, a scrape that accepts OpenMetrics gets it, the
 * latency histogram's bucket of each probe's last traced run carrying `trace_id` — and Debian's
 * real Prometheus, with exemplar storage on, ingests the whole exposition and answers the trace id
 * the target saw. Without the flag, the same scrape gets the text format it always got.
 */
import { describe, expect, it } from 'vitest';
import { traceIdOf } from '../../src/probers/http-client/trace-context.js';
import { startCli } from '../helpers/cli.js';
import { configDir } from '../helpers/config-dir.js';
import { eventually } from '../helpers/metrics.js';
import { prismwatchScrape, requirePrometheus, startPrometheus } from '../helpers/prometheus.js';
import { withHttpServer } from '../helpers/servers.js';

const OPENMETRICS_ACCEPT =
  'application/openmetrics-text;version=1.0.0,application/openmetrics-text;version=0.0.1;q=0.75,text/plain;version=0.0.4;q=0.5,*/*;q=0.1';

describe('exemplars', () => {
  it('puts each probe’s last trace id on its latency bucket, and Prometheus stores it', async () => {
    requirePrometheus();
    const seen: string[] = [];
    const target = await withHttpServer((req, res) => {
      const id = traceIdOf(req.headers.traceparent as string | undefined);
      if (id) seen.push(id);
      res.writeHead(200).end('ok');
    });
    const dir = configDir();
    dir.write(
      'c.yaml',
      `probes:\n  - { name: traced, kind: http, url: "${target.url}/", interval: 500ms }\n  - { name: untraced, kind: http, url: "${target.url}/", interval: 500ms, traceparent: false }\n`,
    );
    const daemon = await startCli(['--config', dir.path, '--metrics.exemplars']);
    await eventually(() => seen.length >= 1);

    const scrape = await fetch(`${daemon.baseUrl}/metrics`, { headers: { accept: OPENMETRICS_ACCEPT } });
    expect(scrape.headers.get('content-type')).toBe(
      'application/openmetrics-text; version=1.0.0; charset=utf-8',
    );
    const text = await scrape.text();
    expect(text.endsWith('# EOF\n')).toBe(true);
    expect(text).not.toMatch(/\n\n/);
    expect(text).toContain('# TYPE prismwatch_probe_runs counter\n');
    expect(text).toMatch(/\nprismwatch_probe_runs_total\{probe="traced"/);
    const withExemplar = text
      .split('\n')
      .filter((line) => line.startsWith('prismwatch_probe_duration_seconds_bucket') && line.includes(' # {'));
    expect(withExemplar).toHaveLength(1);
    expect(withExemplar[0]).toMatch(
      /^prismwatch_probe_duration_seconds_bucket\{probe="traced",kind="http",le="[^"]+"\} \d+ # \{trace_id="[0-9a-f]{32}"\} [\d.e-]+ \d+(\.\d+)?$/,
    );

    // Prometheus (which asks for OpenMetrics first) ingests it all and keeps the exemplars.
    const prometheus = await startPrometheus({
      scrapeConfigs: prismwatchScrape(new URL(daemon.baseUrl).host),
      features: ['exemplar-storage'],
    });
    await eventually(async () => (await prometheus.query('up')).some((sample) => sample.value === 1));
    expect((await prometheus.query('prismwatch_probe_runs_total{probe="traced"}')).length).toBeGreaterThan(0);
    const stored = await eventually(async () => {
      const exemplars = await prometheus.exemplars(
        'prismwatch_probe_duration_seconds_bucket{probe="traced"}',
      );
      return exemplars.length > 0 ? exemplars : undefined;
    });
    expect(seen).toContain(stored[0]!.labels.trace_id);
    expect(await prometheus.exemplars('prismwatch_probe_duration_seconds_bucket{probe="untraced"}')).toEqual(
      [],
    );
  }, 120_000);

  it('without --metrics.exemplars, a scrape asking for OpenMetrics gets the text format', async () => {
    const dir = configDir();
    dir.write('c.yaml', 'probes:\n  - { name: self, kind: tcp, target: "127.0.0.1:9", interval: 1s }\n');
    const daemon = await startCli(['--config', dir.path]);
    const scrape = await fetch(`${daemon.baseUrl}/metrics`, { headers: { accept: OPENMETRICS_ACCEPT } });
    expect(scrape.headers.get('content-type')).toMatch(/^text\/plain; version=0\.0\.4/);
    expect(await scrape.text()).not.toContain('# EOF');
  });
});
