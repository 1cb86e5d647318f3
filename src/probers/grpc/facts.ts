/** The `grpc` facts section: the health check's answer, as blackbox_exporter's grpc prober reports it. */
import { escapeHtml } from '../../util/html.js';
import { defineFacts } from '../definition.js';
import { gauge, gaugePer } from '../families.js';
import { SERVING_STATUSES, type ServingStatus } from './health-proto.js';

export interface GrpcFacts {
  /** The health service's answer; undefined when the call failed. */
  readonly servingStatus?: ServingStatus;
  /** The call's gRPC status code (0 OK, 12 UNIMPLEMENTED, 14 UNAVAILABLE…). */
  readonly statusCode: number;
  readonly service: string;
  readonly tls: boolean;
}

declare module '../../model/probe.js' {
  interface ProbeFacts {
    grpc?: GrpcFacts;
  }
}

export const grpcFacts = defineFacts({
  key: 'grpc',
  families: [
    gaugePer<GrpcFacts, { status: ServingStatus; current: boolean }>(
      'probe_grpc_healthcheck_response',
      'Response of the gRPC health check: 1 for the serving_status it answered.',
      (facts) =>
        facts.servingStatus === undefined
          ? []
          : SERVING_STATUSES.map((status) => ({ status, current: status === facts.servingStatus })),
      (item) => ['serving_status', item.status],
      (item) => (item.current ? 1 : 0),
    ),
    gauge<GrpcFacts>(
      'probe_grpc_status_code',
      'gRPC status code of the health check call.',
      (facts) => facts.statusCode,
    ),
    gauge<GrpcFacts>(
      'prismwatch_grpc_serving',
      'Whether the health check answered SERVING (1) or not (0: another status, or no answer).',
      (facts) => (facts.servingStatus === 'SERVING' ? 1 : 0),
    ),
    gauge<GrpcFacts>('probe_grpc_ssl', 'Whether the connection used TLS (1) or not (0).', (facts) =>
      facts.tls ? 1 : 0,
    ),
  ],
  signals: [
    {
      // 1 when the service answered SERVING: the health protocol's own verdict.
      name: 'grpc_serving',
      read: (facts) => (facts.servingStatus === 'SERVING' ? 1 : 0),
      promql: (s) => `prismwatch_grpc_serving${s}`,
    },
  ],
  report: (facts, out) => {
    out.row(
      'grpc',
      `${facts.servingStatus ?? 'no answer'} (status code ${facts.statusCode}${facts.service ? `, service "${facts.service}"` : ''})`,
    );
  },
  evidence: (facts) => `gRPC health ${facts.servingStatus ?? `status ${facts.statusCode}`}`,
  statusColumn: {
    header: 'Check',
    position: 3,
    cell: (facts) => ({
      html: `gRPC ${escapeHtml(facts.servingStatus ?? `status ${facts.statusCode}`)}`,
      warn: facts.servingStatus !== 'SERVING',
    }),
  },
});
