/**
 * The control plane's side of private locations: who may report (a token per agent, by its
 * sha256), what each agent runs (its assignment, versioned), and the results it sends, checked and
 * handed to the same results pipeline as this daemon's own runs, under the location's copy of each
 * probe. It also watches the agents: last seen, lag, backlog, version and clock offset, as
 * metrics, on the status page and the API, and as AgentDown / AgentLagging.
 *
 * Every result carries the sequence number the agent's outbox gave it. The highest one taken is
 * kept per agent (and per outbox: an agent that lost its disk starts again at 1), so a batch sent
 * again after its answer was lost is acknowledged and not counted twice.
 */
import { createHash } from 'node:crypto';
import type { Logger } from 'pino';
import { Counter, Gauge, type Registry } from 'prom-client';
import type { ProbeResult, ProbeSpec } from '../model/probe.js';
import type { AgentSpec } from './agent-spec.js';
import { type BatchAnswer, batchSchema, parseResult } from './batch.js';

/** An agent whose clock is further off than this is reported (log, status page); results are corrected by it. */
const CLOCK_WARNING_MS = 2_000;
/** Results arriving this much after they were taken are the past: rules wait until the agent has caught up. */
const LATE_MS = 30_000;
/** Results stamped further than this in the control plane's future (after correction) are refused. */
const MAX_FUTURE_MS = 5 * 60_000;

export interface AgentStatus {
  readonly name: string;
  readonly location: string;
  readonly revoked: boolean;
  /** Epoch ms of its last batch; undefined before the first. */
  readonly lastSeenAt?: number;
  /** How far behind its newest result was when it arrived (ms). */
  readonly lagMs?: number;
  /** Results waiting in its outbox after its last batch. */
  readonly backlog: number;
  readonly dropped: number;
  readonly version?: string;
  /** The control plane's clock minus the agent's (ms), as the agent measured it. */
  readonly clockOffsetMs?: number;
  readonly assignment: string;
  readonly probes: number;
  readonly received: number;
  /** up: reporting and current; lagging: replaying a backlog; down: not heard within down_after. */
  readonly state: 'up' | 'lagging' | 'down' | 'never_seen';
}

interface Tracked {
  spec: AgentSpec;
  /** What it runs: the probes' configured names, and the JSON the agent fetches. */
  assignment: { version: string; names: ReadonlySet<string>; body: string };
  lastSeenAt?: number;
  newestResultAt?: number;
  lagMs?: number;
  backlog: number;
  dropped: number;
  version?: string;
  clockOffsetMs?: number;
  outbox?: string;
  lastSeq: number;
  received: number;
  warnedClock: boolean;
}

export type AgentAuth = { readonly agent: string } | { readonly refused: string };

export interface AgentRegistryDeps {
  readonly now: () => number;
  readonly log: Logger;
  readonly registry: Registry;
  /** The running probe of this name (`<probe>@<location>`), if it is configured. */
  readonly probe: (name: string) => ProbeSpec | undefined;
  /** Where an accepted result goes: the daemon's results pipeline. */
  readonly record: (spec: ProbeSpec, result: ProbeResult) => void;
  /** Whether this instance takes results (with a shared state database, only the leader does). */
  readonly accepting: () => boolean;
}

const sha256 = (text: string) => createHash('sha256').update(text).digest('hex');

export class AgentRegistry {
  private readonly agents = new Map<string, Tracked>();
  /** The same agents by location: rules ask about every copy at every evaluation. */
  private locations = new Map<string, Tracked>();
  private byToken = new Map<string, string>();
  private revokedTokens = new Set<string>();
  private readonly refused: Counter;
  private readonly resultsTotal: Counter;

  constructor(private readonly deps: AgentRegistryDeps) {
    const registers = [deps.registry];
    this.refused = new Counter({
      name: 'prismwatch_agent_requests_refused_total',
      help: 'Agent requests or results refused, by reason (unknown or revoked token, malformed batch, probe not assigned, unreadable result).',
      labelNames: ['reason'],
      registers,
    });
    this.resultsTotal = new Counter({
      name: 'prismwatch_agent_results_total',
      help: 'Results taken from agents (duplicates sent again after a lost answer are not counted).',
      labelNames: ['agent', 'location'],
      registers,
    });
    const self = this;
    const gauge = (name: string, help: string, read: (agent: AgentStatus) => number | undefined) =>
      new Gauge({
        name,
        help,
        labelNames: ['agent', 'location'],
        registers,
        collect() {
          this.reset();
          for (const agent of self.status()) {
            const value = read(agent);
            if (value !== undefined) this.set({ agent: agent.name, location: agent.location }, value);
          }
        },
      });
    gauge(
      'prismwatch_agent_up',
      'Whether the agent reported within its down_after (1) or not (0).',
      (agent) => (agent.revoked ? undefined : agent.state === 'up' || agent.state === 'lagging' ? 1 : 0),
    );
    gauge('prismwatch_agent_last_seen_timestamp_seconds', 'When the agent last sent a batch.', (agent) =>
      agent.lastSeenAt === undefined ? undefined : agent.lastSeenAt / 1000,
    );
    gauge('prismwatch_agent_lag_seconds', 'How old its newest result was when it arrived.', (agent) =>
      agent.lagMs === undefined ? undefined : agent.lagMs / 1000,
    );
    gauge(
      'prismwatch_agent_outbox_depth',
      "Results waiting in the agent's outbox after its last batch.",
      (agent) => (agent.lastSeenAt === undefined ? undefined : agent.backlog),
    );
    gauge(
      'prismwatch_agent_outbox_dropped',
      "Results the agent's full outbox dropped since it started.",
      (agent) => (agent.lastSeenAt === undefined ? undefined : agent.dropped),
    );
    gauge(
      'prismwatch_agent_clock_offset_seconds',
      "The control plane's clock minus the agent's, as the agent measured it.",
      (agent) => (agent.clockOffsetMs === undefined ? undefined : agent.clockOffsetMs / 1000),
    );
    new Gauge({
      name: 'prismwatch_agent_info',
      help: 'Always 1 per agent that reported; labels carry its prismwatch version.',
      labelNames: ['agent', 'location', 'version'],
      registers,
      collect() {
        this.reset();
        for (const agent of self.status())
          if (agent.version)
            this.set({ agent: agent.name, location: agent.location, version: agent.version }, 1);
      },
    });
  }

  /**
   * A reload: agents and assignments as configured; what is known of agents that stay is kept.
   * `probes` are the running ones, with a copy per location of each probe an agent runs.
   */
  configure(
    agents: readonly AgentSpec[],
    probes: readonly ProbeSpec[],
    definitions: ReadonlyMap<string, Readonly<Record<string, unknown>>>,
  ): void {
    const names = new Set(agents.map((agent) => agent.name));
    for (const name of this.agents.keys()) if (!names.has(name)) this.agents.delete(name);
    this.byToken = new Map();
    this.revokedTokens = new Set();
    for (const spec of agents) {
      if (spec.revoked) this.revokedTokens.add(spec.tokenSha256);
      else this.byToken.set(spec.tokenSha256, spec.name);
      const assigned = spec.revoked
        ? []
        : probes.flatMap((probe) => (probe.agent?.location === spec.location ? [probe.agent.probe] : []));
      const list = assigned.flatMap((name) => {
        const definition = definitions.get(name);
        return definition ? [definition] : [];
      });
      const version = sha256(JSON.stringify(list)).slice(0, 16);
      const body = JSON.stringify({ agent: spec.name, location: spec.location, version, probes: list });
      const assignment = { version, names: new Set(assigned), body };
      const known = this.agents.get(spec.name);
      if (known && known.spec.location === spec.location) {
        known.spec = spec;
        known.assignment = assignment;
      } else
        this.agents.set(spec.name, {
          spec,
          assignment,
          backlog: 0,
          dropped: 0,
          lastSeq: 0,
          received: 0,
          warnedClock: false,
        });
    }
    this.locations = new Map([...this.agents.values()].map((tracked) => [tracked.spec.location, tracked]));
  }

  /** Which agent a bearer token belongs to, or why it is refused (counted). */
  authenticate(authorization: string | undefined): AgentAuth {
    const token = authorization?.startsWith('Bearer ') ? authorization.slice(7).trim() : '';
    if (!token) return this.refuse('no_token');
    const hash = sha256(token);
    const name = this.byToken.get(hash);
    if (name) return { agent: name };
    return this.refuse(this.revokedTokens.has(hash) ? 'revoked' : 'unknown_token');
  }

  /** The agent's assignment as JSON: its probes' definitions and the version they make. */
  assignment(agent: string): string | undefined {
    return this.agents.get(agent)?.assignment.body;
  }

  /**
   * Takes a batch from an authenticated agent. Results are recorded in order; each one the agent
   * may send (its own location, a probe assigned to it, a readable result) goes into the pipeline.
   */
  ingest(agent: string, body: unknown): { status: number; answer: BatchAnswer | { error: string } } {
    const tracked = this.agents.get(agent);
    if (!tracked) return { status: 401, answer: { error: 'unknown agent' } };
    const parsed = batchSchema.safeParse(body);
    if (!parsed.success) {
      this.refused.inc({ reason: 'malformed' });
      const first = parsed.error.issues[0];
      return {
        status: 400,
        answer: {
          error: `malformed batch: ${first?.path.join('.') || 'body'}: ${first?.message ?? 'invalid'}`,
        },
      };
    }
    const now = this.deps.now();
    const { agent: info, results } = parsed.data;
    if (info.outbox !== tracked.outbox) {
      // A new outbox (first contact, or the agent lost its disk): its sequence starts over.
      tracked.outbox = info.outbox;
      tracked.lastSeq = 0;
    }
    tracked.lastSeenAt = now;
    tracked.backlog = info.backlog;
    tracked.dropped = info.dropped;
    tracked.version = info.version;
    tracked.clockOffsetMs = info.clockOffsetMs;
    this.noteClock(tracked);
    const offset = info.clockOffsetMs ?? 0;
    let accepted = 0;
    let duplicates = 0;
    let refused = 0;
    for (const entry of results) {
      if (entry.seq <= tracked.lastSeq) {
        duplicates++;
        continue;
      }
      tracked.lastSeq = entry.seq;
      const spec = this.deps.probe(`${entry.probe}@${tracked.spec.location}`);
      const result = parseResult(entry.result);
      if (!spec?.agent || !tracked.assignment.names.has(entry.probe)) {
        refused++;
        this.refused.inc({ reason: 'not_assigned' });
        continue;
      }
      if (!result || result.startedAt + offset > now + MAX_FUTURE_MS) {
        refused++;
        this.refused.inc({ reason: 'unreadable_result' });
        continue;
      }
      // Stamped in the control plane's clock, so a skewed agent's results line up with everyone's.
      const corrected = offset === 0 ? result : { ...result, startedAt: result.startedAt + offset };
      try {
        this.deps.record(spec, corrected);
      } catch (error) {
        // Facts this version cannot read (an agent of another version, or a broken one): refused
        // and acknowledged, so one bad result never holds the agent's whole outbox behind it.
        refused++;
        this.refused.inc({ reason: 'unreadable_result' });
        this.deps.log.debug(
          { err: error, agent, probe: entry.probe },
          'A result from an agent could not be recorded',
        );
        continue;
      }
      const end = corrected.startedAt + corrected.durationMs;
      tracked.newestResultAt = Math.max(tracked.newestResultAt ?? 0, end);
      accepted++;
    }
    if (tracked.newestResultAt !== undefined) tracked.lagMs = Math.max(0, now - tracked.newestResultAt);
    tracked.received += accepted;
    if (accepted > 0)
      this.resultsTotal.inc({ agent: tracked.spec.name, location: tracked.spec.location }, accepted);
    return {
      status: 200,
      answer: { accepted, duplicates, refused, assignment: tracked.assignment.version, now },
    };
  }

  /**
   * Whether a location's copy of a probe has current data: its agent reports and has no backlog
   * older than its lagging_after. Rules judge the others as having no data (their alerts stay as
   * they are): an agent that is away is not a target that is down, and a replayed backlog is the
   * past, not news (quorum.ts).
   */
  holds(spec: ProbeSpec): boolean {
    if (!spec.agent) return false;
    const tracked = this.byLocation(spec.agent.location);
    if (!tracked) return true;
    if (this.stateOf(tracked, this.deps.now()) !== 'up') return true;
    return (tracked.lagMs ?? 0) >= Math.min(tracked.spec.laggingAfterMs, LATE_MS);
  }

  status(): AgentStatus[] {
    const now = this.deps.now();
    return [...this.agents.values()].map((tracked) => ({
      name: tracked.spec.name,
      location: tracked.spec.location,
      revoked: tracked.spec.revoked,
      ...(tracked.lastSeenAt !== undefined ? { lastSeenAt: tracked.lastSeenAt } : {}),
      ...(tracked.lagMs !== undefined ? { lagMs: tracked.lagMs } : {}),
      backlog: tracked.backlog,
      dropped: tracked.dropped,
      ...(tracked.version !== undefined ? { version: tracked.version } : {}),
      ...(tracked.clockOffsetMs !== undefined ? { clockOffsetMs: tracked.clockOffsetMs } : {}),
      assignment: tracked.assignment.version,
      probes: tracked.assignment.names.size,
      received: tracked.received,
      state: this.stateOf(tracked, now),
    }));
  }

  /** Configured agents (for /api/v1/status and the status page). */
  get size(): number {
    return this.agents.size;
  }

  /** Whether this instance takes results now. */
  accepting(): boolean {
    return this.deps.accepting();
  }

  private byLocation(location: string): Tracked | undefined {
    return this.locations.get(location);
  }

  private stateOf(tracked: Tracked, now: number): AgentStatus['state'] {
    if (tracked.lastSeenAt === undefined) return 'never_seen';
    if (now - tracked.lastSeenAt >= tracked.spec.downAfterMs) return 'down';
    if ((tracked.lagMs ?? 0) >= tracked.spec.laggingAfterMs) return 'lagging';
    return 'up';
  }

  private noteClock(tracked: Tracked): void {
    const offset = tracked.clockOffsetMs;
    const off = offset !== undefined && Math.abs(offset) >= CLOCK_WARNING_MS;
    if (off && !tracked.warnedClock)
      this.deps.log.warn(
        { agent: tracked.spec.name, clock_offset_ms: Math.round(offset!) },
        "An agent's clock is off: its results are stamped in this control plane's clock (corrected by the offset); fix the agent's time sync",
      );
    tracked.warnedClock = off;
  }

  private refuse(reason: string): AgentAuth {
    this.refused.inc({ reason });
    return { refused: reason };
  }
}
