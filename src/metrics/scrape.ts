/**
 * One /metrics answer: prismwatch's own text first, then the probes' exposition streamed in
 * chunks, with the time spent rendering (not the turns given away between chunks) recorded.
 */
import type { Gauge } from 'prom-client';
import type { ProbeMetrics } from './probe-metrics.js';

export interface MetricsBody {
  readonly contentType: string;
  readonly length: number;
  readonly chunks: Iterable<Buffer>;
}

interface ScrapeMetrics {
  readonly metricsRenderSeconds: Gauge;
  readonly metricsScrapeSeconds: Gauge;
}

export const OPENMETRICS_CONTENT_TYPE = 'application/openmetrics-text; version=1.0.0; charset=utf-8';
const EOF = Buffer.from('# EOF\n');

/** Whether a scrape's Accept header takes OpenMetrics (Prometheus's does, first). */
export function acceptsOpenMetrics(accept: string | undefined): boolean {
  return accept !== undefined && /application\/openmetrics-text/i.test(accept);
}

/**
 * The text format's metadata as OpenMetrics has it: a counter family is named without the
 * `_total` its samples keep (prom-client writes `# TYPE x_total counter`).
 */
export function openMetricsMetadata(text: string): string {
  const counters = new Set<string>();
  for (const match of text.matchAll(/^# TYPE (\S+)_total counter$/gm)) counters.add(match[1]!);
  // OpenMetrics has no empty lines.
  const lines = text.replace(/\n{2,}/g, '\n').replace(/^\n/, '');
  if (counters.size === 0) return lines;
  return lines.replace(/^# (HELP|TYPE) (\S+)_total /gm, (whole, what: string, name: string) =>
    counters.has(name) ? `# ${what} ${name} ` : whole,
  );
}

export async function metricsBody(
  own: Buffer,
  contentType: string,
  probeMetrics: ProbeMetrics,
  metrics: ScrapeMetrics,
  openMetrics = false,
): Promise<MetricsBody> {
  const started = performance.now();
  let busyMs = await probeMetrics.refresh(10);
  const exposition = probeMetrics.exposition(undefined, openMetrics);
  const head = openMetrics ? Buffer.from(openMetricsMetadata(own.toString())) : own;
  // The generator runs in slices between event-loop turns; only the time spent in it counts.
  function* chunks(): Generator<Buffer> {
    yield head;
    let sliceStart = performance.now();
    for (const chunk of exposition.chunks) {
      busyMs += performance.now() - sliceStart;
      yield chunk;
      sliceStart = performance.now();
    }
    busyMs += performance.now() - sliceStart;
    if (openMetrics) yield EOF;
    metrics.metricsRenderSeconds.set(busyMs / 1000);
    metrics.metricsScrapeSeconds.set((performance.now() - started) / 1000);
  }
  return {
    contentType: openMetrics ? OPENMETRICS_CONTENT_TYPE : contentType,
    length: head.length + exposition.length + (openMetrics ? EOF.length : 0),
    chunks: chunks(),
  };
}
