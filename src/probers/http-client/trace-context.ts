/**
 * W3C Trace Context for probe requests: each run sends a fresh `traceparent` (version 00, a random
 * 16-byte trace id and 8-byte span id, sampled), so a backend that traces requests records the
 * probe's request under a trace id prismwatch also keeps: on the result, on a failure, and through
 * it on the incident and the notification ("why did that check fail?" → the backend's trace).
 * A `traceparent` the probe's config sets itself is sent as it is and not overridden.
 */
import { randomBytes } from 'node:crypto';

export interface TraceContext {
  readonly traceId: string;
  readonly header: string;
}

export function newTraceContext(): TraceContext {
  const traceId = randomBytes(16).toString('hex');
  const spanId = randomBytes(8).toString('hex');
  return { traceId, header: `00-${traceId}-${spanId}-01` };
}

/** The trace id of a `traceparent` value, if it is a well-formed version-00 one. */
export function traceIdOf(traceparent: string | undefined): string | undefined {
  const match = /^00-([0-9a-f]{32})-[0-9a-f]{16}-[0-9a-f]{2}$/.exec(traceparent?.trim() ?? '');
  return match && !/^0+$/.test(match[1]!) ? match[1] : undefined;
}
