/** Turns whatever stopped a network exchange into a catalogue failure with a message an operator can act on. */

import type { Failure, Phase } from '../../model/failure.js';
import { formatDuration } from '../../util/duration.js';
import type { ExchangeTrace } from './connect.js';
import { mapNetworkError } from './map-error.js';

const WAITING_FOR: Record<Phase, string> = {
  resolve: 'resolving the host name',
  connect: 'connecting',
  tls: 'the TLS handshake',
  processing: 'waiting for the response headers',
  transfer: 'reading the body',
};

interface FailureContext {
  readonly hostname: string;
  /** host:port as configured, used until an address is known. */
  readonly target: string;
  readonly trace: ExchangeTrace;
  readonly signal: AbortSignal;
  readonly timeoutMs: number;
  /** Words for the processing and transfer phases, for protocols that are not HTTP. */
  readonly waitingFor?: Partial<Record<Phase, string>>;
  /** Names the protocol in "invalid … response" messages, e.g. "HTTP". */
  readonly protocol?: string;
}

/** Undefined when the error is not something a target can cause: the caller treats it as a bug. */
export function classifyNetworkError(error: unknown, context: FailureContext): Failure | undefined {
  const { trace } = context;
  if (trace.failure) return trace.failure;
  const peer = trace.remoteAddress ?? context.target;
  const phase = trace.phase;
  const waiting = (p: Phase) => context.waitingFor?.[p] ?? WAITING_FOR[p];
  if (context.signal.aborted) {
    const budget = formatDuration(context.timeoutMs);
    if (phase === 'connect') {
      return {
        code: 'connect_timeout',
        phase,
        message: `no TCP connection to ${peer} within the ${budget} timeout`,
      };
    }
    return { code: 'timeout', phase, message: `timed out after ${budget} while ${waiting(phase)} (${peer})` };
  }
  const mapped = mapNetworkError(error, phase);
  if (!mapped) return undefined;
  const detail = mapped.message;
  switch (mapped.code) {
    case 'dns_error':
      return { ...mapped, phase: 'resolve', message: `could not resolve ${context.hostname}: ${detail}` };
    case 'connect_refused':
      return { ...mapped, phase: 'connect', message: `connection to ${peer} refused` };
    case 'connect_timeout':
      return { ...mapped, phase: 'connect', message: `no TCP connection to ${peer}: ${detail}` };
    case 'connect_error':
      return { ...mapped, phase: 'connect', message: `could not connect to ${peer}: ${detail}` };
    case 'timeout':
      return { ...mapped, message: `timed out while ${waiting(mapped.phase ?? phase)} (${peer}): ${detail}` };
    case 'reset':
      return {
        ...mapped,
        message: `connection closed by ${peer} while ${waiting(mapped.phase ?? phase)}: ${detail}`,
      };
    case 'fd_exhausted':
      return {
        ...mapped,
        message: `prismwatch has no file descriptor left to reach ${peer} (${detail}); raise its limit (ulimit -n) or lower --max-concurrency`,
      };
    case 'tls_error':
      return { ...mapped, phase: 'tls', message: `TLS handshake with ${peer} failed: ${detail}` };
    case 'protocol_error':
      return {
        ...mapped,
        message: `invalid ${context.protocol ? `${context.protocol} ` : ''}response from ${peer}: ${detail}`,
      };
    default:
      return mapped;
  }
}
