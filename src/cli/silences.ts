/** `prismwatch silences list|add|expire`: the running daemon's silences through its API (like amtool silence). */
import { PrismwatchError } from '../errors.js';
import { renderTable } from '../util/table.js';

interface ApiSilence {
  id: string;
  matchers: string[];
  startsAt: string;
  endsAt: string;
  createdBy: string;
  comment: string;
  origin: string;
  status: { state: string };
}

async function call(
  baseUrl: string,
  path: string,
  init: { method?: string; body?: unknown; token?: string | undefined } = {},
): Promise<{ status: number; body: Record<string, unknown> }> {
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

function renderSilences(silences: readonly ApiSilence[]): string {
  if (silences.length === 0) return 'No silences.\n';
  const rows = silences.map((silence) => [
    silence.id,
    silence.status.state,
    silence.matchers.join(','),
    silence.endsAt,
    silence.createdBy,
    silence.comment,
  ]);
  return renderTable(['ID', 'STATE', 'MATCHERS', 'ENDS', 'CREATED BY', 'COMMENT'], rows);
}

export async function silencesList(
  baseUrl: string,
  json: boolean,
  out: NodeJS.WritableStream,
): Promise<number> {
  const { status, body } = await call(baseUrl, '/api/v1/silences');
  if (status !== 200)
    throw new PrismwatchError('PRISMWATCH_USAGE', `HTTP ${status}: ${String(body.error ?? '')}`);
  const silences = body.silences as ApiSilence[];
  out.write(json ? `${JSON.stringify(silences, null, 2)}\n` : renderSilences(silences));
  return 0;
}

export async function silencesAdd(
  baseUrl: string,
  input: {
    matchers: string[];
    duration: string;
    author: string;
    comment: string;
    token?: string | undefined;
  },
  out: NodeJS.WritableStream,
): Promise<number> {
  const { status, body } = await call(baseUrl, '/api/v1/silences', {
    method: 'POST',
    token: input.token,
    body: {
      matchers: input.matchers,
      duration: input.duration,
      createdBy: input.author,
      comment: input.comment,
    },
  });
  if (status !== 201)
    throw new PrismwatchError('PRISMWATCH_USAGE', `HTTP ${status}: ${String(body.error ?? '')}`);
  out.write(`${String(body.silenceID)}\n`);
  return 0;
}

export async function silencesExpire(
  baseUrl: string,
  id: string,
  token: string | undefined,
  out: NodeJS.WritableStream,
): Promise<number> {
  const { status, body } = await call(baseUrl, `/api/v1/silences/${encodeURIComponent(id)}`, {
    method: 'DELETE',
    token,
  });
  if (status !== 200)
    throw new PrismwatchError('PRISMWATCH_USAGE', `HTTP ${status}: ${String(body.error ?? '')}`);
  out.write(`${id} ${String(body.status)}\n`);
  return 0;
}
