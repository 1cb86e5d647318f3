/**
 * Which PostgreSQL failures mean "the database is not there" (keep everything, try again) and
 * which mean "this statement is wrong" (retrying it would loop forever).
 */
const NETWORK_CODES = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ETIMEDOUT',
  'EPIPE',
  'ENOTFOUND',
  'EAI_AGAIN',
  'EHOSTUNREACH',
]);

export function isUnavailable(error: unknown): boolean {
  const code = String((error as { code?: unknown })?.code ?? '');
  if (NETWORK_CODES.has(code)) return true;
  // SQLSTATE classes 08 (connection exception), 53 (insufficient resources), 57 (operator
  // intervention: shutdown, restart), 58 (system error).
  if (/^(08|53|57|58)/.test(code)) return true;
  const message = error instanceof Error ? error.message : String(error);
  // pg and pg-pool's own words for a connection that failed, timed out or went away.
  return /Connection terminated|connection timeout|timeout exceeded when trying to connect|Query read timeout|Client has encountered a connection error|not queryable/i.test(
    message,
  );
}

export function describe(error: unknown): string {
  const code = (error as { code?: unknown })?.code;
  const message = error instanceof Error ? error.message : String(error);
  return typeof code === 'string' && !message.includes(code) ? `${message} (${code})` : message;
}
