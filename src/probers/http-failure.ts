/** HTTP-specific causes (body limits) first, then the network catalogue. */
import type { ExchangeTrace } from './connect.js';
import type { Failure } from './failure.js';
import { BodyTooLargeError } from './http-body.js';
import { DeclaredBodyTooLargeError, UnsupportedSchemeError } from './http-exchange.js';
import { classifyNetworkError } from './network-failure.js';

export function classifyHttpError(
  error: unknown,
  context: { url: URL; trace: ExchangeTrace; signal: AbortSignal; timeoutMs: number },
): Failure | undefined {
  if (
    !context.trace.failure &&
    (error instanceof BodyTooLargeError || error instanceof DeclaredBodyTooLargeError)
  ) {
    return { code: 'body_too_large', phase: 'transfer', message: error.message };
  }
  if (error instanceof UnsupportedSchemeError) {
    return { code: 'redirect_invalid', phase: 'processing', message: error.message };
  }
  return classifyNetworkError(error, {
    ...context,
    hostname: context.url.hostname,
    target: context.url.host,
    protocol: 'HTTP',
  });
}
