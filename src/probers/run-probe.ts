/**
 * Runs one probe under its deadline and contains everything: a prober that throws becomes failure
 * code `internal` (logged with its stack), and one that ignores its AbortSignal is abandoned at the
 * deadline plus a short grace, so a bug in one prober can never stall the scheduler.
 */

import type { Logger } from 'pino';
import { preciseNow } from '../util/clock.js';
import { proberFor } from './index.js';
import type { ProbeResult, ProbeSpec } from './types.js';

/** How long past its deadline a prober may take to notice the abort before it is abandoned. */
export const ABANDON_GRACE_MS = 1_000;

export interface RunOptions {
  readonly log: Logger;
  readonly now?: () => number;
  /** Aborts the run early, e.g. on shutdown. */
  readonly signal?: AbortSignal;
  /** Epoch ms the run started; defaults to now. */
  readonly startedAt?: number;
  readonly onInternalError?: (error: unknown) => void;
}

function internalResult(startedAt: number, now: number, message: string): ProbeResult {
  return {
    ok: false,
    startedAt,
    durationMs: now - startedAt,
    phases: {},
    failure: { code: 'internal', message },
    facts: {},
  };
}

export async function runProbe(spec: ProbeSpec, options: RunOptions): Promise<ProbeResult> {
  const now = options.now ?? preciseNow;
  const startedAt = options.startedAt ?? now();
  const deadline = startedAt + spec.timeoutMs;
  const controller = new AbortController();
  const deadlineTimer = setTimeout(
    () => controller.abort(new DOMException('probe deadline reached', 'TimeoutError')),
    Math.max(0, deadline - now()),
  );
  const onOuterAbort = () => controller.abort(options.signal?.reason);
  options.signal?.addEventListener('abort', onOuterAbort, { once: true });
  let abandonTimer: NodeJS.Timeout | undefined;
  const log = options.log.child({ probe: spec.name, kind: spec.kind });
  try {
    const prober = proberFor(spec.kind);
    if (!prober) return internalResult(startedAt, now(), `no prober for kind "${spec.kind}"`);
    const abandoned = new Promise<ProbeResult>((resolve) => {
      abandonTimer = setTimeout(
        () =>
          resolve(
            internalResult(
              startedAt,
              now(),
              `prober did not return within ${spec.timeoutMs + ABANDON_GRACE_MS}ms of starting`,
            ),
          ),
        Math.max(0, deadline - now()) + ABANDON_GRACE_MS,
      );
    });
    const ctx = { signal: controller.signal, deadline, log, now };
    return await Promise.race([prober.probe(ctx, spec), abandoned]);
  } catch (error) {
    log.error({ err: error }, 'Prober raised an unexpected error; recorded as failure "internal"');
    options.onInternalError?.(error);
    return internalResult(
      startedAt,
      now(),
      `unexpected error in prismwatch: ${(error as Error)?.message ?? String(error)}`,
    );
  } finally {
    clearTimeout(deadlineTimer);
    clearTimeout(abandonTimer);
    options.signal?.removeEventListener('abort', onOuterAbort);
    // Whatever the prober still holds (sockets, timers) is told to stop.
    if (!controller.signal.aborted) controller.abort(new DOMException('probe finished', 'AbortError'));
  }
}
