/** The `heartbeat` facts section: a monitor's state and its job's last pings, and what is shown of it. */
import { escapeHtml } from '../../util/html.js';
import { defineFacts } from '../definition.js';
import { gauge, gaugePer } from '../families.js';
import type { HeartbeatState } from './evaluate.js';

export interface HeartbeatFacts {
  readonly state: HeartbeatState;
  /** Past due for want of a ping (late, or down by a missed ping; not a reported failure). */
  readonly late: boolean;
  readonly running: boolean;
  /** Epoch ms; undefined when there was none yet. */
  readonly lastPingAt?: number;
  readonly lastStartAt?: number;
  readonly lastFailAt?: number;
  readonly dueAt?: number;
  readonly deadlineAt?: number;
  readonly lastRunMs?: number;
  readonly exitStatus?: number;
}

declare module '../../model/probe.js' {
  interface ProbeFacts {
    heartbeat?: HeartbeatFacts;
  }
}

const STATES: readonly HeartbeatState[] = ['new', 'up', 'late', 'down'];
const seconds = (ms: number | undefined) => (ms === undefined ? undefined : ms / 1000);

function ago(ms: number): string {
  const minutes = Math.round(ms / 60_000);
  if (minutes < 1) return 'just now';
  if (minutes < 120) return `${minutes} min ago`;
  const hours = Math.round(minutes / 60);
  return hours < 48 ? `${hours} h ago` : `${Math.round(hours / 24)} d ago`;
}

export const heartbeatFacts = defineFacts({
  key: 'heartbeat',
  families: [
    gaugePer<HeartbeatFacts, { state: HeartbeatState; current: boolean }>(
      'prismwatch_heartbeat_state',
      'The heartbeat state as of the last evaluation: 1 for the current one of new, up, late, down.',
      (facts) => STATES.map((state) => ({ state, current: state === facts.state })),
      (item) => ['state', item.state],
      (item) => (item.current ? 1 : 0),
    ),
    gauge<HeartbeatFacts>(
      'prismwatch_heartbeat_late',
      'Whether the job is past due for want of a ping (1: late or down by a missed ping) or not (0).',
      (facts) => (facts.late ? 1 : 0),
    ),
    gauge<HeartbeatFacts>(
      'prismwatch_heartbeat_last_ping_timestamp_seconds',
      'When the job last reported success (Unix seconds).',
      (facts) => seconds(facts.lastPingAt),
    ),
    gauge<HeartbeatFacts>(
      'prismwatch_heartbeat_due_timestamp_seconds',
      'When the next success ping is due (Unix seconds); grace runs from here.',
      (facts) => seconds(facts.dueAt),
    ),
    gauge<HeartbeatFacts>(
      'prismwatch_heartbeat_last_run_duration_seconds',
      'How long the last run took, from its /start ping to its success ping.',
      (facts) => seconds(facts.lastRunMs),
    ),
  ],
  signals: [
    {
      name: 'heartbeat_late',
      read: (facts) => (facts.late ? 1 : 0),
      promql: (s) => `prismwatch_heartbeat_late${s}`,
    },
    {
      name: 'heartbeat_run_seconds',
      read: (facts) => seconds(facts.lastRunMs),
      promql: (s) => `prismwatch_heartbeat_last_run_duration_seconds${s}`,
    },
  ],
  report: (facts, out, { now }) => {
    out.row('heartbeat', `${facts.state}${facts.running ? ' (running)' : ''}`);
    if (facts.lastPingAt !== undefined)
      out.row('last ping', `${new Date(facts.lastPingAt).toISOString()} (${ago(now - facts.lastPingAt)})`);
    if (facts.dueAt !== undefined) out.row('due', new Date(facts.dueAt).toISOString());
    if (facts.lastRunMs !== undefined) out.row('last run', `${(facts.lastRunMs / 1000).toFixed(1)} s`);
  },
  evidence: (facts, _measures, now) =>
    facts.lastPingAt === undefined
      ? `${facts.state}: no ping yet`
      : `${facts.state}, last ping ${ago(now - facts.lastPingAt)}`,
  statusColumn: {
    header: 'Check',
    position: 3,
    cell: (facts, now) => {
      const last =
        facts.lastPingAt === undefined ? 'no ping yet' : `last ping ${ago(now - facts.lastPingAt)}`;
      return {
        html: `${escapeHtml(facts.state)} · ${escapeHtml(last)}`,
        warn: facts.state === 'late' || facts.state === 'down',
      };
    },
  },
});
