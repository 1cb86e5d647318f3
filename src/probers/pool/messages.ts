/**
 * What the main thread and a probe worker say to each other. Runs and results travel in batches
 * (one message per turn of either loop, not one per run): a message costs a structured clone and
 * a wake-up of the other thread, which at thousands of runs a second is most of the cost.
 */
import type { ProbeResult } from '../../model/probe.js';

/** A probe as it crosses: its id in this pool and its spec as util/transferable.ts carries it. */
export type SpecEntry = readonly [id: number, spec: unknown];

export type ToWorker =
  /** Specs to hold (new or replaced) and ids to forget (removed or replaced). */
  | { readonly type: 'specs'; readonly upsert: readonly SpecEntry[]; readonly remove: readonly number[] }
  /** Runs to start: [run id, spec id, startedAt epoch ms]. */
  | { readonly type: 'runs'; readonly runs: ReadonlyArray<readonly [number, number, number]> }
  /** Shutdown: abort every run in flight (they answer as usual, cut off). */
  | { readonly type: 'abort' };

/** One finished run: its id, the result, and whether the prober itself failed (a prismwatch bug). */
export type RunOutcome = readonly [runId: number, result: ProbeResult, internalError: boolean];

export type FromWorker =
  | { readonly type: 'results'; readonly outcomes: readonly RunOutcome[] }
  /** A prober's log line, written by the main thread's logger (one output, one format). */
  | {
      readonly type: 'log';
      readonly level: LogLevel;
      readonly bindings: Readonly<Record<string, unknown>>;
      readonly fields: unknown;
      readonly message?: string;
    };

/**
 * How long runs to start (main → worker) and finished results (worker → main) gather before they
 * travel. At 1,000 runs a second spread evenly, sending each turn's runs at once meant a message
 * and a thread wake-up per run each way; gathering for a few milliseconds sends a handful a
 * second instead. It delays a run's start by at most this much (a prober times its own phases,
 * so no measured figure includes it) and the recording of a result likewise.
 */
export const BATCH_WINDOW_MS = 4;

export type LogLevel = 'trace' | 'debug' | 'info' | 'warn' | 'error' | 'fatal';
export const LOG_LEVELS: readonly LogLevel[] = ['trace', 'debug', 'info', 'warn', 'error', 'fatal'];
