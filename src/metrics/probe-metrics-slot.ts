/**
 * The probe series of the running config. A reload that changes the set of user label names, or
 * the latency histogram's edges, changes the label set of every series: a fresh family set is
 * started (counters restart, which Prometheus handles). Otherwise only the probes that left or
 * changed are forgotten, so the others' counters keep counting.
 */
import type { ProbeSpec } from '../model/probe.js';
import { ProbeMetrics, userLabelNames } from './probe-metrics.js';

export class ProbeMetricsSlot {
  current = new ProbeMetrics([]);

  configure(probes: readonly ProbeSpec[], leaving: readonly ProbeSpec[], edges: readonly number[]): void {
    const labelNames = userLabelNames(probes);
    if (
      labelNames.join('\0') !== this.current.userLabels.join('\0') ||
      edges.join() !== this.current.edges.join()
    ) {
      this.current = new ProbeMetrics(labelNames, edges);
    } else {
      for (const spec of leaving) this.current.forget(spec);
    }
    for (const spec of probes) this.current.register(spec);
  }
}
