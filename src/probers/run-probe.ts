/**
 * Runs one probe under its deadline and contains everything: a prober that throws becomes failure
 * code `internal` (logged with its stack), and one that ignores its AbortSignal is abandoned at the
 * deadline plus a short grace, so a bug in one prober can never stall the scheduler.
 */

import type { Logger } from 'pino';
import type { ArtifactStore, ProbeContext, ProbeResult, ProbeSpec } from '../model/probe.js';
import { onAbort } from '../util/abort-fanout.js';
import { preciseNow } from '../util/clock.js';
import { redactUrlsIn } from '../util/redact.js';
import { proberFor } from './index.js';

/** How long past its deadline a prober may take to notice the abort before it is abandoned. */
const ABANDON_GRACE_MS = 1_000;

interface RunOptions {
  readonly log: Logger;
  readonly now?: () => number;
  /** Aborts the run early, e.g. on shutdown. */
  readonly signal?: AbortSignal;
  /** Epoch ms the run started; defaults to now. */
  readonly startedAt?: number;
  readonly onInternalError?: (error: unknown) => void;
  /** The kind's inbox (ProbeContext.inbox), for kinds that receive pushes. */
  readonly inbox?: unknown;
  readonly artifacts?: ArtifactStore;
}

/**
 * A run's ProbeContext. A class rather than an object literal with a getter: the literal took a
 * slow path and its own shape on every run (docs/benchmarks.md, issue 35). The child logger is
 * made only if a prober logs; most runs never do.
 */
class RunContext implements ProbeContext {
  private childLog?: Logger;
  readonly inbox: unknown;
  readonly artifacts?: ArtifactStore;

  constructor(
    readonly signal: AbortSignal,
    readonly deadline: number,
    readonly now: () => number,
    private readonly options: RunOptions,
    private readonly spec: ProbeSpec,
  ) {
    this.inbox = options.inbox;
    this.artifacts = options.artifacts;
  }

  get log(): Logger {
    this.childLog ??= this.options.log.child({ probe: this.spec.name, kind: this.spec.kind });
    return this.childLog;
  }
}

function deadlineReason(): DOMException {
  return new DOMException('probe deadline reached', 'TimeoutError');
}

/** A run that ended in prismwatch rather than at the target: failure `internal`, with why. */
export function internalResult(startedAt: number, now: number, message: string): ProbeResult {
  return {
    ok: false,
    startedAt,
    durationMs: now - startedAt,
    phases: {},
    failure: { code: 'internal', message },
    facts: {},
  };
}

function isProbeResult(value: unknown): value is ProbeResult {
  const result = value as Partial<ProbeResult> | null;
  return (
    typeof result === 'object' &&
    result !== null &&
    typeof result.ok === 'boolean' &&
    typeof result.durationMs === 'number' &&
    typeof result.phases === 'object' &&
    typeof result.facts === 'object'
  );
}

function describe(value: unknown): string {
  return value === null ? 'null' : Array.isArray(value) ? 'an array' : typeof value;
}

export async function runProbe(spec: ProbeSpec, options: RunOptions): Promise<ProbeResult> {
  const now = options.now ?? preciseNow;
  const startedAt = options.startedAt ?? now();
  const deadline = startedAt + spec.timeoutMs;
  const controller = new AbortController();
  let abandonTimer: NodeJS.Timeout | undefined;
  let abandoned = false;
  let abandon: (result: ProbeResult) => void = () => {};
  // One timer per run (the grace timer starts only once a deadline fires), and the abort reason
  // is built only then: errors cost stack traces, and timers cost, at 1,000 runs a second.
  const deadlineTimer = setTimeout(
    () => {
      controller.abort(deadlineReason());
      abandonTimer = setTimeout(() => {
        abandoned = true;
        const message = `prober did not return within ${spec.timeoutMs + ABANDON_GRACE_MS}ms of starting`;
        abandon(internalResult(startedAt, now(), message));
      }, ABANDON_GRACE_MS);
    },
    Math.max(0, deadline - now()),
  );
  const outer = options.signal;
  const leaveOuter = outer ? onAbort(outer, () => controller.abort(outer.reason)) : undefined;
  try {
    const prober = proberFor(spec.kind);
    if (!prober) return internalResult(startedAt, now(), `no prober for kind "${spec.kind}"`);
    const ctx = new RunContext(controller.signal, deadline, now, options, spec);
    // The prober's answer or, once its grace has passed, the abandonment: one promise that either
    // settles (Promise.race with a second, never-settled promise cost two more a run).
    const result = await new Promise<ProbeResult>((resolve, reject) => {
      abandon = resolve;
      prober.probe(ctx, spec).then(resolve, reject);
    });
    // A result the rest of the pipeline cannot read would fail there, far from its cause.
    if (!isProbeResult(result))
      throw new TypeError(`prober "${spec.kind}" returned ${describe(result)}, not a result`);
    // One redaction rule for every kind: a URL in a failure message (a redirect's Location, a
    // peer's error) shows no credentials and no query values (util/redact.ts).
    if (result.failure)
      return { ...result, failure: { ...result.failure, message: redactUrlsIn(result.failure.message) } };
    return result;
  } catch (error) {
    options.log.error(
      { err: error, probe: spec.name, kind: spec.kind },
      'Prober raised an unexpected error; recorded as failure "internal"',
    );
    options.onInternalError?.(error);
    return internalResult(
      startedAt,
      now(),
      redactUrlsIn(`unexpected error in prismwatch: ${(error as Error)?.message ?? String(error)}`),
    );
  } finally {
    clearTimeout(deadlineTimer);
    clearTimeout(abandonTimer);
    leaveOuter?.();
    // An abandoned prober still holds sockets and timers: tell it to stop.
    if (abandoned && !controller.signal.aborted) controller.abort(deadlineReason());
  }
}
