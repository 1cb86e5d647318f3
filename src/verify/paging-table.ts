/**
 * The "what pages when" table as Markdown (docs/rules.md, `prismwatch rules pages`): one row per rule and
 * timing, the probes that share it listed together.
 */
import { formatDuration } from '../util/duration.js';
import { type PagingEntry, SLOW_FACTOR } from './paging.js';

function ordinal(n: number): string {
  return n === 1 ? 'first' : n === 2 ? '2nd' : n === 3 ? '3rd' : `${n}th`;
}

function cells(entry: PagingEntry): string[] {
  const bad = entry.badRun;
  const [min, max] = entry.pageAfterMs;
  const hasInterval = entry.intervalMs > 0;
  const windowed = entry.windowed;
  const notice = entry.never
    ? `never: ${entry.never}`
    : `${formatDuration(min)}–${formatDuration(max)} after the ${ordinal(entry.badRuns)} ${bad} run`;
  const shortest = entry.never
    ? '—'
    : entry.shortestText
      ? entry.shortestText
      : !hasInterval
        ? 'depends on its schedule'
        : windowed
          ? `${entry.badRuns} ${bad} run${entry.badRuns === 1 ? '' : 's'} within ${formatDuration(entry.shortestMs)}`
          : `lasting ≥ ${formatDuration(entry.shortestMs)}`;
  const resolved = windowed
    ? `≤ ${formatDuration(entry.resolvedWithinMs)} after the last ${bad} run`
    : `≤ ${formatDuration(entry.resolvedWithinMs)} after recovery`;
  return [
    `\`${entry.alert}\` (${entry.severity})`,
    entry.receivers.join(', '),
    entry.condition,
    notice,
    resolved,
    shortest,
    entry.mutedBy.length > 0 ? entry.mutedBy.map((m) => `\`${m}\``).join('; ') : '—',
  ];
}

export function pagingTable(entries: readonly PagingEntry[]): string {
  const rows = new Map<string, { probes: string[]; interval: number; cells: string[] }>();
  for (const entry of entries) {
    const row = cells(entry);
    const key = row.join('|');
    const existing = rows.get(key);
    if (existing) existing.probes.push(entry.probe);
    else rows.set(key, { probes: [entry.probe], interval: entry.intervalMs, cells: row });
  }
  const header = [
    'alert',
    'reaches',
    'probes (interval)',
    'pages when',
    'first notice',
    'resolved notice',
    'shortest incident that always pages',
    'muted while',
  ];
  const lines = [`| ${header.join(' | ')} |`, `| ${header.map(() => '---').join(' | ')} |`];
  for (const { probes, interval, cells: row } of rows.values()) {
    const where = `${probes.join(', ')} (${interval > 0 ? formatDuration(interval) : 'schedule'})`;
    lines.push(`| ${[row[0], row[1], where, ...row.slice(2)].join(' | ')} |`);
  }
  return `${lines.join('\n')}\n`;
}

/** What the table assumes, said under it. */
export function pagingAssumptions(evaluationMs: number): string {
  return [
    `Evaluations every ${formatDuration(evaluationMs)}. A slow run takes ${SLOW_FACTOR}× the latency threshold`,
    'and the others next to nothing. A notice opens a new group (an alert joining a group that has',
    'already notified waits for its group_interval). Windowed rules count the runs a full window',
    'holds at the probe interval; bad runs can come in any order, as long as enough stay in the window.',
  ].join(' ');
}
