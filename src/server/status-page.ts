/**
 * GET /: the page an operator leaves open. Server-rendered HTML and one small stylesheet
 * (/status.css, so the strict CSP needs no 'unsafe-inline'); no JavaScript, no external assets.
 * It refreshes itself every 30 s with <meta http-equiv="refresh">. State is always written out
 * ("DOWN", not only a red dot) and tables have captions and header scopes for screen readers.
 * Rendering is one pass of string building: 1,000 probes take a few milliseconds.
 */

import type { AgentStatus } from '../locations/agents.js';
import type { Muting, ShownAlert } from '../model/alert.js';
import { formatMatcher } from '../model/matchers.js';
import type { ProbeResult, ProbeSpec } from '../model/probe.js';
import type { MaintenanceWindow } from '../muting/maintenance.js';
import { silenceState } from '../muting/silences.js';
import type { SilenceSpec } from '../notify/config/model.js';
import type { FactsKey, StatusColumn } from '../probers/definition.js';
import { displayTarget, FACTS } from '../probers/index.js';
import { type ProbeState, probeState, type ResultStore } from '../results/history.js';
import type { WaitingForData } from '../rules/evaluator.js';
import type { SloStatus } from '../slo/engine.js';
import type { Announcement } from '../state/announcements.js';
import { escapeHtml as esc } from '../util/html.js';
import type { PeerState } from './peers.js';
import { agentsSection } from './status-agents.js';
import {
  announcementBanners,
  type IncidentLine,
  incidentTimeline,
  maintenanceSection,
  STATUS_HISTORY_CSS,
  sloSection,
  uptimeBarRow,
  uptimeBars,
} from './status-history.js';
import { locationsSection } from './status-locations.js';

export interface StatusView {
  readonly probes: readonly ProbeSpec[];
  readonly results: ResultStore;
  readonly alerts: readonly ShownAlert[];
  /** Windowed rules that cannot judge a probe yet: said under the alerts, with the time left. */
  readonly waitingForData?: readonly WaitingForData[];
  readonly silences: readonly SilenceSpec[];
  readonly now: number;
  readonly version: string;
  /** The active maintenance window covering a probe now, if any. */
  readonly maintenanceOf?: (spec: ProbeSpec) => MaintenanceWindow | undefined;
  /** Pending and active windows. */
  readonly maintenance?: readonly MaintenanceWindow[];
  readonly announcements?: readonly Announcement[];
  /** Recent incidents, newest first. */
  readonly incidents?: readonly IncidentLine[];
  readonly incidentRetentionDays?: number;
  readonly slos?: readonly SloStatus[];
  /** Other locations' instances (`--peer`), and this one's location label. */
  readonly peers?: readonly PeerState[];
  readonly location?: string;
  /** Agents at private locations and how each is doing (their probes' copies are in `probes`). */
  readonly agents?: readonly AgentStatus[];
  /** Instances sharing state: whether this one leads (decides and sends), and the lease's token. */
  readonly leadership?: { readonly leading: boolean; readonly token?: number };
  /**
   * Each probe's table row and uptime-bars row, rendered beforehand in slices
   * (status-render.ts); rendered here, in one go, when absent.
   */
  readonly rendered?: {
    readonly rows: ReadonlyMap<ProbeSpec, string>;
    readonly bars: ReadonlyMap<ProbeSpec, string>;
  };
}

type PageState = ProbeState | 'maintenance';

/** The probe's state as the page shows it: a probe in a maintenance window is "maintenance", whatever its last run said. */
function pageState(spec: ProbeSpec, view: StatusView): PageState {
  if (view.maintenanceOf?.(spec)) return 'maintenance';
  return probeState(view.results.get(spec.name)?.last);
}

const SPARK_SAMPLES = 60;
const SPARK_WIDTH = 120;
const SPARK_HEIGHT = 24;

function percent(ratio: number | undefined): string {
  if (ratio === undefined) return '—';
  const value = ratio * 100;
  return `${value >= 99.995 ? '100' : value.toFixed(2)} %`;
}

function ago(ms: number, now: number): string {
  const seconds = Math.max(0, Math.round((now - ms) / 1000));
  if (seconds < 120) return `${seconds} s ago`;
  if (seconds < 7_200) return `${Math.round(seconds / 60)} min ago`;
  if (seconds < 172_800) return `${Math.round(seconds / 3_600)} h ago`;
  return `${Math.round(seconds / 86_400)} d ago`;
}

function sparkline(samples: ReadonlyArray<{ ok: boolean; durationMs: number }>, name: string): string {
  const recent = samples.slice(-SPARK_SAMPLES);
  if (recent.length < 2) return '<span class="muted">—</span>';
  const max = Math.max(1, ...recent.map((sample) => sample.durationMs));
  const step = SPARK_WIDTH / (SPARK_SAMPLES - 1);
  const offset = SPARK_WIDTH - step * (recent.length - 1);
  const point = (i: number) =>
    `${(offset + i * step).toFixed(1)},${(SPARK_HEIGHT - 2 - (recent[i]!.durationMs / max) * (SPARK_HEIGHT - 4)).toFixed(1)}`;
  const line = recent.map((_, i) => point(i)).join(' ');
  const failures = recent
    .map((sample, i) =>
      sample.ok ? '' : `<circle class="fail" cx="${point(i).split(',')[0]}" cy="${SPARK_HEIGHT - 3}" r="2"/>`,
    )
    .join('');
  const label = `latency of the last ${recent.length} runs of ${name}, up to ${Math.round(max)} ms${failures ? ', failed runs marked' : ''}`;
  return `<svg class="spark" role="img" viewBox="0 0 ${SPARK_WIDTH} ${SPARK_HEIGHT}" width="${SPARK_WIDTH}" height="${SPARK_HEIGHT}"><title>${esc(label)}</title><polyline points="${line}"/>${failures}</svg>`;
}

/**
 * Columns that facts sections add (the security grade, the certificate's days left). Sections
 * that name the same header share one column — each kind's one-line summary goes under "Check" —
 * so the table grows by a column per kind of fact, not per kind of probe.
 */
interface FactColumn {
  readonly header: string;
  readonly position: number;
  readonly className?: string;
  readonly sections: ReadonlyArray<{ key: FactsKey; cell: StatusColumn<never>['cell'] }>;
}

const FACT_COLUMNS: readonly FactColumn[] = (() => {
  const byHeader = new Map<string, FactColumn>();
  for (const section of FACTS) {
    const column = section.statusColumn;
    if (!column) continue;
    const seen = byHeader.get(column.header);
    const entry = { key: section.key, cell: column.cell as StatusColumn<never>['cell'] };
    byHeader.set(column.header, {
      header: column.header,
      position: Math.min(seen?.position ?? column.position, column.position),
      className: seen?.className ?? column.className,
      sections: [...(seen?.sections ?? []), entry],
    });
  }
  return [...byHeader.values()].sort((a, b) => a.position - b.position);
})();

function factCell(column: FactColumn, last: ProbeResult | undefined, now: number): string {
  let cell: ReturnType<StatusColumn<never>['cell']>;
  for (const section of column.sections) {
    const facts = last?.facts[section.key];
    if (facts === undefined || cell !== undefined) continue;
    try {
      cell = section.cell(facts as never, now);
    } catch {
      // Facts an agent of another version sent, in a shape this one does not read: an empty
      // cell, not a status page that fails for everyone.
    }
  }
  const className = [column.className, cell?.warn ? 'warn' : undefined].filter(Boolean).join(' ');
  return `<td${className ? ` class="${className}"` : ''}>${cell ? cell.html : '<span class="muted">—</span>'}</td>`;
}

export function probeRow(spec: ProbeSpec, view: StatusView): string {
  const history = view.results.get(spec.name);
  const last = history?.last;
  const state = pageState(spec, view);
  const samples = history?.samples() ?? [];
  const window = view.maintenanceOf?.(spec);
  const failure = window
    ? `maintenance until ${new Date(window.endsAt).toISOString().slice(11, 16)} UTC: ${window.comment}`
    : state === 'down' && last?.failure
      ? `${last.failure.code}: ${last.failure.message}`
      : '';
  const target = displayTarget(spec);
  return `<tr class="${state}" id="probe-${esc(spec.name)}">
<th scope="row"><span class="name">${esc(spec.name)}</span><span class="target">${esc(spec.kind)} · ${esc(target)}</span></th>
<td><span class="state ${state}">${state.toUpperCase()}</span></td>
<td>${last ? `<time datetime="${new Date(last.startedAt).toISOString()}">${ago(last.startedAt, view.now)}</time>, ${Math.round(last.durationMs)} ms` : '<span class="muted">not run yet</span>'}</td>
<td class="reason">${esc(failure)}</td>
<td class="num">${percent(view.results.uptimeOf(spec.name).last24h(view.now))}</td>
<td class="num">${percent(view.results.uptimeOf(spec.name).last30d(view.now))}</td>
<td>${sparkline(samples, spec.name)}</td>
${FACT_COLUMNS.map((column) => factCell(column, last, view.now)).join('\n')}
</tr>`;
}

const MUTED_BY: Record<Muting['by'], string> = {
  silence: 'silenced',
  maintenance: 'in maintenance',
  inhibition: 'inhibited by',
};

function alertRows(alerts: readonly ShownAlert[], now: number): string {
  const firing = alerts
    .filter((alert) => alert.state === 'firing')
    .sort(
      (a, b) =>
        Number(a.muted !== undefined) - Number(b.muted !== undefined) ||
        (a.labels.severity ?? '').localeCompare(b.labels.severity ?? '') ||
        a.rule.localeCompare(b.rule),
    );
  if (firing.length === 0) return '<p class="ok-note">No alerts firing.</p>';
  const subjectCell = (alert: ShownAlert) =>
    alert.labels.probe === undefined && alert.labels.slo !== undefined
      ? `<a href="#slo-${esc(alert.labels.slo)}">${esc(alert.labels.slo)}</a>`
      : `<a href="#probe-${esc(alert.probe)}">${esc(alert.probe)}</a>`;
  const severityCell = (alert: ShownAlert) =>
    alert.muted
      ? `<span class="sev muted" title="${esc(`${MUTED_BY[alert.muted.by]} ${alert.muted.id}`)}">MUTED</span> <span class="muted">${esc(alert.labels.severity ?? '')}, ${esc(MUTED_BY[alert.muted.by])} ${esc(alert.muted.id)}</span>`
      : `<span class="sev ${esc(alert.labels.severity ?? '')}">${esc((alert.labels.severity ?? '').toUpperCase())}</span>`;
  return `<table><caption>Firing alerts (muted ones notify nobody and are not counted above)</caption><thead><tr><th scope="col">Severity</th><th scope="col">Alert</th><th scope="col">Subject</th><th scope="col">Since</th><th scope="col">Summary</th></tr></thead><tbody>
${firing
  .map(
    (alert) =>
      `<tr id="alert-${esc(alert.fingerprint)}" class="${alert.muted ? 'muted' : esc(alert.labels.severity ?? '')}"><td>${severityCell(alert)}</td><td>${esc(alert.rule)}</td><td>${subjectCell(alert)}</td><td>${ago(alert.firedAt ?? alert.activeAt, now)}</td><td>${esc(alert.annotations.summary ?? '')}${alert.acknowledged ? ` <span class="acknowledged">acknowledged by ${esc(alert.acknowledged.by)}</span>` : ''}</td></tr>`,
  )
  .join('\n')}
</tbody></table>`;
}

/** "Insufficient data" for the rules still filling their windows, longest wait first, a few named. */
function waitingNote(waiting: readonly WaitingForData[]): string {
  if (waiting.length === 0) return '';
  const sorted = [...waiting].sort((a, b) => b.readyInMs - a.readyInMs);
  const named = sorted
    .slice(0, 5)
    .map(
      (entry) =>
        `${esc(entry.alert)} on <a href="#probe-${esc(entry.probe)}">${esc(entry.probe)}</a> (${Math.max(1, Math.ceil(entry.readyInMs / 60_000))} min)`,
    )
    .join(', ');
  const more = sorted.length > 5 ? ` and ${sorted.length - 5} more` : '';
  return `<p class="muted">Insufficient data: ${sorted.length} rule${sorted.length === 1 ? '' : 's'} cannot judge yet, until prismwatch has watched their window: ${named}${more}.</p>`;
}

function silenceRows(silences: readonly SilenceSpec[], now: number): string {
  const current = silences.filter((silence) => silenceState(silence, now) !== 'expired');
  if (current.length === 0) return '<p class="muted">No silences.</p>';
  return `<table><caption>Silences</caption><thead><tr><th scope="col">Matchers</th><th scope="col">State</th><th scope="col">Ends</th><th scope="col">By</th><th scope="col">Comment</th></tr></thead><tbody>
${current
  .map(
    (silence) =>
      `<tr><td><code>${esc(silence.matchers.map(formatMatcher).join(', '))}</code></td><td>${silenceState(silence, now)}</td><td><time datetime="${new Date(silence.endsAt).toISOString()}">${new Date(silence.endsAt).toISOString().replace('T', ' ').slice(0, 16)} UTC</time></td><td>${esc(silence.createdBy)}</td><td>${esc(silence.comment)}</td></tr>`,
  )
  .join('\n')}
</tbody></table>`;
}

/**
 * Which instance answered, when several share state: whether it leads. The holder's name (host
 * and process) stays in the API; a public page says only "this one" or "another one".
 */
function leadershipNote(leadership: StatusView['leadership']): string {
  if (!leadership) return '';
  const token = leadership.token === undefined ? '' : ` (lease ${leadership.token})`;
  return leadership.leading
    ? ` · this instance leads${token}`
    : ` · standing by: another instance leads${token}`;
}

export function renderStatusPage(view: StatusView): string {
  let up = 0;
  let down = 0;
  let maintenance = 0;
  for (const spec of view.probes) {
    const state = pageState(spec, view);
    if (state === 'maintenance') maintenance += 1;
    else if (state === 'up') up += 1;
    else if (state === 'down') down += 1;
  }
  // A muted alert pages nobody: it is listed (marked) but not counted in the headline.
  const firing = view.alerts.filter((alert) => alert.state === 'firing' && alert.muted === undefined);
  const mutedCount = view.alerts.filter(
    (alert) => alert.state === 'firing' && alert.muted !== undefined,
  ).length;
  const critical = firing.filter((alert) => alert.labels.severity === 'critical').length;
  const warning = firing.filter((alert) => alert.labels.severity === 'warning').length;
  const overall = critical > 0 || down > 0 ? 'bad' : warning > 0 ? 'warn' : 'good';
  const headline =
    critical > 0
      ? `${critical} critical alert${critical === 1 ? '' : 's'} firing`
      : down > 0
        ? `${down} probe${down === 1 ? '' : 's'} down`
        : warning > 0
          ? `${warning} warning${warning === 1 ? '' : 's'} firing`
          : 'All systems operational';
  // Down probes first, then by name: what needs attention is at the top.
  const order = { down: 0, unknown: 1, maintenance: 2, up: 3 } as const;
  const states = new Map(view.probes.map((spec) => [spec, pageState(spec, view)]));
  const probes = [...view.probes].sort(
    (a, b) => order[states.get(a)!] - order[states.get(b)!] || a.name.localeCompare(b.name),
  );
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<meta http-equiv="refresh" content="30"><title>${esc(headline)} · prismwatch</title>
<link rel="stylesheet" href="/status.css"></head>
<body>${announcementBanners(view.announcements ?? [])}<header class="${overall}"><h1>${esc(headline)}</h1>
<p class="counts"><span>${up} up</span> · <span>${down} down</span> · <span>${view.probes.length - up - down - maintenance} not run yet</span>${maintenance > 0 ? ` · <span>${maintenance} in maintenance</span>` : ''} · <span>${critical} critical</span> · <span>${warning} warning</span>${mutedCount > 0 ? ` · <span>${mutedCount} muted</span>` : ''}</p>
<p class="meta">prismwatch ${esc(view.version)} · updated <time datetime="${new Date(view.now).toISOString()}">${new Date(view.now).toISOString().replace('T', ' ').slice(0, 19)} UTC</time> · refreshes every 30 s${leadershipNote(view.leadership)} · <a href="/api/v1/probes">JSON</a> · <a href="/metrics">metrics</a></p></header>
<main><section aria-labelledby="alerts-h"><h2 id="alerts-h">Alerts</h2>${alertRows(view.alerts, view.now)}${waitingNote(view.waitingForData ?? [])}</section>
<section aria-labelledby="probes-h"><h2 id="probes-h">Probes</h2>
<table class="probes"><caption>${view.probes.length} probes, problems first</caption><thead><tr><th scope="col">Probe</th><th scope="col">State</th><th scope="col">Last run</th><th scope="col">Failure</th><th scope="col">Uptime 24 h</th><th scope="col">Uptime 30 d</th><th scope="col">Latency</th>${FACT_COLUMNS.map((column) => `<th scope="col">${esc(column.header)}</th>`).join('')}</tr></thead><tbody>
${probes.map((spec) => view.rendered?.rows.get(spec) ?? probeRow(spec, view)).join('\n')}
</tbody></table></section>
${
  view.slos && view.slos.length > 0
    ? `<section aria-labelledby="slos-h"><h2 id="slos-h">Service level objectives</h2>${sloSection(view.slos)}</section>
`
    : ''
}${view.peers && view.peers.length > 0 ? `<section aria-labelledby="locations-h"><h2 id="locations-h">Locations</h2>${locationsSection({ here: view.location ?? 'this instance', probes: view.probes, stateOf: (spec) => pageState(spec, view), peers: view.peers })}</section>\n` : ''}${view.agents && view.agents.length > 0 ? `<section aria-labelledby="private-locations-h"><h2 id="private-locations-h">Private locations</h2>${agentsSection({ probes: view.probes, stateOf: (spec) => pageState(spec, view), agents: view.agents, now: view.now })}</section>\n` : ''}<section aria-labelledby="incidents-h"><h2 id="incidents-h">Incidents</h2>${incidentTimeline(view.incidents ?? [], view.now, view.incidentRetentionDays ?? 90)}<p class="meta"><a href="/api/v1/incidents">All incidents (JSON)</a></p></section>
<section aria-labelledby="uptime-h"><h2 id="uptime-h">Uptime history</h2>${uptimeBars(
    [...view.probes]
      .sort((a, b) => a.name.localeCompare(b.name))
      .map((spec) => view.rendered?.bars.get(spec) ?? uptimeBarRow(spec, view.results, view.now)),
  )}</section>
<section aria-labelledby="maintenance-h"><h2 id="maintenance-h">Maintenance</h2>${maintenanceSection(view.maintenance ?? [], view.now)}</section>
<section aria-labelledby="silences-h"><h2 id="silences-h">Silences</h2>${silenceRows(view.silences, view.now)}</section></main></body></html>
`;
}

export const STATUS_CSS = `:root{color-scheme:light dark;--bg:#fff;--fg:#1b1b1b;--muted:#6b6b6b;--line:#ddd;--good:#1b6e3a;--bad:#b3261e;--warn:#8a5a00;--maint:#1f5fa8}
@media (prefers-color-scheme:dark){:root{--bg:#121212;--fg:#e8e8e8;--muted:#a0a0a0;--line:#333;--good:#6fcf97;--bad:#ff8a80;--warn:#ffd166;--maint:#8ab4f8}}
body{margin:0;font:14px/1.4 system-ui,sans-serif;background:var(--bg);color:var(--fg)}
header{padding:16px 24px;border-bottom:4px solid var(--line)}header.good{border-color:var(--good)}header.bad{border-color:var(--bad)}header.warn{border-color:var(--warn)}
h1{margin:0 0 4px;font-size:22px}h2{font-size:16px;margin:24px 0 8px}main{padding:0 24px 24px}
.counts span{white-space:nowrap}.meta,.muted,.target{color:var(--muted)}.meta{font-size:12px}
table{border-collapse:collapse;width:100%}caption{text-align:left;color:var(--muted);padding:4px 0}
th,td{text-align:left;padding:6px 8px;border-bottom:1px solid var(--line);vertical-align:middle}
thead th{font-size:12px;color:var(--muted);font-weight:600}th[scope=row]{font-weight:400}
.name{display:block;font-weight:600}.target{display:block;font-size:12px;word-break:break-all}
.state,.sev,.grade{font-weight:700;font-size:12px;padding:2px 6px;border-radius:3px;border:1px solid currentColor}
.state.up{color:var(--good)}.state.down,.sev.critical{color:var(--bad)}.state.unknown{color:var(--muted)}.sev.warning{color:var(--warn)}
tr.down th,tr.down td{background:color-mix(in srgb,var(--bad) 8%,transparent)}
.reason{max-width:28em;font-size:12px;word-break:break-word}.num{text-align:right;white-space:nowrap}.warn{color:var(--warn)}
.spark polyline{fill:none;stroke:currentColor;stroke-width:1.5}.spark .fail{fill:var(--bad)}
a{color:inherit}.ok-note{color:var(--good)}code{font-size:12px}
.acknowledged{font-size:12px;color:var(--muted);font-style:italic}
main.acknowledge{max-width:40em}main.acknowledge dt{font-weight:600}main.acknowledge dd{margin:0 0 8px}
body.public main,body.public header,body.public footer{max-width:56em;margin:0 auto}body.public footer{padding:0 24px 24px}
body.public header.up{border-color:var(--good)}body.public header.down{border-color:var(--bad)}body.public header.degraded{border-color:var(--warn)}body.public header.maintenance{border-color:var(--maint)}
.logo{float:right}.overall{font-size:16px;margin:8px 0}.components{list-style:none;padding:0;margin:0}
.component{border:1px solid var(--line);border-radius:6px;padding:10px 14px;margin:0 0 10px}.component-head{display:flex;justify-content:space-between;align-items:center;gap:8px}
.component h3{margin:0;font-size:15px}.history svg{max-width:100%;height:auto}.history p{margin:4px 0 0;font-size:12px}
.written-incident{border-left:4px solid var(--warn);padding:4px 12px;margin:0 0 14px}.written-incident.resolved{border-color:var(--good)}
.written-incident h3{margin:4px 0;font-size:15px}.timeline{padding-left:18px}.timeline li{margin:0 0 8px}.timeline p{margin:2px 0}.postmortem h4{margin:8px 0 4px}
main.acknowledge input{font:inherit;padding:4px 6px;width:100%;max-width:24em}main.acknowledge button{font:inherit;padding:6px 14px;cursor:pointer}
${STATUS_HISTORY_CSS}`;
