/**
 * The hardening review's table, replayed against the real daemon process: every input that once
 * stopped or blinded prismwatch is sent again, and the process is still serving and probing after
 * all of them. Each row also has a focused test next to the code it exercises.
 */
import { describe, expect, it } from 'vitest';
import { startCli } from '../helpers/cli.js';
import { configDir } from '../helpers/config-dir.js';
import { eventually } from '../helpers/metrics.js';
import { rawRequest, statusOf } from '../helpers/raw-http.js';
import { withHttpServer } from '../helpers/servers.js';

const TOKEN = 'table-t0ken';

interface ProbeState {
  name: string;
  state: string;
  lastFailure?: { code: string };
}

describe('the hardening table, against the running daemon', () => {
  it('survives every row and keeps probing', async () => {
    const target = await withHttpServer((req, res) => {
      if (req.url === '/file') res.writeHead(302, { location: 'file:///etc/passwd' }).end();
      else if (req.url === '/ftp') res.writeHead(302, { location: 'ftp://127.0.0.1/pub' }).end();
      else if (req.url === '/about') res.writeHead(302, { location: 'about:blank' }).end();
      else if (req.url === '/aaa') res.end(`${'a'.repeat(30)}!`);
      else res.end('ok');
    });
    const probes = [
      ['file', '/file'],
      ['ftp', '/ftp'],
      ['about', '/about'],
      ['healthy', '/'],
    ].map(
      ([name, path]) => `  - { name: ${name}, kind: http, url: "${target.url}${path}", interval: 200ms }`,
    );
    probes.push(
      `  - name: redos\n    kind: http\n    url: "${target.url}/aaa"\n    interval: 200ms\n    expect: { regex: ['(a+)+$'] }`,
    );
    const dir = configDir();
    dir.write('probes.yaml', `probes:\n${probes.join('\n')}\n`);
    const daemon = await startCli(['--config', dir.path], { PRISMWATCH_API_TOKEN: TOKEN });
    const port = Number(new URL(daemon.baseUrl).port);

    for (const line of ['GET //', 'GET http://%zz/', 'GET /api/v1/probes/%E0%A4%A/results']) {
      const answer = await rawRequest(port, `${line} HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n`);
      expect([400, 404], line).toContain(statusOf(answer));
    }
    const silence = await fetch(`${daemon.baseUrl}/api/v1/silences`, {
      method: 'POST',
      headers: { authorization: `Bearer ${TOKEN}`, 'content-type': 'application/json' },
      body: JSON.stringify({
        matchers: ['probe=~"(.*.*)*X"'],
        duration: '1h',
        createdBy: 'test',
        comment: 'redos',
      }),
    });
    expect(silence.status).toBe(201);

    // Each probe's failure, once it has one that is not a timeout (a busy machine may add those).
    const expected = {
      file: 'redirect_invalid',
      ftp: 'redirect_invalid',
      about: 'redirect_invalid',
      redos: 'assertion_failed',
    };
    const states = await eventually(async () => {
      const list = (await (await fetch(`${daemon.baseUrl}/api/v1/probes`)).json()) as ProbeState[];
      const byName = new Map(list.map((probe) => [probe.name, probe]));
      const settled = Object.keys(expected).every((name) => {
        const code = byName.get(name)?.lastFailure?.code;
        return code !== undefined && code !== 'timeout';
      });
      return settled && byName.get('healthy')?.state === 'up' ? byName : undefined;
    }, 240_000);
    for (const [name, code] of Object.entries(expected))
      expect(states.get(name)?.lastFailure?.code, name).toBe(code);
    expect((await fetch(`${daemon.baseUrl}/-/healthy`)).status).toBe(200);
    expect(daemon.child.exitCode).toBeNull();
    expect(daemon.logs.filter((line) => line.level === 60)).toEqual([]); // nothing fatal
  });
});
