/**
 * Every route the daemon answers, in one table. What a route needs (token, body, content type,
 * public budget) is declared here and enforced by the server (http.ts) for all routes alike.
 */
import type { IncomingMessage } from 'node:http';
import type { MetricsBody } from '../metrics/scrape.js';
import { type Answer, jsonAnswer, textAnswer } from './answer.js';
import type { ApiAnswer, ApiCollection } from './api-input.js';
import { badgeRoutes } from './badge-routes.js';
import type { BadgeRequest } from './badges.js';
import { conditional } from './etag.js';
import { RenderCache } from './render-cache.js';
import type { Route } from './route-table.js';
import { runbook } from './runbooks.js';
import { STATUS_CSS } from './status-page.js';
import type { StatusPagesEndpoints } from './status-pages/endpoints.js';

export interface ServerHandlers {
  /** The exposition as a head (small) and a stream of chunks of known total length. */
  /** The exposition; OpenMetrics when the daemon allows it and the scrape's Accept header asks. */
  readonly metrics: (accept?: string) => Promise<MetricsBody>;
  readonly isReady: () => boolean;
  readonly reload: () => Promise<{ ok: boolean; message: string }>;
  readonly alerts: () => unknown;
  /** Who leads and where state is kept (/api/v1/status). */
  readonly status: () => unknown;
  readonly probes: () => unknown;
  /** undefined when no such probe is configured. */
  readonly probeResults: (name: string, sinceMs?: number) => unknown;
  /**
   * The API's collections by name (/api/v1/<name>: silences, maintenance, announcements,
   * incidents, slos): whether it takes writes, and the collection (undefined until the daemon
   * has loaded its state).
   */
  readonly collections: Readonly<Record<string, CollectionHandle>>;
  /** A probe's badge as SVG (badges.ts): status, uptime or response time. */
  readonly badge: (request: BadgeRequest) => { status: number; svg: string };
  /** The status page's HTML (rendered in slices: status-render.ts). */
  readonly statusPage: () => Promise<string>;
  /** A file a probe left (a screenshot), by its /artifacts/… path; undefined when there is none. */
  readonly artifact: (path: string) => Buffer | undefined;
  /** Path prefixes that kinds receive pushes under (heartbeat pings: "/ping/"). */
  readonly pushPrefixes: readonly string[];
  /** A request under one of them, answered by the kind's inbox. */
  readonly push: (request: PushRequest) => { status: number; body: string };
  /** Agents at private locations (locations/agents.ts). */
  readonly agents: AgentEndpoints;
  /** Discovery sources: their targets, errors, and the targets that made no probe. */
  readonly discovery: () => unknown;
  /** The pages behind acknowledge links (ack-pages.ts); undefined until the daemon has started. */
  readonly acknowledge: () => AckEndpoints | undefined;
  /** Status pages for people outside the team, and written incidents (status-pages/); undefined until started. */
  readonly statusPages: () => StatusPagesEndpoints | undefined;
}

/** GET shows what an acknowledge link would do; POST does it (ack-pages.ts). */
export interface AckEndpoints {
  page(token: string): { status: number; html: string };
  submit(token: string, body: string): { status: number; html: string };
}

/** What the agent routes ask of the agent registry. */
export interface AgentEndpoints {
  /** The agent a bearer token belongs to, or why it is refused. */
  authenticate(authorization: string | undefined): { readonly agent: string } | { readonly refused: string };
  /** The agent's assignment as JSON. */
  assignment(agent: string): string | undefined;
  /** A batch of results; answered with the status and body to send. */
  ingest(agent: string, body: unknown): { status: number; answer: unknown };
  /** Whether this instance takes results now (with a shared database, only the leader does). */
  accepting(): boolean;
  /** The agents and how each is doing. */
  status(): unknown;
}

export interface CollectionHandle {
  /** POST creates and DELETE /<id> removes; without it the collection is read-only. */
  readonly writable: boolean;
  /** false: POST only, nothing to DELETE (acknowledgements stand). Default: as writable. */
  readonly removable?: boolean;
  readonly get: () => ApiCollection | undefined;
}

export interface PushRequest {
  readonly method: string;
  /** The whole path, still percent-encoded. */
  readonly path: string;
  readonly headers: IncomingMessage['headers'];
  readonly body: string;
}

/** Bodies of API writes and pushes (a job's last lines of output) beyond this are refused. */
export const MAX_BODY_BYTES = 64 * 1024;
/** The status page is rendered at most this often, however many ask: the rest get the last one. */
const STATUS_PAGE_MAX_AGE_MS = 1_000;
const JSON_BODY = ['application/json'];

const fromApi = (answer: ApiAnswer): Answer => jsonAnswer(answer.status, answer.body);
const starting = () => jsonAnswer(503, { error: 'prismwatch is starting' });

/** The routes of one collection: GET lists; POST and DELETE /<id> when it takes writes. */
function collectionRoutes(name: string, handle: CollectionHandle): Route[] {
  const base = `/api/v1/${name}`;
  const routes: Route[] = [
    {
      method: 'GET',
      path: base,
      access: 'open',
      summary: `list ${name}`,
      handle: ({ query }) => {
        const collection = handle.get();
        return collection ? fromApi(collection.list(query)) : starting();
      },
    },
  ];
  if (!handle.writable) return routes;
  routes.push({
    method: 'POST',
    path: base,
    access: 'token',
    maxBodyBytes: MAX_BODY_BYTES,
    accepts: JSON_BODY,
    summary: `create one of ${name}`,
    handle: ({ body }) => {
      const collection = handle.get();
      return collection?.create ? fromApi(collection.create(body)) : starting();
    },
  });
  if (handle.removable === false) return routes;
  routes.push({
    method: 'DELETE',
    path: `${base}/:id`,
    access: 'token',
    summary: `end or remove one of ${name}`,
    handle: ({ params }) => {
      const collection = handle.get();
      return collection?.remove ? fromApi(collection.remove(params.id!)) : starting();
    },
  });
  return routes;
}

/** Agent batches: the agent keeps each under 1 MiB (agent/shipper.ts); the bound leaves room. */
const MAX_AGENT_BATCH_BYTES = 4 * 1024 * 1024;

function agentRoutes(agents: AgentEndpoints): Route[] {
  return [
    {
      method: 'GET',
      path: '/api/v1/agents',
      access: 'open',
      summary: 'agents at private locations and how each is doing',
      handle: () => jsonAnswer(200, agents.status()),
    },
    {
      method: 'GET',
      path: '/api/v1/agent/assignment',
      access: 'agent',
      summary: "an agent's probes (its own token)",
      handle: ({ agent }) => {
        const body = agents.assignment(agent!);
        return body === undefined
          ? jsonAnswer(401, { error: 'unknown agent' })
          : { status: 200, body: `${body}\n`, contentType: 'application/json; charset=utf-8' };
      },
    },
    {
      method: 'POST',
      path: '/api/v1/agent/results',
      access: 'agent',
      maxBodyBytes: MAX_AGENT_BATCH_BYTES,
      accepts: JSON_BODY,
      summary: "a batch of an agent's results (its own token)",
      handle: ({ agent, body }) => {
        // With a shared state database only the leader keeps results: the agent tries the next URL.
        if (!agents.accepting())
          return {
            ...jsonAnswer(503, { error: 'this instance does not take results now (it does not lead)' }),
            headers: { 'retry-after': '1' },
          };
        let parsed: unknown;
        try {
          parsed = JSON.parse(body);
        } catch {
          return jsonAnswer(400, { error: 'expected a JSON body' });
        }
        const outcome = agents.ingest(agent!, parsed);
        return jsonAnswer(outcome.status, outcome.answer);
      },
    },
  ];
}

/** An acknowledge link's form: a name and a comment, well under this. */
const MAX_ACK_FORM_BYTES = 4 * 1024;
const htmlAnswer = (page: { status: number; html: string }): Answer => ({
  status: page.status,
  body: page.html,
  contentType: 'text/html; charset=utf-8',
});

const HTML = 'text/html; charset=utf-8';
const FORM_BODY = ['application/x-www-form-urlencoded'];
/** A subscriber's form: an email address, well under this. */
const SUBSCRIBER_FORM_BYTES = 2 * 1024;
const pageAnswer = (page: { status: number; html: string } | undefined): Answer =>
  page ? { status: page.status, body: page.html, contentType: HTML } : textAnswer(404, 'no such status page');

function statusPageRoutes(statusPages: ServerHandlers['statusPages']): Route[] {
  const whenStarted = (answer: (endpoints: StatusPagesEndpoints) => Answer): Answer => {
    const endpoints = statusPages();
    return endpoints ? answer(endpoints) : starting();
  };
  return [
    {
      method: 'GET',
      path: '/status/:slug',
      access: 'public',
      summary: 'a status page for people outside the team (status_pages: in the config)',
      handle: ({ params }) =>
        whenStarted((endpoints) => {
          const html = endpoints.page(params.slug!);
          return html === undefined
            ? textAnswer(404, 'no such status page')
            : { status: 200, body: html, contentType: HTML };
        }),
    },
    {
      method: 'GET',
      path: '/status/:slug/feed.atom',
      access: 'public',
      summary: "a status page's incidents as an Atom feed",
      handle: ({ params, headers }) =>
        whenStarted((endpoints) => {
          const xml = endpoints.feed(params.slug!);
          // Feed readers poll: with the ETag an unchanged feed costs them a 304.
          return xml === undefined
            ? textAnswer(404, 'no such status page')
            : conditional(headers, {
                status: 200,
                body: xml,
                contentType: 'application/atom+xml; charset=utf-8',
                headers: { 'cache-control': 'max-age=60' },
              });
        }),
    },
    {
      method: 'POST',
      path: '/status/:slug/subscribe',
      access: 'public',
      maxBodyBytes: SUBSCRIBER_FORM_BYTES,
      accepts: FORM_BODY,
      summary: "subscribe an email address to a status page (the page's form; double opt-in)",
      handle: ({ params, body }) =>
        whenStarted((endpoints) => pageAnswer(endpoints.subscribe(params.slug!, body))),
    },
    ...(['confirm', 'unsubscribe'] as const).flatMap((purpose): Route[] =>
      (['GET', 'POST'] as const).map((method) => ({
        method,
        path: `/status/:slug/${purpose}/:token`,
        access: 'public',
        ...(method === 'POST'
          ? { maxBodyBytes: SUBSCRIBER_FORM_BYTES, accepts: [...FORM_BODY, 'multipart/form-data'] }
          : {}),
        summary:
          method === 'GET'
            ? `a subscriber's ${purpose} link: what it does, and the button that does it`
            : `${purpose} (the button on the link's page; RFC 8058 one-click for unsubscribe)`,
        handle: ({ params }) =>
          whenStarted((endpoints) =>
            pageAnswer(endpoints.subscriberLink(params.slug!, purpose, params.token!, method === 'POST')),
          ),
      })),
    ),
    {
      method: 'GET',
      path: '/api/v1/status-pages/:slug/subscribers',
      access: 'token',
      summary: 'how many subscribers a status page has (counts only: addresses are never listed)',
      handle: ({ params }) => whenStarted((endpoints) => fromApi(endpoints.subscriberCounts(params.slug!))),
    },
    {
      method: 'POST',
      path: '/api/v1/status-pages/:slug/subscribers',
      access: 'token',
      maxBodyBytes: MAX_BODY_BYTES,
      accepts: JSON_BODY,
      summary: 'add a webhook subscriber to a status page; its signing secret is in the answer, once',
      handle: ({ params, body }) =>
        whenStarted((endpoints) => fromApi(endpoints.addWebhook(params.slug!, body))),
    },
    {
      method: 'DELETE',
      path: '/api/v1/status-pages/:slug/subscribers/:id',
      access: 'token',
      summary: 'remove a subscriber',
      handle: ({ params }) =>
        whenStarted((endpoints) => fromApi(endpoints.removeSubscriber(params.slug!, params.id!))),
    },
    {
      method: 'GET',
      path: '/api/v1/status-incidents',
      access: 'open',
      summary: 'incidents written for the status pages: open ones and the last 90 days',
      handle: () => whenStarted((endpoints) => fromApi(endpoints.list())),
    },
    {
      method: 'POST',
      path: '/api/v1/status-incidents',
      access: 'token',
      maxBodyBytes: MAX_BODY_BYTES,
      accepts: JSON_BODY,
      summary: 'open a written incident on the status pages',
      handle: ({ body }) => whenStarted((endpoints) => fromApi(endpoints.open(body))),
    },
    {
      method: 'POST',
      path: '/api/v1/status-incidents/:id/updates',
      access: 'token',
      maxBodyBytes: MAX_BODY_BYTES,
      accepts: JSON_BODY,
      summary:
        'add an update to a written incident (state resolved resolves it; a post-mortem may come with it)',
      handle: ({ params, body }) => whenStarted((endpoints) => fromApi(endpoints.update(params.id!, body))),
    },
  ];
}

function ackRoutes(acknowledge: ServerHandlers['acknowledge']): Route[] {
  const startingPage = () => textAnswer(503, 'prismwatch is starting; open the link again in a moment');
  return [
    {
      method: 'GET',
      path: '/ack/:token',
      access: 'public',
      summary: 'what an acknowledge link would acknowledge, and the button that does it',
      handle: ({ params }) => {
        const endpoints = acknowledge();
        return endpoints ? htmlAnswer(endpoints.page(params.token!)) : startingPage();
      },
    },
    {
      method: 'POST',
      path: '/ack/:token',
      access: 'public',
      maxBodyBytes: MAX_ACK_FORM_BYTES,
      accepts: ['application/x-www-form-urlencoded'],
      summary: 'acknowledge the alert an acknowledge link was sent for (the form on its page)',
      handle: ({ params, body }) => {
        const endpoints = acknowledge();
        return endpoints ? htmlAnswer(endpoints.submit(params.token!, body)) : startingPage();
      },
    },
  ];
}

/** Artifacts only the API token may read: Playwright traces (requests, headers, typed values). */
export const isPrivateArtifact = (path: string): boolean => path.endsWith('-trace.zip');

function artifactAnswer(file: Buffer | undefined): Answer {
  if (!file) return textAnswer(404, 'not found');
  return {
    status: 200,
    body: file,
    contentType:
      file.subarray(1, 4).toString() === 'PNG'
        ? 'image/png'
        : file.subarray(0, 2).toString() === 'PK'
          ? 'application/zip'
          : 'application/octet-stream',
  };
}

export function buildRoutes(handlers: ServerHandlers): Route[] {
  const statusPage = new RenderCache(handlers.statusPage, STATUS_PAGE_MAX_AGE_MS);
  const collections = Object.entries(handlers.collections).flatMap(([name, handle]) =>
    collectionRoutes(name, handle),
  );
  // Alertmanager v2's path for one silence (DELETE /api/v2/silence/<id>): amtool habits carry over.
  const silences = handlers.collections.silences;
  const alias = silences
    ? collectionRoutes('silence', silences).filter((route) => route.method === 'DELETE')
    : [];
  const reload: Route['handle'] = async () => {
    const outcome = await handlers.reload();
    return textAnswer(outcome.ok ? 200 : 500, outcome.message);
  };
  const table: Route[] = [
    {
      method: 'GET',
      path: '/metrics',
      access: 'open',
      summary: 'Prometheus exposition',
      handle: async ({ headers }) => {
        const body = await handlers.metrics(headers.accept);
        return { status: 200, contentType: body.contentType, stream: body };
      },
    },
    {
      method: 'GET',
      path: '/-/healthy',
      access: 'open',
      summary: 'liveness',
      handle: () => textAnswer(200, 'prismwatch is healthy'),
    },
    {
      method: 'GET',
      path: '/-/ready',
      access: 'open',
      summary: 'readiness',
      handle: () =>
        handlers.isReady()
          ? textAnswer(200, 'prismwatch is ready')
          : textAnswer(503, 'prismwatch is not ready'),
    },
    { method: 'POST', path: '/-/reload', access: 'token', summary: 'reload the config', handle: reload },
    { method: 'PUT', path: '/-/reload', access: 'token', summary: 'reload the config', handle: reload },
    {
      method: 'GET',
      path: '/',
      access: 'public',
      summary: "status page (or, for a status page's own host name, that page)",
      handle: async ({ headers }) => {
        // status.example.com behind a reverse proxy: the page configured for that host.
        const endpoints = handlers.statusPages();
        const slug = endpoints?.slugForHost(headers.host);
        const own = slug === undefined ? undefined : endpoints!.page(slug);
        return { status: 200, body: own ?? (await statusPage.get()), contentType: HTML };
      },
    },
    ...statusPageRoutes(handlers.statusPages),
    ...ackRoutes(handlers.acknowledge),
    {
      method: 'GET',
      path: '/status.css',
      access: 'public',
      summary: "status page's stylesheet",
      handle: () => ({ status: 200, body: STATUS_CSS, contentType: 'text/css; charset=utf-8' }),
    },
    {
      method: 'GET',
      path: '/api/v1/alerts',
      access: 'open',
      summary: 'alerts',
      handle: () => jsonAnswer(200, handlers.alerts()),
    },
    {
      method: 'GET',
      path: '/api/v1/status',
      access: 'open',
      summary: 'where state is kept and which instance leads',
      handle: () => jsonAnswer(200, handlers.status()),
    },
    ...agentRoutes(handlers.agents),
    {
      method: 'GET',
      path: '/api/v1/discovery',
      access: 'open',
      summary: 'discovery sources: targets, errors, targets that made no probe',
      handle: () => jsonAnswer(200, handlers.discovery()),
    },
    {
      method: 'GET',
      path: '/api/v1/probes',
      access: 'open',
      summary: 'probes and their state',
      handle: () => jsonAnswer(200, handlers.probes()),
    },
    {
      method: 'GET',
      path: '/api/v1/probes/:name/results',
      access: 'open',
      summary: "a probe's recent results",
      handle: ({ params, query }) => {
        const since = query.get('since');
        const sinceMs = since === null ? undefined : Date.parse(since);
        if (sinceMs !== undefined && Number.isNaN(sinceMs))
          return jsonAnswer(400, { error: `since must be an RFC 3339 time, got ${JSON.stringify(since)}` });
        const body = handlers.probeResults(params.name!, sinceMs);
        if (body === undefined)
          return jsonAnswer(404, { error: `no probe named ${JSON.stringify(params.name)}` });
        return jsonAnswer(200, body);
      },
    },
    ...collections,
    ...alias,
    ...badgeRoutes(handlers.badge),
    {
      method: 'GET',
      path: '/artifacts/*',
      access: 'public',
      summary: 'a file a probe left (a screenshot)',
      handle: ({ path }) => {
        // A Playwright trace holds every request's headers and every value typed: never public.
        if (isPrivateArtifact(path))
          return textAnswer(404, `not found here: traces are served with the API token at /api/v1${path}`);
        return artifactAnswer(handlers.artifact(path));
      },
    },
    {
      method: 'GET',
      path: '/api/v1/artifacts/*',
      access: 'token',
      summary: 'a file a probe left, traces included',
      handle: ({ path }) => artifactAnswer(handlers.artifact(path.slice('/api/v1'.length))),
    },
    {
      method: 'GET',
      path: '/runbooks/:name',
      access: 'public',
      summary: "a shipped rule's runbook (docs/runbooks/<Alert>.md), as plain text",
      handle: ({ params }) => {
        const text = runbook(params.name!);
        return text === undefined
          ? textAnswer(404, 'no such runbook')
          : { status: 200, body: text, contentType: 'text/plain; charset=utf-8' };
      },
    },
    ...handlers.pushPrefixes.map(
      (prefix): Route => ({
        method: 'ANY',
        path: `${prefix}*`,
        access: 'public',
        maxBodyBytes: MAX_BODY_BYTES,
        summary: 'a push (heartbeat ping)',
        handle: ({ method, path, headers, body }) => {
          const answer = handlers.push({ method, path, headers, body });
          return textAnswer(answer.status, answer.body);
        },
      }),
    ),
  ];
  // A write (a maintenance window, an announcement) shows on the next page, not a second later.
  return table.map((route) =>
    route.access !== 'token'
      ? route
      : {
          ...route,
          handle: async (request) => {
            const answer = await route.handle(request);
            statusPage.invalidate();
            return answer;
          },
        },
  );
}
