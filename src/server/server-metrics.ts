/** The HTTP server's own series: what clients got wrong and what the connection cap turned away. */
import { Counter, Gauge, type Registry } from 'prom-client';

/** Why a request or connection ended without a normal answer; a closed set, so the label stays bounded. */
const REQUEST_ERROR_REASONS = [
  'bad_request', // a target the server cannot parse, or a path with invalid percent-encoding
  'handler_error', // a bug in prismwatch while answering: 500, logged with its stack
  'client_error', // malformed HTTP, a header or request timeout, or a reset from the client
  'connection_limit', // refused because --web.max-connections were already open
] as const;

export class ServerMetrics {
  readonly requestErrors: Counter<'reason'>;
  readonly openConnections: Gauge;
  readonly maxConnections: Gauge;

  constructor(registry: Registry) {
    const registers = [registry];
    this.requestErrors = new Counter({
      name: 'prismwatch_http_request_errors_total',
      help: 'Requests and connections to prismwatch that ended in an error, by reason.',
      labelNames: ['reason'],
      registers,
    });
    for (const reason of REQUEST_ERROR_REASONS) this.requestErrors.inc({ reason }, 0);
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
  }
}
