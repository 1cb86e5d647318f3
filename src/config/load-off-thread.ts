/**
 * loadConfig on a worker thread, for reloads: the daemon keeps probing while a large config is
 * parsed (a 50,000-probe file blocks the event loop for seconds when loaded in place:
 * docs/benchmarks.md). Start-up and `check` load in place: nothing runs yet that could wait.
 */
import { statSync } from 'node:fs';
import { Worker } from 'node:worker_threads';
import { ConfigError } from '../errors.js';
import type { ProbeSpec } from '../model/probe.js';
import { compiledWorker } from '../util/compiled-worker.js';
import { fromTransferable } from '../util/transferable.js';
import { discoverConfigFiles } from './discover.js';
import { rememberFingerprint } from './fingerprint.js';
import type { Env } from './interpolate.js';
import { type Config, loadConfig } from './load.js';
import type { LoadReply, LoadRequest } from './load-worker.js';

/**
 * Configs up to this size load in place: a few tens of milliseconds of blocking, against the
 * better part of a second a worker takes to start, load its modules and answer (both measured
 * in docs/benchmarks.md, "Figures behind the code").
 */
export const IN_PLACE_MAX_BYTES = 32 * 1024;

function totalBytes(paths: readonly string[]): number {
  let total = 0;
  let files: string[];
  try {
    files = discoverConfigFiles(paths);
  } catch {
    return 0; // loadConfig, in place, says what is wrong with the paths
  }
  for (const file of files) {
    try {
      total += statSync(file).size;
    } catch {
      // Unreadable: loadConfig reports it, with its name.
    }
  }
  return total;
}

/** A worker that has not answered by then is stuck (the config is bounded): the reload fails. */
const LOAD_WORKER_TIMEOUT_MS = 120_000;

/**
 * The compiled worker. Run from TypeScript sources (the test runner) this module is a .ts file
 * that node cannot start as a worker; the build next to it is used then (`npm test` builds
 * first), and without one the load happens in place.
 */
const workerFile = () => compiledWorker(import.meta.url, 'config/load-worker.js', './load-worker.js');

export async function loadConfigOffThread(paths: readonly string[], env: Env): Promise<Config> {
  const file = workerFile();
  if (!file || totalBytes(paths) <= IN_PLACE_MAX_BYTES) return loadConfig(paths, env);
  const request: LoadRequest = { paths: [...paths], env: { ...env } };
  const worker = new Worker(file, { workerData: request });
  const probes: ProbeSpec[] = [];
  let timer: NodeJS.Timeout | undefined;
  try {
    const reply = await new Promise<LoadReply>((resolve, reject) => {
      timer = setTimeout(
        () => reject(new Error(`the config loader did not finish within ${LOAD_WORKER_TIMEOUT_MS / 1000}s`)),
        LOAD_WORKER_TIMEOUT_MS,
      );
      worker.on('message', (message: LoadReply) => {
        if (message.ok && 'probes' in message) {
          message.probes.forEach((probe, index) => {
            const spec = fromTransferable(probe) as ProbeSpec;
            rememberFingerprint(spec, message.fingerprints[index]!);
            probes.push(spec);
          });
          // The next slice is asked for in a later turn, so probes and scrapes run in between.
          setImmediate(() => worker.postMessage('next'));
          return;
        }
        resolve(message);
      });
      worker.once('error', reject);
      // After the last message, closing its port ends the worker: only an exit before it (which
      // this reject then reports) is a failure; a later one finds the promise settled.
      worker.once('exit', (code) =>
        reject(new Error(`the config loader exited with code ${code} before answering`)),
      );
    });
    if (reply.ok && 'config' in reply)
      return { probes, ...(fromTransferable(reply.config) as Omit<Config, 'probes'>) };
    if ('issues' in reply) throw new ConfigError(reply.issues);
    throw new Error(`the config loader failed: ${'error' in reply ? reply.error : 'no answer'}`);
  } finally {
    clearTimeout(timer);
    void worker.terminate();
  }
}
