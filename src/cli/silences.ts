/** `prismwatch silences list|add|expire`: the running daemon's silences through its API (like amtool silence). */

import { renderTable } from '../util/table.js';
import { callDaemon as call, expectStatus } from './api-client.js';

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
  const body = expectStatus(await call(baseUrl, '/api/v1/silences'), 200);
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
  const body = expectStatus(
    await call(baseUrl, '/api/v1/silences', {
      method: 'POST',
      token: input.token,
      body: {
        matchers: input.matchers,
        duration: input.duration,
        createdBy: input.author,
        comment: input.comment,
      },
    }),
    201,
  );
  out.write(`${String(body.silenceID)}\n`);
  return 0;
}

export async function silencesExpire(
  baseUrl: string,
  id: string,
  token: string | undefined,
  out: NodeJS.WritableStream,
): Promise<number> {
  const body = expectStatus(
    await call(baseUrl, `/api/v1/silences/${encodeURIComponent(id)}`, {
      method: 'DELETE',
      token,
    }),
    200,
  );
  out.write(`${id} ${String(body.status)}\n`);
  return 0;
}
