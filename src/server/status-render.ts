/**
 * The status page rendered in slices. Its cost grows with the probes (121 ms at 1,000 probes with
 * 90 days of history, docs/benchmarks.md), and a render that runs in one go holds the event loop
 * for all of it: probes' timers and every other request wait. Here each probe's row and uptime
 * bars are rendered a slice at a time, yielding to the loop between slices, and the page around
 * them is put together at the end (status-page.ts). Requests share renders (render-cache.ts).
 */
import type { ProbeSpec } from '../model/probe.js';
import { uptimeBarRow } from './status-history.js';
import { probeRow, renderStatusPage, type StatusView } from './status-page.js';

/** Probes rendered between two yields: about 3 ms of work at the measured 0.12 ms a probe. */
const PROBES_PER_SLICE = 25;

const yieldToLoop = () => new Promise<void>((resolve) => setImmediate(resolve));

export async function renderStatusPageInSlices(view: StatusView): Promise<string> {
  const rows = new Map<ProbeSpec, string>();
  const bars = new Map<ProbeSpec, string>();
  for (let start = 0; start < view.probes.length; start += PROBES_PER_SLICE) {
    if (start > 0) await yieldToLoop();
    for (const spec of view.probes.slice(start, start + PROBES_PER_SLICE)) {
      rows.set(spec, probeRow(spec, view));
      bars.set(spec, uptimeBarRow(spec, view.results, view.now));
    }
  }
  return renderStatusPage({ ...view, rendered: { rows, bars } });
}
