/**
 * The status page's private locations: each probe agents run, as every location sees it (a
 * probe × location matrix), and each agent: its state, when it last reported, how far behind it
 * is, its backlog, version and clock offset. An agent that is down shows as such, and its
 * column says its cells are what it last reported, not the target's state now.
 */
import type { AgentStatus } from '../locations/agents.js';
import type { ProbeSpec } from '../model/probe.js';
import { formatDuration } from '../util/duration.js';
import { escapeHtml as esc } from '../util/html.js';

const badge = (state: string) => `<span class="state ${esc(state)}">${esc(state.toUpperCase())}</span>`;

/** Probes shown in the matrix at most. */
const MAX_ROWS = 2_000;

function seconds(ms: number): string {
  return formatDuration(Math.max(0, Math.round(ms / 1000) * 1000));
}

export interface AgentsView {
  readonly probes: readonly ProbeSpec[];
  readonly stateOf: (spec: ProbeSpec) => string;
  readonly agents: readonly AgentStatus[];
  readonly now: number;
}

export function agentsSection(view: AgentsView): string {
  const copies = view.probes.filter((spec) => spec.agent);
  const locations = [...new Set(copies.map((spec) => spec.agent!.location))].sort();
  const byProbe = new Map<string, Map<string, ProbeSpec>>();
  for (const spec of copies) {
    const row = byProbe.get(spec.agent!.probe) ?? new Map<string, ProbeSpec>();
    row.set(spec.agent!.location, spec);
    byProbe.set(spec.agent!.probe, row);
  }
  const agentAt = new Map(view.agents.map((agent) => [agent.location, agent]));
  const names = [...byProbe.keys()].sort().slice(0, MAX_ROWS);
  const header = locations
    .map((location) => {
      const agent = agentAt.get(location);
      const note =
        agent && agent.state !== 'up' ? ` <small>(${esc(agent.state.replace('_', ' '))})</small>` : '';
      return `<th scope="col">${esc(location)}${note}</th>`;
    })
    .join('');
  const rows = names.map((name) => {
    const row = byProbe.get(name)!;
    const cells = locations.map((location) => {
      const spec = row.get(location);
      return spec ? badge(view.stateOf(spec)) : '<span class="muted">not run</span>';
    });
    return `<tr><th scope="row" id="probe-${esc(name)}">${esc(name)}</th>${cells.map((cell) => `<td>${cell}</td>`).join('')}</tr>`;
  });
  const more = byProbe.size > names.length ? ` — ${byProbe.size - names.length} more not shown` : '';
  const matrix = `<table class="locations"><caption>Each probe as every location sees it${more}</caption><thead><tr><th scope="col">Probe</th>${header}</tr></thead><tbody>
${rows.join('\n')}
</tbody></table>`;
  const agentRows = view.agents.map((agent) => {
    const seen = agent.lastSeenAt === undefined ? 'never' : `${seconds(view.now - agent.lastSeenAt)} ago`;
    const clock =
      agent.clockOffsetMs === undefined
        ? ''
        : Math.abs(agent.clockOffsetMs) >= 2_000
          ? `<span class="state down">off by ${seconds(Math.abs(agent.clockOffsetMs))}</span>`
          : 'in sync';
    const state = agent.revoked ? 'revoked' : agent.state === 'never_seen' ? 'unknown' : agent.state;
    return `<tr><th scope="row">${esc(agent.name)}</th><td>${esc(agent.location)}</td><td>${badge(state === 'lagging' ? 'late' : state)}</td><td>${esc(seen)}</td><td>${agent.lagMs === undefined ? '' : esc(seconds(agent.lagMs))}</td><td>${agent.backlog}</td><td>${esc(agent.version ?? '')}</td><td>${clock}</td></tr>`;
  });
  const agents = `<table class="locations"><caption>Agents: when each last reported, how far behind its results are, and what waits in its outbox</caption><thead><tr><th scope="col">Agent</th><th scope="col">Location</th><th scope="col">State</th><th scope="col">Last seen</th><th scope="col">Lag</th><th scope="col">Backlog</th><th scope="col">Version</th><th scope="col">Clock</th></tr></thead><tbody>
${agentRows.join('\n')}
</tbody></table>`;
  return `${matrix}\n${agents}`;
}
