/** The matrix receiver against a loopback homeserver: m.text with HTML, the idempotency key as txnId, M_LIMIT_EXCEEDED, a bad token. */
import { describe, expect, it } from 'vitest';
import { firingThenResolved, rejectedForGood, throttledThenDelivered } from '../helpers/channel-contract.js';
import { matrixStandIn } from '../helpers/vendor-standins.js';

const matrix = (url: string) =>
  `matrix_configs: [{ homeserver_url: "${url}", room_id: "!ops:example.org", access_token: syt_secret, timeout: 2s }]`;

describe('matrix receiver', () => {
  it('sends m.text with an escaped HTML rendering, each notification under its idempotency key', async () => {
    const server = await matrixStandIn('syt_secret');
    const [firing, resolved] = await firingThenResolved(server, matrix(server.url));
    expect(firing.headers.authorization).toBe('Bearer syt_secret');
    expect(firing.json).toMatchObject({ msgtype: 'm.text', format: 'org.matrix.custom.html' });
    expect(String(firing.json!.body)).toMatch(/^\[FIRING:1\] HighErrorRate/);
    expect(String(firing.json!.formatted_body)).toMatch(
      /^<p><strong><a href="[^"]+">\[FIRING:1\] HighErrorRate/,
    );
    expect(String(firing.json!.formatted_body)).not.toMatch(/<script/i);
    const txn = (path: string) => path.slice(path.lastIndexOf('/') + 1);
    expect(txn(firing.path)).not.toBe(txn(resolved.path));
  });

  it('waits the retry_after_ms of M_LIMIT_EXCEEDED, then delivers once, under the same txnId', async () => {
    const server = await matrixStandIn('syt_secret');
    await throttledThenDelivered(server, matrix(server.url), {
      status: 429,
      body: '{"errcode":"M_LIMIT_EXCEEDED","error":"Too many requests","retry_after_ms":1000}',
    });
    expect(server.requests[0]!.path).toBe(server.requests[1]!.path);
  });

  it('does not retry an unknown token, says so with the errcode, and never shows the token', async () => {
    const server = await matrixStandIn('another');
    await rejectedForGood(
      server,
      matrix(server.url),
      'Matrix refused the message: M_UNKNOWN_TOKEN: Invalid access token passed.',
    );
  });
});
