/**
 * The shape of config files and the defaults, in one place. YAML keys are snake_case as in
 * Prometheus; nothing outside config/ sees the raw shape.
 */
import cron from 'node-cron';
import * as z from 'zod';
import { agentSchema } from '../locations/agent-spec.js';
import { timeIntervalSchema } from '../muting/time-intervals.js';
import {
  globalSchema,
  inhibitRuleSchema,
  receiverSchema,
  routeSchema,
  silenceSchema,
} from '../notify/config/schema.js';
import { PROBERS } from '../probers/index.js';
import { ruleSchema } from '../rules/schema.js';
import { statusPageSchema } from '../server/status-pages/page-spec.js';
import { sloSchema } from '../slo/schema.js';
import { durationMs, labels, MAX_INTERVAL_MS, probeName } from '../util/fields.js';
import { discoverySchema } from './discovery-spec.js';

export const DEFAULT_INTERVAL_MS = 30_000;
export const DEFAULT_TIMEOUT_MS = 10_000;
/** When only the interval is given, the timeout defaults to this share of it (capped by DEFAULT_TIMEOUT_MS). */
export const DEFAULT_TIMEOUT_SHARE = 0.8;
export { DEFAULT_CONFIG_DIRS, DEFAULT_LISTEN_ADDRESS } from './defaults.js';

const cronExpression = z
  .string({ error: 'expected a cron expression like "*/5 * * * *"' })
  .refine((expression) => cron.validate(expression), {
    message:
      'expected a cron expression like "*/5 * * * *" (minute hour day month weekday, optional leading seconds)',
  });

/** Keys every probe has, whatever its kind. */
export const commonProbeShape = {
  name: probeName,
  kind: z.string({ error: 'expected a probe kind' }),
  description: z.string().optional(),
  interval: durationMs({ minMs: 100, maxMs: MAX_INTERVAL_MS }).optional(),
  schedule: cronExpression.optional(),
  timeout: durationMs({ minMs: 10 }).optional(),
  labels: labels.optional(),
  /** Items of a deployment checklist this probe verifies (`prismwatch verify --format markdown`). */
  checklist: z.array(z.string().min(1), { error: 'expected a list of checklist items' }).optional(),
  /** false: not a go-live gate (prismwatch's own probes, say); `prismwatch verify` skips it. */
  verify: z.boolean().optional(),
};

export const defaultsSchema = z.strictObject({
  interval: durationMs({ minMs: 100, maxMs: MAX_INTERVAL_MS }).optional(),
  timeout: durationMs({ minMs: 10 }).optional(),
  labels: labels.optional(),
});

/** A config file: each top-level section is optional so probes and alerts can live in separate files. */
export const fileSchema = z.strictObject({
  defaults: defaultsSchema.optional(),
  probes: z.array(z.unknown(), { error: 'expected a list of probes' }).optional(),
  rules: z.array(z.unknown(), { error: 'expected a list of alert rules' }).optional(),
  global: z.unknown().optional(),
  route: z.unknown().optional(),
  receivers: z.array(z.unknown(), { error: 'expected a list of receivers' }).optional(),
  inhibit_rules: z.array(z.unknown(), { error: 'expected a list of inhibit rules' }).optional(),
  silences: z.array(z.unknown(), { error: 'expected a list of silences' }).optional(),
  time_intervals: z.array(z.unknown(), { error: 'expected a list of time intervals' }).optional(),
  slos: z.array(z.unknown(), { error: 'expected a list of SLOs' }).optional(),
  agents: z.array(z.unknown(), { error: 'expected a list of agents' }).optional(),
  status_pages: z.array(z.unknown(), { error: 'expected a list of status pages' }).optional(),
  discovery: z.array(z.unknown(), { error: 'expected a list of discovery sources' }).optional(),
});

function buildProbeSchema(kind: string) {
  const prober = PROBERS[kind];
  return prober ? z.strictObject({ ...commonProbeShape, ...prober.settingsShape }) : undefined;
}

type ProbeSchema = ReturnType<typeof buildProbeSchema>;
const probeSchemas = new Map<string, ProbeSchema>();

/**
 * The schema of one probe kind, built once: zod compiles a parser for each schema object on its
 * first use, and one schema per probe made large configs load many times slower.
 */
export function probeSchemaFor(kind: string): ProbeSchema {
  if (!probeSchemas.has(kind)) probeSchemas.set(kind, buildProbeSchema(kind));
  return probeSchemas.get(kind);
}

/** The same schemas as one document for editors (yaml-language-server), generated, never hand-written. */
export function buildJsonSchema(): Record<string, unknown> {
  const variants = Object.values(PROBERS).map((prober) =>
    z.strictObject({ ...commonProbeShape, ...prober.settingsShape, kind: z.literal(prober.kind) }).meta({
      title: `kind: ${prober.kind}`,
      description: prober.summary,
    }),
  );
  const editorSchema = z
    .strictObject({
      defaults: defaultsSchema.optional(),
      probes: z.array(z.union(variants as unknown as [z.ZodType, z.ZodType])).optional(),
      rules: z.array(ruleSchema).optional(),
      global: globalSchema.optional(),
      route: routeSchema.optional(),
      receivers: z.array(receiverSchema).optional(),
      inhibit_rules: z.array(inhibitRuleSchema).optional(),
      silences: z.array(silenceSchema).optional(),
      time_intervals: z.array(timeIntervalSchema).optional(),
      slos: z.array(sloSchema).optional(),
      agents: z.array(agentSchema).optional(),
      status_pages: z.array(statusPageSchema).optional(),
      discovery: z.array(discoverySchema).optional(),
    })
    .meta({
      title: 'prismwatch configuration file',
      description: 'Files in probes/ and alerts/. See docs/configuration.md and docs/kinds.md for every key.',
    });
  return z.toJSONSchema(editorSchema, {
    io: 'input',
    unrepresentable: 'any',
    target: 'draft-2020-12',
  }) as Record<string, unknown>;
}
