/**
 * A probe worker thread (`--probe-workers N`): holds the specs the main thread sends, runs the
 * probes it is asked to with the same runProbe as the main thread, and sends results back in
 * batches. It keeps no state of its own beyond what the probers keep per process (keep-alive
 * connections per probe, RDAP answers): a probe always goes to the same worker, so those stay
 * useful. Scheduling, recording, rules and everything else stay on the main thread.
 */
import { setMaxListeners } from 'node:events';
import { parentPort, workerData } from 'node:worker_threads';
import type { ProbeSpec } from '../../model/probe.js';
import { fromTransferable } from '../../util/transferable.js';
import { retainedResult } from '../retain.js';
import { internalResult, runProbe } from '../run-probe.js';
import { BATCH_WINDOW_MS, type FromWorker, type RunOutcome, type ToWorker } from './messages.js';
import { workerLogger } from './worker-log.js';

const port = parentPort!;
const post = (message: FromWorker) => port.postMessage(message);
const log = workerLogger(post, (workerData as { logLevel: string }).logLevel);
const specs = new Map<number, ProbeSpec>();
const shutdown = new AbortController();
setMaxListeners(0, shutdown.signal);

let outcomes: RunOutcome[] = [];
let flushing = false;

/**
 * Sends the finished runs of the last few milliseconds together (messages.ts, BATCH_WINDOW_MS). A result that cannot be cloned (a prober put something odd in its facts) is sent as
 * an internal failure instead of sinking the batch.
 */
function flushSoon(): void {
  if (flushing) return;
  flushing = true;
  setTimeout(() => {
    flushing = false;
    const batch = outcomes;
    outcomes = [];
    try {
      post({ type: 'results', outcomes: batch });
    } catch {
      for (const outcome of batch) {
        try {
          post({ type: 'results', outcomes: [outcome] });
        } catch (error) {
          const [runId, result] = outcome;
          const message = `the result could not leave the probe worker: ${(error as Error).message}`;
          post({
            type: 'results',
            outcomes: [
              [runId, internalResult(result.startedAt, result.startedAt + result.durationMs, message), true],
            ],
          });
        }
      }
    }
  }, BATCH_WINDOW_MS);
}

async function run(runId: number, specId: number, startedAt: number): Promise<void> {
  const spec = specs.get(specId);
  let internalError = false;
  const result = spec
    ? await runProbe(spec, {
        log,
        signal: shutdown.signal,
        // Started now, not when the main thread asked: the hop here (a worker still loading, a
        // busy batch) must not eat into the probe's timeout, and the result says when it ran.
        onInternalError: () => {
          internalError = true;
        },
      })
    : internalResult(startedAt, startedAt, 'the probe worker does not hold this probe');
  // Trimmed here as the main thread would trim it (retain.ts: HTTP's response headers), so what
  // is never read back is not cloned across either.
  outcomes.push([runId, retainedResult(result), internalError || !spec]);
  flushSoon();
}

port.on('message', (message: ToWorker) => {
  switch (message.type) {
    case 'specs':
      for (const id of message.remove) specs.delete(id);
      for (const [id, spec] of message.upsert) specs.set(id, fromTransferable(spec) as ProbeSpec);
      return;
    case 'runs':
      for (const [runId, specId, startedAt] of message.runs) void run(runId, specId, startedAt);
      return;
    case 'abort':
      shutdown.abort(new DOMException('prismwatch is shutting down', 'AbortError'));
      return;
  }
});
