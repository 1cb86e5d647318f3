/** The websocket kind against a real `ws` server on loopback: plain and TLS, send and expect, and every way it fails. */
import { describe, expect, it } from 'vitest';
import { makeCa, makeLeaf, writeCaFile } from '../helpers/certs.js';
import { runCli } from '../helpers/cli.js';
import { probe } from '../helpers/probe.js';
import { refusedPort } from '../helpers/servers.js';
import { withWsServer } from '../helpers/ws-server.js';

describe('websocket prober', () => {
  it('sends, waits past other messages for the expected one, and times each phase', async () => {
    const server = await withWsServer((socket) => {
      socket.send('{"type":"hello"}');
      socket.on('message', (data) => {
        setTimeout(() => socket.send(JSON.stringify({ type: 'pong', echo: data.toString() })), 50);
      });
    });
    const result = await probe({
      kind: 'websocket',
      url: `${server.url}/live`,
      subprotocols: ['prism.v1'],
      send: 'ping',
      expect: {
        json: [
          { path: '$.type', equals: 'pong' },
          { path: '$.echo', equals: 'ping' },
        ],
      },
    });
    expect(result.failure).toBeUndefined();
    expect(result.facts.websocket).toMatchObject({
      statusCode: 101,
      subprotocol: 'prism.v1',
      messagesReceived: 2,
    });
    expect(result.facts.websocket!.firstMessageMs).toBeGreaterThanOrEqual(45);
    expect(result.phases.connect).toBeGreaterThan(0);
    expect(result.phases.processing).toBeGreaterThan(0);
    expect(result.phases.transfer).toBeGreaterThanOrEqual(45);
  });

  it('speaks wss through prismwatch’s connector: the certificate is verified and reported', async () => {
    const ca = await makeCa();
    const server = await withWsServer(
      (socket) => socket.send('ready'),
      await makeLeaf({ ca, hosts: ['127.0.0.1'] }),
    );
    const trusted = await probe({
      kind: 'websocket',
      url: server.url,
      expect: { contains: ['ready'] },
      tls: { ca_file: writeCaFile(ca) },
    });
    expect(trusted.failure).toBeUndefined();
    expect(trusted.facts.tls?.authorized).toBe(true);
    expect(trusted.phases.tls).toBeGreaterThan(0);
    const untrusted = await probe({ kind: 'websocket', url: server.url, expect: { contains: ['ready'] } });
    expect(untrusted.failure?.code).toBe('tls_error');
  });

  it('fails with a code and a reason for each way a server lets it down', async () => {
    const server = await withWsServer((socket, path) => {
      if (path === '/chatty') for (let i = 0; i < 3; i++) socket.send(`tick ${i}`);
      if (path === '/bye') socket.close(1011, 'overloaded');
    });
    const forbidden = await probe({ kind: 'websocket', url: `${server.url}/forbidden` });
    expect(forbidden.failure).toMatchObject({ code: 'status_mismatch' });
    expect(forbidden.failure!.message).toMatch(
      /expected 101 Switching Protocols from http:\/\/127\.0\.0\.1:\d+\/forbidden, got 403/,
    );
    const silent = await probe({
      kind: 'websocket',
      url: `${server.url}/silent`,
      timeout: '300ms',
      expect: { contains: ['x'] },
    });
    expect(silent.failure).toMatchObject({ code: 'timeout', phase: 'transfer' });
    const chatty = await probe({
      kind: 'websocket',
      url: `${server.url}/chatty`,
      timeout: '300ms',
      expect: { regex: ['^tock'] },
    });
    expect(chatty.failure).toMatchObject({ code: 'assertion_failed' });
    expect(chatty.failure!.message).toMatch(
      /^none of 3 message\(s\) was the expected one: .*\(last: "tick 2"\)$/,
    );
    const bye = await probe({ kind: 'websocket', url: `${server.url}/bye`, expect: { contains: ['x'] } });
    expect(bye.failure).toMatchObject({ code: 'reset' });
    expect(bye.failure!.message).toMatch(
      /closed the WebSocket \(1011 overloaded\) before the expected message$/,
    );
    const refused = await probe({ kind: 'websocket', url: `ws://127.0.0.1:${await refusedPort()}/` });
    expect(refused.failure?.code).toBe('connect_refused');
    // Just connecting, with nothing to send or expect, is a check too.
    expect((await probe({ kind: 'websocket', url: `${server.url}/silent` })).ok).toBe(true);
  });

  it('runs once from the command line', async () => {
    const server = await withWsServer((socket) =>
      socket.on('message', (data) => socket.send(`echo ${data.toString()}`)),
    );
    const result = await runCli([
      'probe',
      '--kind',
      'websocket',
      '--send',
      'hi',
      '--expect',
      'echo hi',
      `${server.url}/`,
    ]);
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(/ {2}upgrade +101\n/);
    expect(result.stdout).toMatch(/ {2}messages +1 received, expected one after \d+ ms/);
  });
});
