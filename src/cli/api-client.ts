/** The running daemon's JSON API, for the CLI's commands that talk to it (silences, maintenance, …). */
import { PrismwatchError } from '../errors.js';

export interface DaemonAnswer {
  readonly status: number;
  readonly body: Record<string, unknown>;
}

export async function callDaemon(
  baseUrl: string,
  path: string,
  init: { method?: string; body?: unknown; token?: string | undefined } = {},
): Promise<DaemonAnswer> {
  try {
    const response = await fetch(`${baseUrl}${path}`, {
      method: init.method ?? 'GET',
      headers: {
        ...(init.body !== undefined ? { 'content-type': 'application/json' } : {}),
        ...(init.token ? { authorization: `Bearer ${init.token}` } : {}),
      },
      ...(init.body !== undefined ? { body: JSON.stringify(init.body) } : {}),
      signal: AbortSignal.timeout(10_000),
    });
    const text = await response.text();
    let body: Record<string, unknown>;
    try {
      body = JSON.parse(text) as Record<string, unknown>;
    } catch {
      body = { error: text.trim() };
    }
    return { status: response.status, body };
  } catch (error) {
    throw new PrismwatchError(
      'PRISMWATCH_USAGE',
      `could not reach ${baseUrl}: ${(error as Error).cause ?? (error as Error).message}`,
    );
  }
}

/** The answer's body when it has the expected status; otherwise a usage error naming the status and the daemon's message. */
export function expectStatus(answer: DaemonAnswer, status: number): Record<string, unknown> {
  if (answer.status !== status)
    throw new PrismwatchError(
      'PRISMWATCH_USAGE',
      `HTTP ${answer.status}: ${String(answer.body.error ?? '')}${
        answer.status === 401 || answer.status === 403
          ? " (this command sends the token in PRISMWATCH_API_TOKEN: set it in this shell to the daemon's)"
          : ''
      }`,
    );
  return answer.body;
}
