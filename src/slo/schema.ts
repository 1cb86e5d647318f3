/**
 * The `slos:` section: an objective over a window for the runs of the probes it selects, e.g.
 * 99.9 % of runs succeed over 30 days, or 99 % of runs succeed within 2 s.
 */
import * as z from 'zod';
import { selectSchema } from '../rules/schema.js';
import { durationMs, labels } from '../util/fields.js';
import type { SloSpec } from './model.js';

const DAY_MS = 24 * 60 * 60_000;

export const sloSchema = z.strictObject({
  name: z.string({ error: 'expected an SLO name' }).regex(/^[a-zA-Z0-9][a-zA-Z0-9_.:-]{0,63}$/, {
    message: 'expected an SLO name of letters, digits, "_", ".", ":" or "-" (at most 64)',
  }),
  description: z.string().optional(),
  select: selectSchema,
  objective: z
    .number({ error: 'expected the objective in percent, like 99.9' })
    .gt(0, { message: 'expected the objective in percent, above 0' })
    .lt(100, { message: 'expected the objective in percent, below 100 (100 % leaves no error budget)' }),
  // The burn windows scale from 30 days in whole minutes: below a day, a 1 h SLO's page pair was
  // 1 minute long and 1 minute short, and paged on a single failed run.
  window: durationMs({ minMs: DAY_MS, maxMs: 90 * DAY_MS }).default(30 * DAY_MS),
  latency: durationMs({ minMs: 1 }).optional(),
  labels: labels.optional(),
});

export function toSloSpec(parsed: z.infer<typeof sloSchema>, source: SloSpec['source']): SloSpec {
  return {
    name: parsed.name,
    ...(parsed.description ? { description: parsed.description } : {}),
    select: parsed.select,
    // 99.9 → 0.999 through the decimal text, so the budget is the double an operator would write.
    objective: Number((parsed.objective / 100).toPrecision(12)),
    windowMs: parsed.window,
    ...(parsed.latency !== undefined ? { latencyMs: parsed.latency } : {}),
    labels: parsed.labels ?? {},
    source,
  };
}
