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

export async function metricsBody(
  own: Buffer,
  contentType: string,
  probeMetrics: ProbeMetrics,
  metrics: ScrapeMetrics,
): Promise<MetricsBody> {
  const started = performance.now();
  let busyMs = await probeMetrics.refresh();
  const exposition = probeMetrics.exposition();
  // The generator runs in slices between event-loop turns; only the time spent in it counts.
  function* chunks(): Generator<Buffer> {
    yield own;
    let sliceStart = performance.now();
    for (const chunk of exposition.chunks) {
      busyMs += performance.now() - sliceStart;
      yield chunk;
      sliceStart = performance.now();
    }
    busyMs += performance.now() - sliceStart;
    metrics.metricsRenderSeconds.set(busyMs / 1000);
    metrics.metricsScrapeSeconds.set((performance.now() - started) / 1000);
  }
  return { contentType, length: own.length + exposition.length, chunks: chunks() };
}
