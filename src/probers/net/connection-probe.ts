/**
 * The run shared by probers that only open a connection (tls) or open one and talk over it (tcp):
 * connect under the deadline, optionally exchange, classify whatever stopped it, report phases
 * and TLS facts.
 */

import type { Failure, Phase } from '../../model/failure.js';
import type { ProbeContext, ProbeResult, ProbeSpec } from '../../model/probe.js';
import { hostPort, ipShape, parseHostPort, toIpSettings } from './config.js';
import { createTrace, type IpProtocol, openConnection, type TlsOptions } from './connect.js';
import { classifyNetworkError } from './failure.js';

export interface ConnectionTarget {
  readonly target: string;
  readonly hostname: string;
  readonly port: number;
  readonly tls?: TlsOptions;
  readonly ipProtocol: IpProtocol;
  readonly ipFallback: boolean;
}

/** The keys every host:port prober shares: `target`, `ip_protocol`, `ip_fallback`. */
export const connectionTargetShape = { target: hostPort, ...ipShape };

export function toConnectionTarget(parsed: {
  target: string;
  ip_protocol: IpProtocol;
  ip_fallback: boolean;
}) {
  const { hostname, port } = parseHostPort(parsed.target)!;
  return { target: parsed.target, hostname, port, ...toIpSettings(parsed) };
}

export type Conversation = (
  socket: Awaited<ReturnType<typeof openConnection>>,
) => Promise<Failure | undefined>;

export async function probeConnection(
  ctx: ProbeContext,
  spec: ProbeSpec<ConnectionTarget>,
  conversation?: Conversation,
  waitingFor?: Partial<Record<Phase, string>>,
): Promise<ProbeResult> {
  const settings = spec.settings;
  const startedAt = ctx.now();
  const trace = createTrace();
  let failure: Failure | undefined;
  let socket: Awaited<ReturnType<typeof openConnection>> | undefined;
  try {
    socket = await openConnection(
      {
        hostname: settings.hostname,
        port: settings.port,
        tls: settings.tls,
        ipProtocol: settings.ipProtocol,
        ipFallback: settings.ipFallback,
        signal: ctx.signal,
        now: ctx.now,
      },
      trace,
    );
    if (conversation) {
      const started = ctx.now();
      failure = await conversation(socket);
      trace.phases.processing += ctx.now() - started;
    }
  } catch (error) {
    failure = classifyNetworkError(error, {
      hostname: settings.hostname,
      target: settings.target,
      trace,
      signal: ctx.signal,
      timeoutMs: spec.timeoutMs,
      ...(waitingFor ? { waitingFor } : {}),
    });
    if (!failure) throw error;
  } finally {
    socket?.destroy();
  }
  const { resolve, connect, tls, processing } = trace.phases;
  return {
    ok: failure === undefined,
    startedAt,
    durationMs: ctx.now() - startedAt,
    phases: conversation ? { resolve, connect, tls, processing } : { resolve, connect, tls },
    failure,
    facts: trace.tls ? { tls: trace.tls } : {},
  };
}
