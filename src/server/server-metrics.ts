/** The HTTP server's own series: what clients got wrong and what the connection cap turned away. */
import { Counter, Gauge, type Registry } from 'prom-client';
import type { RequestBudget } from './budgets.js';

/** Why a request or connection ended without a normal answer; a closed set, so the label stays bounded. */
const REQUEST_ERROR_REASONS = [
  'bad_request', // a target the server cannot parse, or a path with invalid percent-encoding
  'handler_error', // a bug in prismwatch while answering: 500, logged with its stack
  'client_error', // malformed HTTP, a header or request timeout, or a reset from the client
  'connection_limit', // refused because --web.max-connections were already open
  'body_too_large', // a body over the route's limit: 413, and the connection closed
  'unsupported_media_type', // a body of a type the route does not read: 415
  'aborted', // the client left (or the request deadline passed) before its body arrived
] as const;

export type RequestErrorReason = (typeof REQUEST_ERROR_REASONS)[number];

export class ServerMetrics {
  readonly requestErrors: Counter<'reason'>;
  /** Answered requests by route pattern (a closed set: the route table) and status code. */
  readonly requests: Counter<'route' | 'code'>;
  readonly openConnections: Gauge;
  readonly maxConnections: Gauge;
  /** Public requests (pings, the status page, artifacts) turned away by their budget. */
  readonly requestsLimited: Counter<'reason'>;
  private budget: RequestBudget | undefined;

  constructor(registry: Registry) {
    const registers = [registry];
    this.requestErrors = new Counter({
      name: 'prismwatch_http_request_errors_total',
      help: 'Requests and connections to prismwatch that ended in an error, by reason.',
      labelNames: ['reason'],
      registers,
    });
    for (const reason of REQUEST_ERROR_REASONS) this.requestErrors.inc({ reason }, 0);
    this.requests = new Counter({
      name: 'prismwatch_http_requests_total',
      help: 'Requests prismwatch answered, by route pattern ("none" when no route matched) and status code.',
      labelNames: ['route', 'code'],
      registers,
    });
    this.openConnections = new Gauge({
      name: 'prismwatch_http_open_connections',
      help: 'Client connections to prismwatch open now.',
      registers,
    });
    this.maxConnections = new Gauge({
      name: 'prismwatch_http_max_connections',
      help: 'The cap on client connections (--web.max-connections).',
      registers,
    });
    this.requestsLimited = new Counter({
      name: 'prismwatch_http_requests_limited_total',
      help: "Unauthenticated requests (pings, status page, artifacts) answered 429: over their source's rate, or over the cap in flight.",
      labelNames: ['reason'],
      registers,
    });
    for (const reason of ['rate', 'concurrency']) this.requestsLimited.inc({ reason }, 0);
    const metrics = this;
    new Gauge({
      name: 'prismwatch_http_public_requests_in_flight',
      help: 'Unauthenticated requests being answered now (capped by the public budget).',
      registers,
      collect() {
        this.set(metrics.budget?.active ?? 0);
      },
    });
    new Gauge({
      name: 'prismwatch_http_public_sources',
      help: 'Source addresses whose public request rate is being tracked (bounded).',
      registers,
      collect() {
        this.set(metrics.budget?.sources ?? 0);
      },
    });
  }

  /** Reads in-flight and tracked-source counts from this budget at each scrape. */
  observeBudget(budget: RequestBudget): void {
    this.budget = budget;
  }
}
