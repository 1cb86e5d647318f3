/**
 * `prismwatch alerts ack <fingerprint | matchers…> -a <name> [--comment …]`: acknowledges firing
 * alerts through the daemon's API (/api/v1/acknowledgements), as an acknowledge link does.
 * One argument without an operator is a fingerprint; otherwise every argument is a matcher.
 */
import { alertSubject } from '../model/alert.js';
import { renderTable } from '../util/table.js';
import { callDaemon, expectStatus } from './api-client.js';

interface Shown {
  readonly alertname: string;
  readonly labels: Record<string, string>;
  readonly by: string;
  readonly at: string;
}

export async function alertsAck(
  baseUrl: string,
  input: { selectors: string[]; author: string; comment: string; token?: string | undefined },
  out: NodeJS.WritableStream,
): Promise<number> {
  const [first] = input.selectors;
  const byFingerprint =
    input.selectors.length === 1 && first !== undefined && /^[0-9a-f]{8,64}$/i.test(first);
  const answer = await callDaemon(baseUrl, '/api/v1/acknowledgements', {
    method: 'POST',
    token: input.token,
    body: {
      ...(byFingerprint ? { fingerprint: first } : { matchers: input.selectors }),
      by: input.author,
      ...(input.comment ? { comment: input.comment } : {}),
    },
  });
  const body = expectStatus(answer, answer.status === 201 ? 201 : 200);
  const rows = [
    ...(body.acknowledged as Shown[]).map((ack) => ['acknowledged now', ack, ack.by] as const),
    ...(body.already as Shown[]).map((ack) => [`already, at ${ack.at}`, ack, ack.by] as const),
  ].map(([state, ack, by]) => [state, ack.alertname, alertSubject(ack.labels), by]);
  out.write(renderTable(['STATE', 'ALERT', 'SUBJECT', 'BY'], rows));
  return 0;
}
