/**
 * AgentDown and AgentLagging: prismwatch's own alerts about its agents. They carry `agent` and
 * `location`, never `probe`, and are warnings: an agent that stops reporting says nothing about
 * its targets (its probes' alerts stay as they were, agents.ts `holds`), so it must not page as if
 * they were down. Routes can still send them anywhere (match `alertname: AgentDown`).
 */
import { type Alert, fingerprintOf, RESOLVED_RETENTION_MS } from '../model/alert.js';
import { formatDuration } from '../util/duration.js';
import type { AgentStatus } from './agents.js';

export const AGENT_DOWN = 'AgentDown';
export const AGENT_LAGGING = 'AgentLagging';

function describe(agent: AgentStatus, name: string, now: number): Record<string, string> {
  const seen =
    agent.lastSeenAt === undefined
      ? 'never'
      : `${formatDuration(Math.round((now - agent.lastSeenAt) / 1000) * 1000)} ago`;
  if (name === AGENT_DOWN)
    return {
      summary: `Agent ${agent.name} (${agent.location}) has not reported for a while (last seen ${seen})`,
      description: `No batch from the agent at ${agent.location}. Its probes' alerts are held as they were (an agent that is away is not a target that is down); its results are replayed from its outbox when it reconnects. Check the agent process, its host and its link to the control plane.`,
    };
  return {
    summary: `Agent ${agent.name} (${agent.location}) is behind: its newest result was ${formatDuration(Math.round((agent.lagMs ?? 0) / 1000) * 1000)} old when it arrived`,
    description: `${agent.backlog} results wait in its outbox. Rules hold its location's alerts until it has caught up. A slow or congested link to the control plane, or an overloaded agent host.`,
  };
}

export class AgentAlerts {
  private readonly alerts = new Map<string, Alert>();

  /** The alerts as of `now`, from the agents' states. */
  update(agents: readonly AgentStatus[], now: number): Alert[] {
    const active = new Set<string>();
    for (const agent of agents) {
      if (agent.revoked) continue;
      const name =
        agent.state === 'down' ? AGENT_DOWN : agent.state === 'lagging' ? AGENT_LAGGING : undefined;
      if (!name) continue;
      const labels = { alertname: name, severity: 'warning', agent: agent.name, location: agent.location };
      const fingerprint = fingerprintOf(labels);
      active.add(fingerprint);
      const existing = this.alerts.get(fingerprint);
      if (existing?.state === 'firing') {
        existing.annotations = describe(agent, name, now);
        existing.value =
          name === AGENT_DOWN ? (now - (agent.lastSeenAt ?? now)) / 1000 : (agent.lagMs ?? 0) / 1000;
        continue;
      }
      this.alerts.set(fingerprint, {
        fingerprint,
        rule: name,
        probe: agent.location,
        labels,
        annotations: describe(agent, name, now),
        state: 'firing',
        value: 0,
        activeAt: now,
        firedAt: now,
      });
    }
    for (const [fingerprint, alert] of this.alerts) {
      if (alert.state === 'firing' && !active.has(fingerprint)) {
        alert.state = 'resolved';
        alert.resolvedAt = now;
      } else if (alert.state === 'resolved' && now - (alert.resolvedAt ?? now) >= RESOLVED_RETENTION_MS) {
        this.alerts.delete(fingerprint);
      }
    }
    return [...this.alerts.values()];
  }

  list(): Alert[] {
    return [...this.alerts.values()];
  }
}
