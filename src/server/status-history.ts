/**
 * The status page's sections about time: announcements at the top, maintenance windows, the
 * incident timeline, and 90-day uptime bars per probe (one bar per day, coloured by its worst
 * state, maintenance marked). Server-rendered like the rest of the page: no JavaScript, inline SVG.
 */

import { formatMatcher } from '../model/matchers.js';
import type { ProbeSpec } from '../model/probe.js';
import type { MaintenanceWindow } from '../muting/maintenance.js';
import type { ResultStore } from '../results/history.js';
import { UPTIME_DAYS, type UptimeDay } from '../results/uptime.js';
import type { SloState, SloStatus } from '../slo/engine.js';
import type { Announcement } from '../state/announcements.js';
import type { Incident } from '../state/incidents.js';
import { formatDuration } from '../util/duration.js';
import { escapeHtml as esc } from '../util/html.js';

/** An incident as the page shows it: the record and how many notifications went out about it. */
export interface IncidentLine {
  readonly incident: Incident;
  readonly notifications: number;
}

const utc = (ms: number) => `${new Date(ms).toISOString().replace('T', ' ').slice(0, 16)} UTC`;
const timeTag = (ms: number) => `<time datetime="${new Date(ms).toISOString()}">${utc(ms)}</time>`;

function lasted(ms: number): string {
  const minutes = Math.round(ms / 60_000);
  if (minutes < 1) return `${Math.max(0, Math.round(ms / 1000))} s`;
  if (minutes < 120) return `${minutes} min`;
  return `${Math.floor(minutes / 60)} h ${minutes % 60} min`;
}

export function announcementBanners(announcements: readonly Announcement[]): string {
  return announcements
    .map(
      (entry) =>
        `<div class="announce ${entry.severity}" role="${entry.severity === 'info' ? 'status' : 'alert'}"><strong>${entry.severity.toUpperCase()}</strong> ${esc(entry.text)} <span class="muted">— ${esc(entry.createdBy)}, ${timeTag(entry.createdAt)}</span></div>`,
    )
    .join('\n');
}

export function maintenanceSection(windows: readonly MaintenanceWindow[], now: number): string {
  const current = windows.filter((window) => window.endsAt > now);
  if (current.length === 0) return '<p class="muted">No maintenance scheduled.</p>';
  return `<table><caption>Maintenance windows</caption><thead><tr><th scope="col">Scope</th><th scope="col">State</th><th scope="col">From</th><th scope="col">Until</th><th scope="col">Mutes</th><th scope="col">By</th><th scope="col">Comment</th></tr></thead><tbody>
${current
  .map(
    (window) =>
      `<tr class="maintenance"><td><code>${esc(window.matchers.map(formatMatcher).join(', '))}</code></td><td>${now < window.startsAt ? 'pending' : 'active'}</td><td>${timeTag(window.startsAt)}</td><td>${timeTag(window.endsAt)}</td><td>${window.mute.length > 0 ? esc(window.mute.join(', ')) : 'every alert'}</td><td>${esc(window.createdBy)}</td><td>${esc(window.comment)}</td></tr>`,
  )
  .join('\n')}
</tbody></table>`;
}

export function incidentTimeline(lines: readonly IncidentLine[], now: number, retentionDays: number): string {
  if (lines.length === 0) return `<p class="ok-note">No incidents in the last ${retentionDays} days.</p>`;
  return `<ol class="timeline">
${lines
  .map(({ incident, notifications }) => {
    const open = incident.endedAt === undefined;
    const began = incident.firstFailureAt ?? incident.startedAt;
    const sev = esc(incident.severity);
    return `<li class="${open ? 'open' : 'resolved'} ${sev}"><span class="sev ${sev}">${esc(incident.severity.toUpperCase())}</span> <strong>${esc(incident.alertname)}</strong> on <a href="#probe-${esc(incident.probe)}">${esc(incident.probe)}</a> · ${timeTag(incident.startedAt)} · ${open ? `<span class="state down">ONGOING</span> for ${lasted(now - began)}` : `resolved after ${lasted(incident.endedAt! - began)}`} · ${notifications} notification${notifications === 1 ? '' : 's'} sent${incident.acknowledged ? ` · <span class="acknowledged">acknowledged by ${esc(incident.acknowledged.by)} ${timeTag(incident.acknowledged.at)}</span>` : ''}${incident.reason ? `<div class="reason">${esc(incident.reason)}</div>` : ''}</li>`;
  })
  .join('\n')}
</ol>`;
}

/** A day's colour: every run passed, some failed (under the checklist's 5 % error rate), or worse. */
function dayState(day: UptimeDay): string {
  if (day.runs === 0) return day.maintenance > 0 ? 'maint' : 'none';
  const ratio = day.ok / day.runs;
  return ratio === 1 ? 'up' : ratio >= 0.95 ? 'degraded' : 'down';
}

const BAR_WIDTH = 3;
const BAR_GAP = 1;
const BAR_HEIGHT = 20;

/**
 * One probe's 90 days as a few SVG paths: consecutive days of the same state are one rectangle,
 * so a quiet probe costs a few hundred bytes (a rectangle and a tooltip per day made the page
 * 10 MB at 1,000 probes). The tooltip names the days that were not clean.
 */
export function bars(days: readonly UptimeDay[], name: string): string {
  const step = BAR_WIDTH + BAR_GAP;
  const paths = new Map<string, string>();
  const marked: string[] = [];
  const notable = new Map<string, string[]>();
  let start = 0;
  for (let i = 0; i <= days.length; i++) {
    const state = i < days.length ? dayState(days[i]!) : '';
    if (i > 0 && (i === days.length || state !== dayState(days[start]!))) {
      const run = dayState(days[start]!);
      const width = (i - start) * step - BAR_GAP;
      paths.set(run, `${paths.get(run) ?? ''}M${start * step} 4h${width}v${BAR_HEIGHT - 4}h-${width}z`);
      start = i;
    }
    const day = days[i];
    if (!day) continue;
    const date = new Date(day.day).toISOString().slice(0, 10);
    if (day.maintenance > 0) marked.push(`M${i * step} 0h${BAR_WIDTH}v3h-${BAR_WIDTH}z`);
    if (state === 'down' || state === 'degraded')
      notable.set(state, [
        ...(notable.get(state) ?? []),
        `${date} (${((day.ok / day.runs) * 100).toFixed(2)} %)`,
      ]);
    if (day.maintenance > 0) notable.set('maintenance', [...(notable.get('maintenance') ?? []), date]);
  }
  const summary = [...notable].map(
    ([state, list]) =>
      `${state}: ${list.slice(-5).join(', ')}${list.length > 5 ? ` and ${list.length - 5} more` : ''}`,
  );
  const title = `${name}: daily uptime over the last ${days.length} days${summary.length > 0 ? `; ${summary.join('; ')}` : '; every day with runs was clean'}`;
  const width = days.length * step;
  const shapes = [...paths].map(([state, d]) => `<path class="${state}" d="${d}"/>`).join('');
  const marks = marked.length > 0 ? `<path class="maint-mark" d="${marked.join('')}"/>` : '';
  return `<svg class="bars" role="img" viewBox="0 0 ${width} ${BAR_HEIGHT}" width="${width}" height="${BAR_HEIGHT}"><title>${esc(title)}</title>${shapes}${marks}</svg>`;
}

/** One probe's row of the uptime-bars table. */
export function uptimeBarRow(spec: ProbeSpec, results: ResultStore, now: number): string {
  const uptime = results.uptimeOf(spec.name);
  const ratio = uptime.last90d(now);
  return `<tr><th scope="row">${esc(spec.name)}</th><td>${bars(uptime.days(now), spec.name)}</td><td class="num">${ratio === undefined ? '—' : `${(ratio * 100).toFixed(2)} %`}</td></tr>`;
}

/** The uptime-bars table around its rows (uptimeBarRow), in the order given. */
export function uptimeBars(rows: readonly string[]): string {
  if (rows.length === 0) return '';
  return `<table class="uptime-bars"><caption>One bar per day (UTC), oldest left; green: every run passed, amber: some failed (under 5 %), red: 5 % or more failed, blue mark: maintenance</caption><thead><tr><th scope="col">Probe</th><th scope="col">Last ${UPTIME_DAYS} days</th><th scope="col">Uptime ${UPTIME_DAYS} d</th></tr></thead><tbody>
${rows.join('\n')}
</tbody></table>`;
}

const pct = (ratio: number | undefined, digits = 3) =>
  ratio === undefined ? '—' : `${Number((ratio * 100).toFixed(digits))} %`;

const SLO_STATE_BADGE: Record<SloState, string> = {
  insufficient_data: '<span class="state unknown">INSUFFICIENT DATA</span>',
  fast_burn: '<span class="state down">FAST BURN</span>',
  exhausted: '<span class="state down">BUDGET EXHAUSTED</span>',
  slow_burn: '<span class="state degraded">SLOW BURN</span>',
  ok: '<span class="state up">OK</span>',
};

export function sloSection(statuses: readonly SloStatus[]): string {
  if (statuses.length === 0)
    return '<p class="muted">No SLOs configured (<code>slos:</code> in a config file).</p>';
  const rows = statuses.map((status) => {
    const { slo } = status;
    const state = SLO_STATE_BADGE[status.state];
    const left = status.budgetRemaining;
    const meter =
      left === undefined
        ? ''
        : `<meter min="0" max="1" low="0.25" optimum="1" value="${Math.max(0, Math.min(1, left)).toFixed(4)}" title="${pct(left, 1)} of the error budget left"></meter> `;
    const budget =
      status.insufficientForMs !== undefined
        ? `insufficient data: ${formatDuration(Math.max(60_000, Math.ceil(status.insufficientForMs / 60_000) * 60_000))} left`
        : `${meter}${pct(left, 1)}`;
    const burns = status.burnRates
      .filter((entry) => entry.rate !== undefined)
      .map((entry) => `${formatDuration(entry.windowMs)} ${entry.rate!.toFixed(2)}×`)
      .join(' · ');
    return `<tr id="slo-${esc(slo.name)}"><th scope="row"><span class="name">${esc(slo.name)}</span><span class="target">${esc(status.probes.join(', '))}</span></th><td>${state}</td><td class="num">${pct(slo.objective)} over ${formatDuration(slo.windowMs)}</td><td>${slo.latencyMs === undefined ? 'runs succeed' : `runs succeed within ${formatDuration(slo.latencyMs)}`}</td><td class="num">${pct(status.ratio)} of ${status.events} runs</td><td>${budget}</td><td class="burns">${esc(burns || '—')}</td></tr>`;
  });
  return `<table class="slos"><caption>Error budgets from prismwatch's own runs; a fast burn pages, a slow one opens a ticket</caption><thead><tr><th scope="col">SLO</th><th scope="col">State</th><th scope="col">Objective</th><th scope="col">Good event</th><th scope="col">Achieved</th><th scope="col">Budget left</th><th scope="col">Burn rates</th></tr></thead><tbody>
${rows.join('\n')}
</tbody></table>`;
}

export const STATUS_HISTORY_CSS = `.state.degraded{color:var(--warn)}.burns{font-size:12px}meter{width:80px;vertical-align:middle}
.announce{padding:10px 24px;border-bottom:1px solid var(--line)}.announce.critical{background:color-mix(in srgb,var(--bad) 15%,transparent)}.announce.warning{background:color-mix(in srgb,var(--warn) 15%,transparent)}.announce.info{background:color-mix(in srgb,var(--maint) 12%,transparent)}
.state.maintenance{color:var(--maint)}tr.maintenance th,tr.maintenance td{background:color-mix(in srgb,var(--maint) 8%,transparent)}
.timeline{list-style:none;padding:0;margin:0}.timeline li{padding:6px 8px;border-left:3px solid var(--line);margin:0 0 6px}.timeline li.open{border-color:var(--bad)}.timeline li.resolved.critical{border-color:color-mix(in srgb,var(--bad) 45%,var(--line))}.timeline li.resolved.warning{border-color:color-mix(in srgb,var(--warn) 45%,var(--line))}
.bars .up{fill:var(--good)}.bars .degraded{fill:var(--warn)}.bars .down{fill:var(--bad)}.bars .none{fill:var(--line)}.bars .maint,.bars .maint-mark{fill:var(--maint)}
`;
