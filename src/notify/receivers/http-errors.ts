/** undici and socket errors → a delivery failure reason, without echoing URLs (they may hold tokens). */
import { isTlsErrorCode } from '../../util/tls-errors.js';
import { DeliveryError } from '../delivery/delivery-error.js';

const TIMEOUT_CODES = new Set([
  'UND_ERR_HEADERS_TIMEOUT',
  'UND_ERR_BODY_TIMEOUT',
  'UND_ERR_CONNECT_TIMEOUT',
  'ETIMEDOUT',
]);

export function httpDeliveryError(error: unknown, timeoutMs: number): DeliveryError {
  if (error instanceof DeliveryError) return error;
  const err = error as { name?: string; code?: string; cause?: { code?: string } };
  const code = err.code ?? err.cause?.code ?? err.name ?? 'unknown';
  if (err.name === 'TimeoutError' || err.name === 'AbortError' || TIMEOUT_CODES.has(code))
    return new DeliveryError('timeout', `no complete answer within ${timeoutMs} ms`, true);
  if (isTlsErrorCode(code)) return new DeliveryError('tls', `TLS failed (${code})`, true);
  return new DeliveryError('network', `connection failed (${code})`, true);
}

/** 2xx is success; 5xx, 408 and 429 are worth another try; every other status is final. */
export function classifyStatus(status: number, retryAfterMs: number | undefined): DeliveryError | undefined {
  if (status >= 200 && status < 300) return undefined;
  if (status === 429) return new DeliveryError('http_429', 'HTTP 429 Too Many Requests', true, retryAfterMs);
  if (status >= 500 || status === 408)
    return new DeliveryError('http_5xx', `HTTP ${status}`, true, retryAfterMs);
  return new DeliveryError(
    'http_4xx',
    `HTTP ${status} (not retried: the receiver rejected the request)`,
    false,
  );
}
