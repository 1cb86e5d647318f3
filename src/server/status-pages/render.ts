/**
 * A status page for people outside the team (page-spec.ts): components, not probes — each with a
 * state in words, 90 days of uptime bars and (if shown) its response time — and the incidents
 * people wrote, with their timelines and post-mortems. Nothing internal: no targets, no alert
 * names, no failure texts. Server-rendered, no JavaScript; landmarks, headings and states in
 * words for screen readers; the same stylesheet as the operator page. Unlike the operator page it
 * does not refresh itself: a timed refresh moves a screen reader's place and fails WCAG 2.2.1
 * (axe-core's meta-refresh rule caught it); visitors reload, feed readers poll the Atom feed.
 */
import type { ProbeSpec } from '../../model/probe.js';
import type { MaintenanceWindow } from '../../muting/maintenance.js';
import { probeState, type ResultStore } from '../../results/history.js';
import type { UptimeDay } from '../../results/uptime.js';
import {
  type IncidentImpact,
  type IncidentUpdate,
  incidentState,
  incidentStateWords,
  type WrittenIncident,
} from '../../state/status-incidents.js';
import { escapeHtml as esc } from '../../util/html.js';
import { bars } from '../status-history.js';
import { type ComponentSpec, componentProbes, type StatusPageSpec } from './page-spec.js';

export type ComponentState = 'operational' | 'maintenance' | IncidentImpact | 'unknown';

/** Worse is later. `unknown` (no data yet) ranks below everything people should act on. */
const RANK: readonly ComponentState[] = [
  'unknown',
  'operational',
  'maintenance',
  'degraded',
  'partial_outage',
  'major_outage',
];
const worse = (a: ComponentState, b: ComponentState): ComponentState =>
  RANK.indexOf(a) >= RANK.indexOf(b) ? a : b;

const WORDS: Record<ComponentState, string> = {
  unknown: 'No data yet',
  operational: 'Operational',
  maintenance: 'Under maintenance',
  degraded: 'Degraded performance',
  partial_outage: 'Partial outage',
  major_outage: 'Major outage',
};
const CLASS: Record<ComponentState, string> = {
  unknown: 'unknown',
  operational: 'up',
  maintenance: 'maintenance',
  degraded: 'degraded',
  partial_outage: 'degraded',
  major_outage: 'down',
};

export interface PublicPageView {
  readonly page: StatusPageSpec;
  readonly probes: readonly ProbeSpec[];
  readonly results: ResultStore;
  readonly maintenanceOf: (spec: ProbeSpec) => MaintenanceWindow | undefined;
  /** Written incidents, open ones and those resolved within the page's history, newest first. */
  readonly incidents: readonly WrittenIncident[];
  readonly now: number;
}

/** The incidents a page shows: those naming one of its components. */
export function incidentsOf(page: StatusPageSpec, incidents: readonly WrittenIncident[]): WrittenIncident[] {
  const names = new Set(page.components.map((component) => component.name));
  return incidents.filter((incident) => incident.components.some((name) => names.has(name)));
}

/** A component's state: its probes' last results, then any open incident naming it. */
export function componentState(component: ComponentSpec, view: PublicPageView): ComponentState {
  const probes = componentProbes(component, view.probes);
  const states = probes.map((spec) =>
    view.maintenanceOf(spec) ? 'maintenance' : probeState(view.results.get(spec.name)?.last),
  );
  const judged = states.filter((state) => state !== 'maintenance' && state !== 'unknown');
  const down = judged.filter((state) => state === 'down').length;
  let state: ComponentState;
  if (states.length > 0 && states.every((s) => s === 'maintenance')) state = 'maintenance';
  else if (judged.length === 0) state = 'unknown';
  else if (down === 0) state = 'operational';
  else state = down === judged.length ? 'major_outage' : 'partial_outage';
  for (const incident of view.incidents)
    if (incident.resolvedAt === undefined && incident.components.includes(component.name))
      state = worse(state, incident.impact);
  return state;
}

/** The probes' days added up, so the component's bar is red when its probes failed that day. */
function componentDays(probes: readonly ProbeSpec[], view: PublicPageView): UptimeDay[] {
  const sum: UptimeDay[] = [];
  for (const spec of probes) {
    const days = view.results.uptimeOf(spec.name).days(view.now);
    days.forEach((day, i) => {
      const total = sum[i];
      sum[i] = total
        ? {
            day: day.day,
            runs: total.runs + day.runs,
            ok: total.ok + day.ok,
            maintenance: total.maintenance + day.maintenance,
          }
        : day;
    });
  }
  return sum;
}

function uptimeText(days: readonly UptimeDay[]): string {
  const runs = days.reduce((sum, day) => sum + day.runs - day.maintenance, 0);
  const ok = days.reduce((sum, day) => sum + day.ok - Math.min(day.ok, day.maintenance), 0);
  return runs > 0 ? `${(Math.floor((ok / runs) * 10_000) / 100).toFixed(2)} % uptime` : 'no data';
}

function responseTime(probes: readonly ProbeSpec[], view: PublicPageView): string {
  const samples = probes.flatMap((spec) => view.results.get(spec.name)?.samples() ?? []);
  if (samples.length === 0) return '';
  const mean = samples.reduce((sum, sample) => sum + sample.durationMs, 0) / samples.length;
  return ` · ${mean >= 1000 ? `${(mean / 1000).toFixed(2)} s` : `${Math.round(mean)} ms`} response time`;
}

const iso = (ms: number) => new Date(ms).toISOString();
const timeTag = (ms: number) =>
  `<time datetime="${iso(ms)}">${iso(ms).slice(0, 16).replace('T', ' ')} UTC</time>`;

function updateItem(update: IncidentUpdate): string {
  return `<li><strong>${esc(incidentStateWords(update.state))}</strong> · ${timeTag(update.at)}<p>${esc(update.body)}</p></li>`;
}

function incidentArticle(incident: WrittenIncident): string {
  const state = incidentState(incident);
  const updates = [...incident.updates].reverse().map(updateItem).join('');
  const postmortem = incident.postmortem
    ? `<section class="postmortem" aria-label="Post-mortem"><h4>Post-mortem</h4><p>${esc(incident.postmortem)
        .replace(/\n{2,}/g, '</p><p>')
        .replace(/\n/g, '<br>')}</p></section>`
    : '';
  return `<article class="written-incident ${incident.resolvedAt === undefined ? 'open' : 'resolved'}" id="incident-${esc(incident.id)}">
<h3>${esc(incident.title)}</h3>
<p class="muted">${esc(incidentStateWords(state))} · ${esc(WORDS[incident.impact])} · affects ${esc(incident.components.join(', '))}</p>
<ol class="timeline" reversed>${updates}</ol>${postmortem}
</article>`;
}

function componentRow(component: ComponentSpec, view: PublicPageView): string {
  const probes = componentProbes(component, view.probes);
  const state = componentState(component, view);
  const days = componentDays(probes, view);
  const { show } = view.page;
  return `<li class="component ${CLASS[state]}"><div class="component-head"><h3>${esc(component.name)}</h3> <span class="state ${CLASS[state]}">${esc(WORDS[state])}</span></div>
${component.description ? `<p class="muted">${esc(component.description)}</p>` : ''}
${show.history ? `<div class="history">${bars(days, component.name)}<p class="muted">${esc(uptimeText(days))} over ${days.length} days${show.latency ? esc(responseTime(probes, view)) : ''}</p></div>` : show.latency ? `<p class="muted">${esc(responseTime(probes, view).slice(3))}</p>` : ''}
</li>`;
}

function subscribeForm(slug: string, feedHref: string): string {
  return `<section aria-labelledby="subscribe"><h2 id="subscribe">Get updates</h2>
<form method="post" action="/status/${esc(slug)}/subscribe"><p><label for="email">Email address</label><br><input id="email" name="email" type="email" required maxlength="254" autocomplete="email"> <button type="submit">Subscribe</button></p></form>
<p class="muted">We send a confirmation link first, and every message can unsubscribe you. Or follow the <a href="${esc(feedHref)}">Atom feed</a>.</p></section>`;
}

export function renderPublicPage(view: PublicPageView, feedHref: string): string {
  const { page } = view;
  const overall = page.components
    .map((component) => componentState(component, view))
    .reduce<ComponentState>((a, b) => worse(a, b), 'unknown');
  const headline =
    overall === 'operational'
      ? 'All systems operational'
      : overall === 'unknown'
        ? 'Waiting for the first checks'
        : WORDS[overall];
  const incidents = incidentsOf(page, view.incidents);
  const open = incidents.filter((incident) => incident.resolvedAt === undefined);
  const past = incidents.filter((incident) => incident.resolvedAt !== undefined);
  const incidentSections = page.show.incidents
    ? `<section aria-labelledby="current-incidents"><h2 id="current-incidents">Current incidents</h2>${open.length > 0 ? open.map(incidentArticle).join('\n') : '<p class="ok-note">No incidents right now.</p>'}</section>
<section aria-labelledby="past-incidents"><h2 id="past-incidents">Past incidents</h2>${past.length > 0 ? past.map(incidentArticle).join('\n') : '<p class="muted">No incidents in the last 90 days.</p>'}</section>`
    : '';
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1">
<title>${esc(page.title)}</title>
<link rel="stylesheet" href="/status.css"><link rel="alternate" type="application/atom+xml" title="${esc(page.title)}: incidents" href="${esc(feedHref)}"></head>
<body class="public">
<header class="${CLASS[overall]}">${page.logo ? `<img class="logo" src="${esc(page.logo)}" alt="" width="40" height="40">` : ''}<h1>${esc(page.title)}</h1>
<p class="overall" role="status"><span class="state ${CLASS[overall]}">${esc(headline)}</span></p>
${page.description ? `<p>${esc(page.description)}</p>` : ''}</header>
<main>
${incidentSections}
<section aria-labelledby="components"><h2 id="components">Components</h2><ul class="components">
${page.components.map((component) => componentRow(component, view)).join('\n')}
</ul></section>
${page.subscriptions?.email ? subscribeForm(page.slug, feedHref) : ''}
</main>
<footer><p class="muted">Updated ${timeTag(view.now)} · <a href="${esc(feedHref)}">Incident feed (Atom)</a></p></footer>
</body></html>
`;
}
