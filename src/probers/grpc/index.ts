/**
 * `kind: grpc`: the standard health checking protocol, `grpc.health.v1.Health/Check`, for a
 * service name ("" is the server as a whole), over TLS or not, as blackbox_exporter's grpc prober
 * reports it. @grpc/grpc-js makes the HTTP/2 connection and the call; the two messages are
 * encoded here (health-proto.ts). Phases: `connect` (until the channel is ready, TLS included)
 * and `processing` (the call).
 */
import * as grpc from '@grpc/grpc-js';
import * as z from 'zod';
import type { Failure } from '../../model/failure.js';
import type { ProbeContext, ProbeResult, ProbeSpec } from '../../model/probe.js';
import { formatDuration } from '../../util/duration.js';
import { defineProber } from '../definition.js';
import {
  hostPort,
  TLS_CLI_OPTIONS,
  tlsCliKeys,
  tlsShape,
  toTlsOptions,
  validateTlsOptions,
} from '../net/config.js';
import type { TlsOptions } from '../net/connect.js';
import { certificateFacts, describeAuthorizationError } from '../net/tls-facts.js';
import type { TlsFacts } from '../net/tls-section.js';
import { tlsFacts } from '../net/tls-section.js';
import { grpcFacts } from './facts.js';
import { decodeHealthCheckResponse, encodeHealthCheckRequest, type ServingStatus } from './health-proto.js';

declare module '../../model/failure.js' {
  interface KindFailureCodes {
    /** The gRPC health check answered, but not SERVING (NOT_SERVING, SERVICE_UNKNOWN, UNKNOWN). */
    grpc_not_serving: true;
    /** The health check call failed with a gRPC status (UNIMPLEMENTED: no health service; PERMISSION_DENIED…). */
    grpc_error: true;
  }
}

const CHECK = '/grpc.health.v1.Health/Check';

interface GrpcSettings {
  readonly target: string;
  readonly service: string;
  /** Undefined: plaintext (h2c). */
  readonly tls?: TlsOptions;
  readonly metadata: Readonly<Record<string, string>>;
}

const grpcSettingsShape = {
  target: hostPort,
  service: z.string().default(''),
  tls: z.union([z.literal(true), tlsShape], { error: 'expected `true` or a TLS mapping' }).optional(),
  metadata: z
    .record(z.string().regex(/^[a-z0-9_.-]+$/, { message: 'expected a lower-case metadata key' }), z.string())
    .default({}),
};

type ParsedGrpc = z.infer<z.ZodObject<typeof grpcSettingsShape>>;

function toGrpcSettings(raw: Record<string, unknown>): GrpcSettings {
  const parsed = raw as ParsedGrpc;
  return {
    target: parsed.target,
    service: parsed.service,
    tls: parsed.tls === undefined ? undefined : toTlsOptions(parsed.tls === true ? undefined : parsed.tls),
    metadata: parsed.metadata,
  };
}

/** Channel credentials that record the server's certificate (grpc-js shows it only to this check). */
function credentials(tls: TlsOptions | undefined, seen: { tls?: TlsFacts }): grpc.ChannelCredentials {
  if (!tls) return grpc.credentials.createInsecure();
  return grpc.credentials.createSsl(
    tls.ca ? Buffer.from(tls.ca) : null,
    tls.key ? Buffer.from(tls.key) : null,
    tls.cert ? Buffer.from(tls.cert) : null,
    {
      rejectUnauthorized: !tls.insecureSkipVerify,
      checkServerIdentity: (_host, cert) => {
        seen.tls = certificateFacts(cert, {
          version: 'TLS',
          cipher: 'unknown',
          authorized: !tls.insecureSkipVerify,
        });
        return undefined;
      },
    },
  );
}

/** What a failed call means, in the catalogue's words. */
function callFailure(error: grpc.ServiceError, target: string, timeoutMs: number, ready: boolean): Failure {
  // grpc-js wraps the cause: "No connection established. Last error: Error: <cause>. Resolution note: …".
  const details = (error.details || error.message)
    .replace(/^No connection established\. Last error: (Error: )?/, '')
    .replace(/\.? ?Resolution note:.*$/s, '')
    .trim();
  if (error.code === grpc.status.DEADLINE_EXCEEDED) {
    return ready
      ? {
          code: 'timeout',
          phase: 'processing',
          message: `timed out after ${formatDuration(timeoutMs)} waiting for the health check answer (${target})`,
        }
      : {
          code: 'connect_timeout',
          phase: 'connect',
          message: `no gRPC connection to ${target} within the ${formatDuration(timeoutMs)} timeout`,
        };
  }
  if (error.code === grpc.status.UNAVAILABLE) {
    if (/ECONNREFUSED/.test(details))
      return { code: 'connect_refused', phase: 'connect', message: `connection to ${target} refused` };
    if (/ENOTFOUND|EAI_AGAIN/.test(details))
      return { code: 'dns_error', phase: 'resolve', message: `could not resolve ${target}: ${details}` };
    const tlsCode =
      /\b(CERT_[A-Z_]+|DEPTH_ZERO_SELF_SIGNED_CERT|SELF_SIGNED_CERT_IN_CHAIN|UNABLE_TO_[A-Z_]+|ERR_TLS_CERT_ALTNAME_INVALID)\b/.exec(
        details,
      )?.[1];
    if (tlsCode || /certificate|SSL|TLS/i.test(details))
      return {
        code: 'tls_error',
        phase: 'tls',
        message: `TLS handshake with ${target} failed: ${tlsCode ? describeAuthorizationError(tlsCode) : details}`,
      };
    return { code: 'connect_error', phase: 'connect', message: `could not reach ${target}: ${details}` };
  }
  const name = grpc.status[error.code] ?? String(error.code);
  const hint =
    error.code === grpc.status.UNIMPLEMENTED ? ' (the server does not offer grpc.health.v1.Health)' : '';
  return {
    code: 'grpc_error',
    phase: 'processing',
    message: `health check failed with ${name}${hint}: ${details}`,
  };
}

async function probeGrpc(ctx: ProbeContext, spec: ProbeSpec<GrpcSettings>): Promise<ProbeResult> {
  const { settings } = spec;
  const startedAt = ctx.now();
  const seen: { tls?: TlsFacts } = {};
  const client = new grpc.Client(settings.target, credentials(settings.tls, seen), {
    ...(settings.tls?.serverName ? { 'grpc.ssl_target_name_override': settings.tls.serverName } : {}),
    'grpc.max_receive_message_length': 64 * 1024,
    // A probe is one call on a fresh connection: no retries, no keepalive pings outliving it.
    'grpc.enable_retries': 0,
    'grpc.max_reconnect_backoff_ms': 1_000,
  });
  const phases = { resolve: 0, connect: 0, tls: 0, processing: 0, transfer: 0 };
  let statusCode = -1;
  let servingStatus: ServingStatus | undefined;
  let failure: Failure | undefined;
  let readyAt: number | undefined;
  const onAbort = () => client.close();
  ctx.signal.addEventListener('abort', onAbort, { once: true });
  const deadline = new Date(ctx.deadline);
  // The call connects (and fails fast on a refused or failed connection, where waitForReady
  // would retry until the deadline); watching the channel tells when it became ready.
  const channel = client.getChannel();
  const watch = (state: grpc.connectivityState) =>
    channel.watchConnectivityState(state, deadline, (error) => {
      if (error) return;
      const next = channel.getConnectivityState(false);
      if (next === grpc.connectivityState.READY) readyAt ??= ctx.now();
      else if (next !== grpc.connectivityState.SHUTDOWN) watch(next);
    });
  watch(channel.getConnectivityState(true));
  try {
    const metadata = new grpc.Metadata();
    for (const [key, value] of Object.entries(settings.metadata)) metadata.set(key, value);
    const answer = await new Promise<ServingStatus | { problem: string }>((resolve, reject) => {
      client.makeUnaryRequest(
        CHECK,
        encodeHealthCheckRequest,
        (buffer: Buffer) => decodeHealthCheckResponse(buffer),
        settings.service,
        metadata,
        { deadline },
        (error, value) => (error ? reject(error) : resolve(value!)),
      );
    });
    statusCode = grpc.status.OK;
    if (typeof answer === 'object') {
      failure = {
        code: 'protocol_error',
        phase: 'processing',
        message: `invalid health check answer from ${settings.target}: ${answer.problem}`,
      };
    } else {
      servingStatus = answer;
      if (answer !== 'SERVING')
        failure = {
          code: 'grpc_not_serving',
          message: `${settings.service ? `service "${settings.service}"` : 'the server'} answered ${answer}`,
        };
    }
  } catch (error) {
    const serviceError = error as grpc.ServiceError;
    statusCode = serviceError.code;
    failure = callFailure(serviceError, settings.target, spec.timeoutMs, readyAt !== undefined);
  } finally {
    ctx.signal.removeEventListener('abort', onAbort);
    client.close();
  }
  const endedAt = ctx.now();
  phases.connect = (readyAt ?? endedAt) - startedAt;
  phases.processing = readyAt === undefined ? 0 : endedAt - readyAt;
  return {
    ok: failure === undefined,
    startedAt,
    durationMs: ctx.now() - startedAt,
    phases,
    ...(failure ? { failure } : {}),
    facts: {
      grpc: {
        statusCode: Math.max(statusCode, 0),
        service: settings.service,
        tls: settings.tls !== undefined,
        ...(servingStatus ? { servingStatus } : {}),
      },
      ...(seen.tls ? { tls: seen.tls } : {}),
    },
  };
}

export const grpcProber = defineProber<GrpcSettings>({
  kind: 'grpc',
  summary: 'gRPC health checking protocol (grpc.health.v1.Health/Check), plaintext or TLS',
  settingsShape: grpcSettingsShape,
  toSettings: toGrpcSettings,
  validate: (settings) => validateTlsOptions(settings.tls),
  describeTarget: (settings) =>
    `${settings.tls ? 'grpcs' : 'grpc'}://${settings.target}${settings.service ? ` (${settings.service})` : ''}`,
  probe: probeGrpc,
  facts: [grpcFacts, tlsFacts],
  cli: {
    target: 'host:port',
    options: [
      { flags: '--service <name>', description: 'grpc: the service to ask about ("" for the server)' },
      { flags: '--tls', description: 'grpc: connect over TLS' },
      ...TLS_CLI_OPTIONS,
    ],
    keys: (target, options) => {
      const tls = tlsCliKeys(options);
      return {
        target,
        ...(options.service !== undefined ? { service: options.service } : {}),
        ...('tls' in tls ? tls : options.tls ? { tls: true } : {}),
      };
    },
  },
  dashboard: {
    phases: true,
    panels: [
      {
        title: 'gRPC health',
        type: 'table',
        queries: [{ expr: 'max by (serving_status) (probe_grpc_healthcheck_response{probe="$probe"}) == 1' }],
        description:
          "The serving status the health service answered (blackbox_exporter's probe_grpc_healthcheck_response); none when the call failed (see Failures by reason).",
        emptyBecause: 'No gRPC health: not a grpc probe',
      },
    ],
  },
  example: `- name: inference-health
  kind: grpc
  target: inference.example.com:443
  service: ""`,
});
