/**
 * What the routes ask of the status pages: a page by slug or by Host header, its Atom feed, and
 * the written-incidents API (/api/v1/status-incidents): GET lists the open ones and those resolved
 * in the last 90 days; POST opens one `{title, impact, components, state?, message, createdBy,
 * fromIncident?}`; POST /<id>/updates adds `{state, message, createdBy, postmortem?}` (state
 * `resolved` resolves it). Components must be ones a configured page shows.
 */
import { matchesAll } from '../../model/matchers.js';
import { type ProbeSpec, probeLabels } from '../../model/probe.js';
import type { MaintenanceWindow } from '../../muting/maintenance.js';
import type { ResultStore } from '../../results/history.js';
import type { IncidentLog } from '../../state/incidents.js';
import {
  type IncidentUpdate,
  type StatusIncidents,
  type WrittenIncident,
  writtenIncidentAsJson,
} from '../../state/status-incidents.js';
import type { Subscribers } from '../../state/subscribers.js';
import { escapeHtml as esc } from '../../util/html.js';
import { type ApiAnswer, badInput, isAnswer, jsonObject, text } from '../api-input.js';
import { type SmallPage, smallPage } from '../small-page.js';
import { renderFeed } from './feed.js';
import { componentProbes, type StatusPageSpec } from './page-spec.js';
import { incidentsOf, renderPublicPage } from './render.js';
import type { SubscriberEvent } from './subscriber-delivery.js';
import { readSubscriberToken } from './subscriber-links.js';

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
  readonly subscribers: Subscribers;
  /** The key subscriber links are verified with (the leader makes it). */
  readonly linkKey: () => Buffer | undefined;
  /** Something was queued for subscribers: send now rather than at the next look. */
  readonly onQueued: () => void;
  readonly now: () => number;
}

/** A small page answering a subscriber's form or link. */
export type SubscriberPage = SmallPage;

export interface StatusPagesEndpoints {
  /** The page's HTML, or undefined for no such slug. */
  page(slug: string): string | undefined;
  /** The slug of the page served at `/` for this Host header, if any. */
  slugForHost(host: string | undefined): string | undefined;
  feed(slug: string): string | undefined;
  list(): ApiAnswer;
  open(body: string): ApiAnswer;
  update(id: string, body: string): ApiAnswer;
  /** The public form: an email address, answered the same whether it was known or not. */
  subscribe(slug: string, form: string): SubscriberPage | undefined;
  /** GET shows a button, POST does it (link scanners follow GETs): confirm or unsubscribe. */
  subscriberLink(
    slug: string,
    purpose: 'confirm' | 'unsubscribe',
    token: string,
    act: boolean,
  ): SubscriberPage | undefined;
  /** The API: counts only (GET), add a webhook subscriber (POST), remove one (DELETE). */
  subscriberCounts(slug: string): ApiAnswer;
  addWebhook(slug: string, body: string): ApiAnswer;
  removeSubscriber(slug: string, id: string): ApiAnswer;
  /** A maintenance window was opened: pages whose components it covers tell their subscribers. */
  maintenanceOpened(window: MaintenanceWindow): void;
}

/** An address the form takes: one @, no spaces or angle brackets, a dot in the domain; at most 254. */
const EMAIL_RE = /^[^\s@<>(),;:"]+@[^\s@<>(),;:"]+\.[^\s@<>(),;:"]+$/;

const subscriberPage = (status: number, title: string, body: string): SubscriberPage =>
  smallPage(status, title, body, '/status.css');

function updateEvent(incident: WrittenIncident, update: IncidentUpdate): SubscriberEvent {
  return {
    type: 'incident_update',
    incident: {
      id: incident.id,
      title: incident.title,
      impact: incident.impact,
      components: incident.components,
    },
    update: { id: update.id, state: update.state, body: update.body, at: update.at },
  };
}

export const pagePath = (slug: string) => `/status/${slug}`;
export const feedPath = (slug: string) => `/status/${slug}/feed.atom`;

export function statusPagesEndpoints(parts: StatusPageParts): StatusPagesEndpoints {
  const rendered = new Map<string, { at: number; html: string }>();
  const find = (slug: string) => parts.pages().find((page) => page.slug === slug);
  const recent = () => parts.incidents.list(parts.now() - HISTORY_MS);
  const componentNames = () => new Set(parts.pages().flatMap((page) => page.components.map((c) => c.name)));
  /** The newest update of `incident`, queued once for every subscriber of every page showing it. */
  const tellSubscribers = (incident: WrittenIncident) => {
    const update = incident.updates.at(-1);
    if (!update) return;
    let queued = 0;
    for (const page of parts.pages())
      if (incidentsOf(page, [incident]).length > 0)
        queued += parts.subscribers.offer(page.slug, `update:${update.id}`, updateEvent(incident, update));
    if (queued > 0) parts.onQueued();
  };
  const withSubscriptions = (slug: string) => {
    const page = find(slug);
    return page?.subscriptions ? { page, subscriptions: page.subscriptions } : undefined;
  };
  return {
    maintenanceOpened(window) {
      let queued = 0;
      for (const page of parts.pages()) {
        if (!page.subscriptions) continue;
        const covered = page.components.filter((component) =>
          componentProbes(component, parts.probes()).some((spec) =>
            matchesAll(window.matchers, probeLabels(spec)),
          ),
        );
        if (covered.length === 0) continue;
        const event: SubscriberEvent = {
          type: 'maintenance',
          maintenance: {
            id: window.id,
            startsAt: window.startsAt,
            endsAt: window.endsAt,
            comment: window.comment,
            components: covered.map((component) => component.name),
          },
        };
        queued += parts.subscribers.offer(page.slug, `maintenance:${window.id}`, event);
      }
      if (queued > 0) parts.onQueued();
    },
    subscribe(slug, form) {
      const found = withSubscriptions(slug);
      if (!found?.subscriptions.email) return undefined;
      const address = (new URLSearchParams(form).get('email') ?? '').trim().toLowerCase();
      if (address.length > 254 || !EMAIL_RE.test(address))
        return subscriberPage(
          400,
          'Not an email address',
          '<p role="alert">Go back and check the address.</p>',
        );
      const result = parts.subscribers.subscribe(slug, 'email', address, found.subscriptions.maxPending);
      if (result === 'full')
        return subscriberPage(
          429,
          'Too many subscriptions waiting',
          '<p role="alert">Too many subscriptions are waiting for confirmation. Try again later.</p>',
        );
      // Only a new subscription gets a confirmation request: the form cannot be used to send
      // the same address mail again and again. The answer is the same either way, so the form
      // never tells who is subscribed.
      if (result.created && parts.subscribers.offerTo(result.subscriber.id, 'confirm', { type: 'confirm' }))
        parts.onQueued();
      return subscriberPage(
        202,
        'Check your inbox',
        `<p role="status">If ${esc(address)} is not subscribed yet, a message with a confirmation link is on its way. Nothing is sent until it is confirmed.</p>`,
      );
    },
    subscriberLink(slug, purpose, token, act) {
      if (!find(slug)) return undefined;
      const read = readSubscriberToken(purpose, token, parts.linkKey(), parts.now());
      const subscriber = read && read.page === slug ? parts.subscribers.get(read.subscriber) : undefined;
      if (!subscriber)
        return purpose === 'confirm'
          ? subscriberPage(
              404,
              'This confirmation link does not work',
              '<p>It expired, was already used to unsubscribe, or was cut short. Subscribe again from the status page.</p>',
            )
          : subscriberPage(
              200,
              'Unsubscribed',
              '<p role="status">This address gets nothing more from this page.</p>',
            );
      const verb = purpose === 'confirm' ? 'Confirm the subscription' : 'Unsubscribe';
      if (!act)
        return subscriberPage(
          200,
          `${verb}?`,
          `<p>${esc(subscriber.address)}</p><form method="post" action=""><p><button type="submit">${verb}</button></p></form>`,
        );
      if (purpose === 'confirm') {
        parts.subscribers.confirm(subscriber.id);
        return subscriberPage(
          200,
          'Subscribed',
          '<p role="status">You will hear about incidents and maintenance on this page. Every message has an unsubscribe link.</p>',
        );
      }
      parts.subscribers.unsubscribe(subscriber.id);
      return subscriberPage(
        200,
        'Unsubscribed',
        '<p role="status">This address gets nothing more from this page.</p>',
      );
    },
    subscriberCounts(slug) {
      if (!find(slug)) return { status: 404, body: { error: `no status page ${JSON.stringify(slug)}` } };
      return { status: 200, body: parts.subscribers.counts(slug) };
    },
    addWebhook(slug, body) {
      const found = withSubscriptions(slug);
      if (!found?.subscriptions.webhooks)
        return {
          status: 404,
          body: {
            error: `status page ${JSON.stringify(slug)} takes no webhook subscribers (subscriptions.webhooks)`,
          },
        };
      const input = jsonObject(body);
      if (isAnswer(input)) return input;
      let url: URL;
      try {
        url = new URL(text(input.url));
      } catch {
        return badInput('url: expected an http(s) URL');
      }
      if (url.protocol !== 'https:' && url.protocol !== 'http:')
        return badInput('url: expected an http(s) URL');
      const result = parts.subscribers.subscribe(slug, 'webhook', url.href, found.subscriptions.maxPending);
      if (result === 'full') return { status: 429, body: { error: 'too many pending subscriptions' } };
      // The secret is shown once, to whoever added it (with the token): never listed afterwards.
      return {
        status: result.created ? 201 : 200,
        body: { id: result.subscriber.id, ...(result.created ? { secret: result.subscriber.secret } : {}) },
      };
    },
    removeSubscriber(slug, id) {
      const subscriber = parts.subscribers.get(id);
      if (!subscriber || subscriber.page !== slug)
        return {
          status: 404,
          body: { error: `no subscriber ${JSON.stringify(id)} on ${JSON.stringify(slug)}` },
        };
      parts.subscribers.unsubscribe(id);
      return { status: 200, body: { id, status: 'removed' } };
    },
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
      tellSubscribers(opened);
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
      tellSubscribers(updated);
      return { status: 200, body: writtenIncidentAsJson(updated) };
    },
  };
}
