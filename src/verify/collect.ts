/**
 * Runs the selected probes for `prismwatch verify`: every probe once, and probes of the kinds
 * sampled by verify (HTTP: the ones behind latency and error-rate gates) `samples` times, spread over `durationMs` when one is given.
 * Probes run in parallel with one run per probe at a time; nothing touches daemon state.
 */
import type { Logger } from 'pino';
import type { ProbeResult, ProbeSpec } from '../model/probe.js';
import { proberFor } from '../probers/index.js';
import { runProbe } from '../probers/run-probe.js';
import { ResultStore } from '../results/history.js';

const MAX_PARALLEL_PROBES = 16;

export interface Collected {
  readonly results: ReadonlyMap<string, readonly ProbeResult[]>;
  readonly store: ResultStore;
  readonly startedAt: number;
  readonly finishedAt: number;
}

interface CollectOptions {
  readonly samples: number;
  readonly durationMs: number;
  readonly log: Logger;
  /** Called after every run, for a progress line. */
  readonly onRun?: (done: number, total: number) => void;
}

function runsFor(spec: ProbeSpec, samples: number): number {
  return proberFor(spec.kind)?.sampledByVerify ? samples : 1;
}

export async function collect(probes: readonly ProbeSpec[], options: CollectOptions): Promise<Collected> {
  const store = new ResultStore(Number.MAX_SAFE_INTEGER);
  const results = new Map<string, ProbeResult[]>();
  const total = probes.reduce((sum, spec) => sum + runsFor(spec, options.samples), 0);
  let done = 0;
  const startedAt = Date.now();
  const queue = [...probes];
  const worker = async () => {
    for (let spec = queue.shift(); spec; spec = queue.shift()) {
      const runs = runsFor(spec, options.samples);
      const spacing = runs > 1 ? options.durationMs / runs : 0;
      const own: ProbeResult[] = [];
      results.set(spec.name, own);
      for (let i = 0; i < runs; i++) {
        const started = Date.now();
        const result = await runProbe(spec, { log: options.log });
        own.push(result);
        store.record(spec, result);
        done += 1;
        options.onRun?.(done, total);
        const wait = spacing - (Date.now() - started);
        if (i < runs - 1 && wait > 0) await new Promise((resolve) => setTimeout(resolve, wait));
      }
    }
  };
  await Promise.all(Array.from({ length: Math.min(MAX_PARALLEL_PROBES, probes.length) }, worker));
  return { results, store, startedAt, finishedAt: Date.now() };
}
