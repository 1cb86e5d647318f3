/**
 * What the status page shows of each check kind: one "Check" column that the kinds share (steps
 * passed, heartbeat state, Web Vitals, …), filled from the last run of a real probe of each.
 */
import { describe, expect, it } from 'vitest';
import { configDir } from '../helpers/config-dir.js';
import { startDaemon } from '../helpers/daemon.js';
import { itemsFlow, withItemsApi } from '../helpers/items-api.js';
import { eventually } from '../helpers/metrics.js';
import { withRdapRegistry } from '../helpers/rdap.js';
import { withWsServer } from '../helpers/ws-server.js';

/** The text of each probe's "Check" cell (tags stripped), by probe name. */
function checkCells(html: string): Record<string, string> {
  const headers = [
    ...(html.match(/<thead>.*?<\/thead>/s)?.[0] ?? '').matchAll(/<th scope="col">([^<]*)<\/th>/g),
  ].map((match) => match[1]);
  const column = headers.indexOf('Check');
  const cells: Record<string, string> = {};
  for (const row of html.matchAll(/<tr class="[^"]*" id="probe-([^"]+)">(.*?)<\/tr>/gs)) {
    // The first column is the row's <th>; the rest are <td>s.
    const tds = [...row[2]!.matchAll(/<td[^>]*>(.*?)<\/td>/gs)].map((match) =>
      match[1]!.replace(/<[^>]+>/g, ''),
    );
    cells[row[1]!] = tds[column - 1] ?? '';
  }
  return cells;
}

describe('status page: the Check column', () => {
  it('summarises each kind in one shared column', async () => {
    const api = await withItemsApi();
    const flow = itemsFlow(api);
    const rdap = await withRdapRegistry({ 'prismai.test': 200.5 });
    const live = await withWsServer((socket) => socket.send('hello'));
    const dir = configDir();
    dir.write(
      'kinds.yaml',
      JSON.stringify({
        probes: [
          { name: 'flow', interval: '2s', timeout: '1900ms', ...flow },
          {
            name: 'live',
            kind: 'websocket',
            interval: '200ms',
            url: live.url,
            expect: { contains: ['hello'] },
          },
          {
            name: 'registration',
            kind: 'domain',
            interval: '200ms',
            domain: 'prismai.test',
            bootstrap: rdap.bootstrap,
            tls: { ca_file: rdap.caFile },
          },
          {
            name: 'job',
            kind: 'heartbeat',
            interval: '200ms',
            period: '1h',
            token: 'f3b0c44298fc1c149afbf4c8996fb924',
          },
        ],
      }),
    );
    const { daemon } = await startDaemon(dir.path);
    const cells = await eventually(async () => {
      const found = checkCells(await (await fetch(`${daemon.baseUrl}/`)).text());
      return Object.values(found).every((cell) => cell !== '—') ? found : undefined;
    });
    expect(cells).toEqual({
      flow: '4/4 steps',
      job: 'new · no ping yet',
      registration: 'domain 200 d',
      live: expect.stringMatching(/^ws message \d+ ms$/),
    });
  });
});
