/**
 * The `agents:` section: which agents may report to this control plane, where each one runs,
 * which probes it runs, and the hash of its token. A probe selected by an agent is run by the
 * agents that select it, not by the control plane; the control plane keeps one copy of it per
 * location (`<probe>@<location>`), so every location has its own history, series and alert state.
 */
import * as z from 'zod';
import type { ProbeSpec } from '../model/probe.js';
import type { ProbeSelector } from '../rules/rule.js';
import { selects } from '../rules/rule.js';
import { selectSchema } from '../rules/schema.js';
import { durationMs } from '../util/fields.js';

/** An agent unheard of for this long is AgentDown (three missed batches at the agent's 5 s heartbeat, and some). */
export const DEFAULT_AGENT_DOWN_AFTER_MS = 60_000;
/** An agent whose newest result is older than this (it is replaying a backlog) is AgentLagging. */
export const DEFAULT_AGENT_LAGGING_AFTER_MS = 120_000;

const NAME_RE = /^[a-zA-Z0-9][a-zA-Z0-9_.-]{0,63}$/;
const agentName = z.string({ error: 'expected an agent name' }).regex(NAME_RE, {
  message: 'expected a name of letters, digits, "_", "." or "-" (at most 64, starting alphanumeric)',
});

export const agentSchema = z.strictObject({
  name: agentName,
  /** Where it runs: the `location` label of its results (default: its name). */
  location: agentName.optional(),
  /** sha256 of the agent's token, in hex: the config can be reviewed without holding a secret. */
  token_sha256: z
    .string({ error: "expected the token's sha256 in hex (`prismwatch agent token` prints one)" })
    .regex(/^[0-9a-f]{64}$/, {
      message: "expected the token's sha256 as 64 lowercase hex digits (`prismwatch agent token` prints one)",
    }),
  /** Which probes it runs: by name, kind or labels; all of them when omitted. */
  probes: selectSchema.optional(),
  /** true: its token no longer works; results it sends are refused and counted. */
  revoked: z.boolean().optional(),
  down_after: durationMs({ minMs: 1_000 }).optional(),
  lagging_after: durationMs({ minMs: 1_000 }).optional(),
});

export interface AgentSpec {
  readonly name: string;
  readonly location: string;
  readonly tokenSha256: string;
  readonly select: ProbeSelector;
  readonly revoked: boolean;
  readonly downAfterMs: number;
  readonly laggingAfterMs: number;
  readonly source: { readonly file: string; readonly line: number };
}

export function toAgentSpec(
  parsed: z.infer<typeof agentSchema>,
  source: { file: string; line: number },
): AgentSpec {
  return Object.freeze({
    name: parsed.name,
    location: parsed.location ?? parsed.name,
    tokenSha256: parsed.token_sha256,
    select: parsed.probes ?? {},
    revoked: parsed.revoked ?? false,
    downAfterMs: parsed.down_after ?? DEFAULT_AGENT_DOWN_AFTER_MS,
    laggingAfterMs: parsed.lagging_after ?? DEFAULT_AGENT_LAGGING_AFTER_MS,
    source: Object.freeze(source),
  });
}

/**
 * The configured probes an agent runs; kinds that are pushed to (heartbeats) stay with the control
 * plane. A revoked agent keeps its location's copies (their history, held as they were): revoking
 * a token must not quietly move its probes to the control plane's own location.
 */
export function assignedTo(
  agent: AgentSpec,
  probes: readonly ProbeSpec[],
  pushed: (kind: string) => boolean,
): ProbeSpec[] {
  return probes.filter((spec) => !spec.agent && !pushed(spec.kind) && selects(agent.select, spec));
}

/** The copy of `spec` that holds what `location` sees of it. */
export function atLocation(spec: ProbeSpec, location: string): ProbeSpec {
  return Object.freeze({
    ...spec,
    name: `${spec.name}@${location}`,
    labels: Object.freeze({ ...spec.labels, location }),
    agent: Object.freeze({ probe: spec.name, location }),
  });
}

/**
 * The probes this control plane keeps: the ones no agent runs, as they are, and for each probe
 * agents run, one copy per location that runs it (several agents at one location are refused by
 * validation, so a location is one agent).
 */
export function withAgents(
  probes: readonly ProbeSpec[],
  agents: readonly AgentSpec[],
  pushed: (kind: string) => boolean,
): ProbeSpec[] {
  const locationsOf = new Map<string, string[]>();
  for (const agent of agents)
    for (const spec of assignedTo(agent, probes, pushed)) {
      const list = locationsOf.get(spec.name) ?? [];
      list.push(agent.location);
      locationsOf.set(spec.name, list);
    }
  if (locationsOf.size === 0) return [...probes];
  return probes.flatMap((spec) => {
    const locations = locationsOf.get(spec.name);
    return locations ? locations.map((location) => atLocation(spec, location)) : [spec];
  });
}
