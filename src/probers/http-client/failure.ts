/** HTTP-specific causes (body limits) first, then the network catalogue. */

import type { Failure } from '../../model/failure.js';
import type { ExchangeTrace } from '../net/connect.js';
import { classifyNetworkError } from '../net/failure.js';
import { BodyTooLargeError } from './body.js';
import { DeclaredBodyTooLargeError, UnsupportedSchemeError } from './exchange.js';

export function httpFailure(
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
