/**
 * Worker-thread entry: loads the config named in workerData and posts it back, transferable
 * (transferable.ts), or the ConfigError's issues. Parsing and validating 50,000 probes takes
 * seconds of CPU; here that time is spent off the thread that runs probes and serves /metrics.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { ConfigError } from '../errors.js';
import type { ProbeSpec } from '../model/probe.js';
import { toTransferable } from '../util/transferable.js';
import { probeFingerprint } from './fingerprint.js';
import type { Env } from './interpolate.js';
import { loadConfig } from './load.js';

export interface LoadRequest {
  readonly paths: readonly string[];
  readonly env: Env;
}

/** Probes travel in slices this big: each is cloned and revived in its own event-loop turn. */
const PROBES_PER_MESSAGE = 500;

export type LoadReply =
  | { readonly ok: true; readonly probes: unknown[]; readonly fingerprints: string[] }
  | { readonly ok: true; readonly config: unknown }
  | { readonly ok: false; readonly issues: ConfigError['issues'] }
  | { readonly ok: false; readonly error: string };

/**
 * Loads, then answers one slice per request: node delivers every queued message in one turn, so a
 * worker that posted all 100 slices at once made the daemon clone them all in one 1.2 s stall.
 * The daemon asks for the next slice only after reviving the previous one in its own turn.
 */
function serve(): void {
  const request = workerData as LoadRequest;
  let probes: readonly ProbeSpec[];
  let rest: unknown;
  try {
    const { probes: loaded, ...others } = loadConfig(request.paths, request.env);
    probes = loaded;
    rest = toTransferable(others);
  } catch (error) {
    const failure: LoadReply =
      error instanceof ConfigError
        ? { ok: false, issues: error.issues }
        : { ok: false, error: error instanceof Error ? (error.stack ?? error.message) : String(error) };
    parentPort?.postMessage(failure);
    return;
  }
  let next = 0;
  const send = () => {
    if (next >= probes.length) {
      parentPort?.postMessage({ ok: true, config: rest } satisfies LoadReply);
      parentPort?.close();
      return;
    }
    const slice = probes.slice(next, next + PROBES_PER_MESSAGE);
    next += PROBES_PER_MESSAGE;
    parentPort?.postMessage({
      ok: true,
      probes: slice.map(toTransferable),
      fingerprints: slice.map(probeFingerprint),
    } satisfies LoadReply);
  };
  parentPort?.on('message', send);
  send();
}

serve();
