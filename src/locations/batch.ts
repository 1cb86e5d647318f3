/**
 * What an agent sends: a batch of results from its outbox, in order, each with the sequence
 * number the outbox gave it, plus how the agent is doing (its backlog, version, clock). Parsed
 * strictly: an agent is authenticated, but a batch is still input from the network, so every
 * field is checked before a result reaches history, metrics or the status page.
 */
import * as z from 'zod';
import { PHASES } from '../model/failure.js';
import type { ProbeResult } from '../model/probe.js';
import { FACTS, FAILURE_CODES } from '../probers/index.js';
import { retainedResult } from '../probers/retain.js';

/** Results in one batch at most (the agent sends 500). */
export const MAX_BATCH_RESULTS = 2_000;
/** A batch body larger than this is refused before it is read (the agent keeps batches under 1 MiB). */
export const MAX_BATCH_BYTES = 4 * 1024 * 1024;

const FACT_KEYS = new Set<string>(FACTS.map((section) => section.key));
const finite = z.number().refine(Number.isFinite, { message: 'expected a finite number' });

const resultSchema = z.strictObject({
  ok: z.boolean(),
  startedAt: finite.refine((at) => at > 0, { message: 'expected epoch milliseconds' }),
  durationMs: finite.refine((ms) => ms >= 0, { message: 'expected a duration' }),
  phases: z.partialRecord(z.enum(PHASES), finite),
  failure: z
    .strictObject({
      code: z.enum(FAILURE_CODES as [string, ...string[]]),
      phase: z.enum(PHASES).optional(),
      message: z.string().max(4_096),
    })
    .optional(),
  // An agent's run keeps its trace id, so the alert links the backend's trace as for a local one.
  traceId: z
    .string()
    .regex(/^[0-9a-f]{32}$/)
    .optional(),
  spanId: z
    .string()
    .regex(/^[0-9a-f]{16}$/)
    .optional(),
  facts: z
    .record(z.string(), z.record(z.string(), z.unknown()))
    .refine((facts) => Object.keys(facts).every((key) => FACT_KEYS.has(key)), {
      message: 'expected facts sections this version knows',
    }),
});

export const batchSchema = z.strictObject({
  agent: z.strictObject({
    /** prismwatch's version on the agent. */
    version: z.string().max(64),
    /** Its outbox's identity: a new one (the agent lost its disk) numbers results from 1 again. */
    outbox: z.string().min(1).max(64),
    /** The assignment version it runs. */
    assignment: z.string().max(128),
    /** Results still queued in its outbox after this batch. */
    backlog: z.number().int().min(0),
    /** Results its outbox dropped (full) since it started. */
    dropped: z.number().int().min(0),
    /** Its clock when it sent the batch (epoch ms). */
    sentAt: finite,
    /** Its estimate of the control plane's clock minus its own, from earlier answers (ms). */
    clockOffsetMs: finite.optional(),
  }),
  results: z
    .array(
      z.strictObject({
        seq: z.number().int().min(1),
        probe: z.string().max(256),
        result: z.unknown(),
      }),
    )
    .max(MAX_BATCH_RESULTS),
});

export type Batch = z.infer<typeof batchSchema>;

/** One result of a batch, checked; undefined when it is not a result this version can read. */
export function parseResult(value: unknown): ProbeResult | undefined {
  const parsed = resultSchema.safeParse(value);
  if (!parsed.success) return undefined;
  const result = parsed.data as unknown as ProbeResult;
  // Each facts section reads its own shape when history keeps the result: one it cannot read
  // (a section from another version, or a broken agent) is refused here, before anything is kept.
  try {
    return retainedResult(result);
  } catch {
    return undefined;
  }
}

/** The control plane's answer to a batch: what it took, and what the agent should know. */
export interface BatchAnswer {
  readonly accepted: number;
  /** Already received (sent again after a lost answer): acknowledged, not counted again. */
  readonly duplicates: number;
  /** Refused for good (not assigned any more, unreadable): acknowledged so the agent drops them. */
  readonly refused: number;
  /** The assignment's current version: the agent fetches it again when it differs from its own. */
  readonly assignment: string;
  /** The control plane's clock (epoch ms), for the agent's offset estimate. */
  readonly now: number;
}
