/**
 * 20,000 slow client connections once took every descriptor and failed every probe with EMFILE.
 * Here the daemon runs with a small descriptor limit (ulimit -n 256) and a cap of 64 client
 * connections; 400 connections are opened and held. The cap turns the surplus away, the daemon
 * keeps its remaining descriptors for probing, and its probes keep succeeding. And when probing
 * itself runs out (400 stalled runs under the same limit), the runs that find no descriptor fail
 * as fd_exhausted, not internal, and the daemon keeps serving.
 */
import { connect, type Socket } from 'node:net';
import { describe, expect, it, onTestFinished } from 'vitest';
import { startCli } from '../helpers/cli.js';
import { configDir } from '../helpers/config-dir.js';
import { eventually, sample } from '../helpers/metrics.js';
import { rawRequest, statusOf } from '../helpers/raw-http.js';
import { withHttpServer, withTcpServer } from '../helpers/servers.js';

/** The daemon under `ulimit -n 256`, with a cap of 64 client connections. */
function startLimited(configPath: string) {
  return startCli(['--config', configPath, '--web.max-connections', '64'], {}, { fdLimit: 256 });
}

describe('a flood of client connections', () => {
  it('is capped; probing keeps its descriptors and keeps succeeding', async () => {
    const target = await withHttpServer((_req, res) => res.end('ok'));
    const dir = configDir();
    const probes = Array.from(
      { length: 20 },
      (_, i) => `  - { name: p${i}, kind: http, url: "${target.url}/${i}", interval: 1s, timeout: 900ms }`,
    );
    dir.write('probes.yaml', `probes:\n${probes.join('\n')}\n`);
    const daemon = await startLimited(dir.path);
    const { port } = new URL(daemon.baseUrl);
    // 64 connections + 2,000 runs in flight cannot fit under 256 descriptors: said at start.
    expect(daemon.logs.some((line) => line.fd_limit === 256)).toBe(true);
    // A raw request, not fetch: undici quietly retries a connection the cap closes, and hangs.
    const scrape = async () => {
      const answer = await rawRequest(
        Number(port),
        'GET /metrics HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n',
      );
      if (statusOf(answer) !== 200) throw new Error(`no scrape: ${answer.slice(0, 40)}`);
      return answer.slice(answer.indexOf('\r\n\r\n') + 4);
    };

    const held: Socket[] = [];
    onTestFinished(() => {
      for (const socket of held) socket.destroy();
    });
    for (let i = 0; i < 400; i++) {
      const socket = connect(Number(port), '127.0.0.1');
      socket.on('error', () => {});
      socket.write('GET /metrics HTTP/1.1\r\nHost: x\r\n'); // and never the end of the headers
      held.push(socket);
    }
    // With the flood held open, probes go on succeeding and none fails for lack of descriptors.
    const before =
      sample(await eventuallyScrape(), 'prismwatch_probe_runs_total', { probe: 'p0', result: 'success' }) ??
      0;
    const after = await eventually(
      async () => {
        const text = await eventuallyScrape();
        return (sample(text, 'prismwatch_probe_runs_total', { probe: 'p0', result: 'success' }) ?? 0) >=
          before + 3
          ? text
          : undefined;
      },
      30_000,
      250,
    );
    expect(
      sample(after, 'prismwatch_http_request_errors_total', { reason: 'connection_limit' }),
    ).toBeGreaterThan(0);
    // (A timeout is not asserted against: a machine busy with other work can cause one.)
    for (const code of ['fd_exhausted', 'internal']) {
      expect(
        after.split('\n').filter((line) => line.includes(`failure="${code}"`) && !line.endsWith(' 0')),
      ).toEqual([]);
    }

    // A scrape may itself be turned away while the flood holds every slot: retry until one lands.
    async function eventuallyScrape(): Promise<string> {
      return eventually(
        async () => {
          try {
            return await scrape();
          } catch {
            return undefined;
          }
        },
        30_000,
        100,
      );
    }
  });
});

describe('running out of descriptors', () => {
  it('fails the probes that find none as fd_exhausted, and the daemon stays up', async () => {
    // A target that accepts and never answers: every run holds its socket until its deadline.
    const stall = await withTcpServer(() => {});
    const dir = configDir();
    const probes = Array.from(
      { length: 400 },
      (_, i) =>
        `  - { name: s${i}, kind: tcp, target: "127.0.0.1:${stall.port}", query_response: [{ expect: "never" }], interval: 3s, timeout: 2500ms }`,
    );
    dir.write('probes.yaml', `probes:\n${probes.join('\n')}\n`);
    const { port } = new URL((await startLimited(dir.path)).baseUrl);
    /** Asks until an answer passes `accept`: a request may find no descriptor to be accepted on. */
    const askUntil = (path: string, accept: (answer: string) => boolean) =>
      eventually(
        async () => {
          const answer = await rawRequest(
            Number(port),
            `GET ${path} HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n`,
          ).catch(() => '');
          return accept(answer) ? answer : undefined;
        },
        30_000,
        250,
      );
    const text = await askUntil('/metrics', (answer) => /failure="fd_exhausted"} [1-9]/.test(answer));
    expect(text).not.toMatch(/failure="internal"} [1-9]/);
    // Staying up means answering again: while every descriptor is taken an accept can fail (the
    // listener survives that), so one /-/healthy may find none; one of the next must get a 200.
    const healthy = await askUntil('/-/healthy', (answer) => statusOf(answer) === 200);
    expect(statusOf(healthy)).toBe(200);
  });
});
