/**
 * Alertmanager's retry schedule (cenkalti/backoff ExponentialBackOff defaults): 500 ms, ×1.5 per
 * attempt, ±50 % jitter, at most 60 s. The attempt count is persisted with the outbox row, so a
 * restart continues the schedule instead of hammering a receiver that is down.
 */
const BACKOFF = { initialMs: 500, multiplier: 1.5, jitter: 0.5, maxMs: 60_000 } as const;

export function backoffDelayMs(failedAttempts: number, random: () => number = Math.random): number {
  const base = Math.min(
    BACKOFF.maxMs,
    BACKOFF.initialMs * BACKOFF.multiplier ** Math.max(0, failedAttempts - 1),
  );
  const jittered = base * (1 - BACKOFF.jitter + 2 * BACKOFF.jitter * random());
  return Math.min(BACKOFF.maxMs, Math.round(jittered));
}

/** Retry-After as seconds or an HTTP date (RFC 9110 10.2.3); undefined when absent or unreadable. */
export function retryAfterMs(header: string | undefined, now: number): number | undefined {
  if (!header) return undefined;
  const trimmed = header.trim();
  if (/^\d+$/.test(trimmed)) return Number(trimmed) * 1000;
  const at = Date.parse(trimmed);
  return Number.isNaN(at) ? undefined : Math.max(0, at - now);
}
