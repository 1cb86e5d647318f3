/**
 * `--peer`: a status page that shows each probe as every location sees it, read from the peers'
 * /api/v1/probes. A peer that does not answer (or answers nonsense) is shown unreachable, never
 * breaks the page; its answers are parsed defensively (fast-check feeds it random JSON).
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { MAX_PEER_PROBES, parsePeerProbes } from '../../src/server/peers.js';
import { configDir } from '../helpers/config-dir.js';
import { startDaemon } from '../helpers/daemon.js';
import { eventually } from '../helpers/metrics.js';
import { refusedPort, withHttpServer } from '../helpers/servers.js';

describe('the status page across locations', () => {
  it('shows this location and its peers side by side, and a dead peer as unreachable', async () => {
    const target = await withHttpServer((_req, res) => res.writeHead(200).end('ok'));
    const closed = await refusedPort();
    const probe = (url: string) =>
      `probes:\n  - { name: checkout, kind: http, url: "${url}", interval: 200ms, timeout: 150ms }\n`;
    const us = configDir();
    us.write('p.yaml', probe(`${target.url}/`));
    const ap = configDir();
    ap.write('p.yaml', probe(`http://127.0.0.1:${closed}/`)); // this location cannot reach it
    const usDaemon = await startDaemon(us.path, { location: 'us-1' });
    const dead = `http://127.0.0.1:${await refusedPort()}`;
    const eu = configDir();
    eu.write('p.yaml', probe(`${target.url}/`));
    const euDaemon = await startDaemon(eu.path, {
      location: 'eu-1',
      peers: [
        usDaemon.daemon.baseUrl,
        (await startDaemon(ap.path, { location: 'ap-1' })).daemon.baseUrl,
        dead,
      ],
    });
    await eventually(async () => {
      const page = await (await fetch(`${euDaemon.daemon.baseUrl}/`)).text();
      const row = /<tr><th scope="row">checkout<\/th>(.*?)<\/tr>/.exec(page)?.[1] ?? '';
      return (
        /UP.*UP.*DOWN.*UNREACHABLE/.test(row) &&
        page.includes('<th scope="col">eu-1</th><th scope="col">us-1</th><th scope="col">ap-1</th>')
      );
    }, 240_000);
  });

  it('leaves out a peer that is this instance (the same list on every instance)', async () => {
    const dir = configDir();
    dir.write('p.yaml', 'probes: []\n');
    const external = 'http://watch.example:9797';
    const { daemon, logs } = await startDaemon(dir.path, {
      externalUrl: external,
      peers: [`${external}/`, 'http://localhost:1/'],
    });
    const page = await (await fetch(`${daemon.baseUrl}/`)).text();
    expect(page).not.toContain('watch.example:9797');
    expect(page).toContain('localhost:1');
    expect(logs.lines.find((line) => line.msg === 'Peer left out: it is this instance')).toMatchObject({
      peers: [`${external}/`],
    });
  });

  it('parses any JSON a peer sends without throwing', () => {
    fc.assert(
      fc.property(fc.jsonValue(), (value) => {
        const parsed = parsePeerProbes(value);
        expect(typeof parsed === 'string' || Array.isArray(parsed.probes)).toBe(true);
      }),
      { numRuns: 500 },
    );
    expect(parsePeerProbes([{ name: 'a', state: 'sideways', labels: { location: 'x' } }])).toEqual({
      probes: [{ name: 'a', state: 'unknown' }],
      location: 'x',
      omitted: 0,
    });
    // A list past the cap is cut there, and says by how much.
    const long = Array.from({ length: MAX_PEER_PROBES + 7 }, (_, i) => ({ name: `p${i}`, state: 'up' }));
    const cut = parsePeerProbes(long);
    expect(typeof cut !== 'string' && [cut.probes.length, cut.omitted]).toEqual([MAX_PEER_PROBES, 7]);
  });
});
