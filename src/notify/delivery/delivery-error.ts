/**
 * Why an attempt failed, as a metric label and a retry decision. Messages never carry URLs,
 * addresses' passwords or signing keys: integrations build them from status codes and error codes.
 */
type FailureReason =
  | 'timeout'
  | 'network'
  | 'tls'
  | 'http_5xx'
  | 'http_429'
  | 'http_4xx'
  /** A vendor answered 2xx but refused in its body (Slack's {"ok":false}). */
  | 'rejected'
  | 'auth'
  | 'smtp_rejected'
  | 'smtp_error'
  | 'not_configured'
  | 'internal';

export class DeliveryError extends Error {
  constructor(
    readonly reason: FailureReason,
    message: string,
    /** false: retrying cannot help (a 4xx, a rejected address); the notification is marked failed. */
    readonly retryable: boolean,
    /** The receiver asked for this wait (429 Retry-After). */
    readonly retryAfterMs?: number,
  ) {
    super(message);
    this.name = 'DeliveryError';
  }
}

/** An error nobody classified (a bug in prismwatch): `internal`, retried, naming only its type. */
export function unexpectedDeliveryError(error: unknown): DeliveryError {
  return new DeliveryError('internal', `unexpected error (${(error as Error)?.name ?? 'unknown'})`, true);
}
