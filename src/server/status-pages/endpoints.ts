/**
 * What the routes ask of the status pages: a page by slug or by Host header, its Atom feed, and
 * the written-incidents API (/api/v1/status-incidents): GET lists the open ones and those resolved
 * in the last 90 days; POST opens one `{title, impact, components, state?, message, createdBy,
 * fromIncident?}`; POST /<id>/updates adds `{state, message, createdBy, postmortem?}` (state
 * `resolved` resolves it). Components must be ones a configured page shows.
 */
import type { ProbeSpec } from '../../model/probe.js';
import type { MaintenanceWindow } from '../../muting/maintenance.js';
import type { ResultStore } from '../../results/history.js';
import type { IncidentLog } from '../../state/incidents.js';
import { type StatusIncidents, writtenIncidentAsJson } from '../../state/status-incidents.js';
import { type ApiAnswer, badInput, isAnswer, jsonObject, text } from '../api-input.js';
import { renderFeed } from './feed.js';
import type { StatusPageSpec } from './page-spec.js';
import { renderPublicPage } from './render.js';

const HISTORY_MS = 90 * 86_400_000;
/** A page is rendered at most once a second per slug, however many ask (as the operator page). */
const RENDER_MAX_AGE_MS = 1_000;

export interface StatusPageParts {
  readonly pages: () => readonly StatusPageSpec[];
  readonly probes: () => readonly ProbeSpec[];
  readonly results: ResultStore;
  readonly maintenanceOf: (spec: ProbeSpec) => MaintenanceWindow | undefined;
  readonly incidents: StatusIncidents;
  /** The alert-made incidents, for promoting one. */
  readonly alertIncidents: IncidentLog;
  readonly now: () => number;
}

export interface StatusPagesEndpoints {
  /** The page's HTML, or undefined for no such slug. */
  page(slug: string): string | undefined;
  /** The slug of the page served at `/` for this Host header, if any. */
  slugForHost(host: string | undefined): string | undefined;
  feed(slug: string): string | undefined;
  list(): ApiAnswer;
  open(body: string): ApiAnswer;
  update(id: string, body: string): ApiAnswer;
}

export const pagePath = (slug: string) => `/status/${slug}`;
export const feedPath = (slug: string) => `/status/${slug}/feed.atom`;

export function statusPagesEndpoints(parts: StatusPageParts): StatusPagesEndpoints {
  const rendered = new Map<string, { at: number; html: string }>();
  const find = (slug: string) => parts.pages().find((page) => page.slug === slug);
  const recent = () => parts.incidents.list(parts.now() - HISTORY_MS);
  const componentNames = () => new Set(parts.pages().flatMap((page) => page.components.map((c) => c.name)));
  return {
    page(slug) {
      const page = find(slug);
      if (!page) return undefined;
      const now = parts.now();
      const cached = rendered.get(slug);
      if (cached && now - cached.at < RENDER_MAX_AGE_MS && now >= cached.at) return cached.html;
      const html = renderPublicPage(
        {
          page,
          probes: parts.probes(),
          results: parts.results,
          maintenanceOf: parts.maintenanceOf,
          incidents: recent(),
          now,
        },
        feedPath(slug),
      );
      rendered.set(slug, { at: now, html });
      return html;
    },
    slugForHost(host) {
      if (!host) return undefined;
      const wanted = host.toLowerCase();
      const bare = wanted.replace(/:\d+$/, '');
      return parts.pages().find((page) => page.host === wanted || page.host === bare)?.slug;
    },
    feed(slug) {
      const page = find(slug);
      if (!page) return undefined;
      return renderFeed(page, recent(), { page: pagePath(slug), feed: feedPath(slug) }, parts.now());
    },
    list: () => ({ status: 200, body: { incidents: recent().map(writtenIncidentAsJson) } }),
    open(body) {
      const input = jsonObject(body);
      if (isAnswer(input)) return input;
      const components = input.components;
      if (!Array.isArray(components) || !components.every((name) => typeof name === 'string'))
        return badInput('components: expected a list of component names');
      const known = componentNames();
      const unknown = components.filter((name) => !known.has(name));
      if (unknown.length > 0)
        return badInput(
          `components: ${unknown.map((name) => JSON.stringify(name)).join(', ')} ${unknown.length === 1 ? 'is' : 'are'} on no status page (known: ${[...known].join(', ') || 'none: add status_pages to the config'})`,
        );
      const from = input.fromIncident;
      if (from !== undefined) {
        if (typeof from !== 'string') return badInput('fromIncident: expected an incident id');
        if (!parts.alertIncidents.list({ limit: 10_000 }).some((incident) => incident.id === from))
          return { status: 404, body: { error: `no alert incident with id ${JSON.stringify(from)}` } };
      }
      const opened = parts.incidents.open({
        title: text(input.title),
        impact: text(input.impact),
        components,
        ...(typeof input.state === 'string' ? { state: input.state } : {}),
        body: text(input.message),
        createdBy: text(input.createdBy),
        ...(typeof from === 'string' ? { alertIncident: from } : {}),
      });
      if (typeof opened === 'string') return badInput(opened);
      rendered.clear();
      return { status: 201, body: writtenIncidentAsJson(opened) };
    },
    update(id, body) {
      const input = jsonObject(body);
      if (isAnswer(input)) return input;
      if (input.postmortem !== undefined && typeof input.postmortem !== 'string')
        return badInput('postmortem: expected text');
      const updated = parts.incidents.update(id, {
        state: text(input.state),
        body: text(input.message),
        createdBy: text(input.createdBy),
        ...(typeof input.postmortem === 'string' ? { postmortem: input.postmortem } : {}),
      });
      if (updated === 'not_found')
        return { status: 404, body: { error: `no written incident with id ${JSON.stringify(id)}` } };
      if (typeof updated === 'string') return badInput(updated);
      rendered.clear();
      return { status: 200, body: writtenIncidentAsJson(updated) };
    },
  };
}
