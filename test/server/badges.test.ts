/** Probe badges (/badge/<probe>/<badge>.svg) from a running daemon, and the SVG they are drawn in. */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { badgeSvg } from '../../src/server/badges.js';
import { configDir } from '../helpers/config-dir.js';
import { startDaemon } from '../helpers/daemon.js';
import { eventually } from '../helpers/metrics.js';
import { refusedPort, withHttpServer } from '../helpers/servers.js';

async function badge(base: string, path: string) {
  const response = await fetch(`${base}${path}`);
  return { status: response.status, type: response.headers.get('content-type'), svg: await response.text() };
}

describe('probe badges', () => {
  it('show state, uptime and response time; an unknown probe, badge or period says so', async () => {
    const site = await withHttpServer((_req, res) => res.writeHead(200).end('ok'));
    const dir = configDir();
    dir.write(
      'c.yaml',
      `probes:
  - { name: web, kind: http, url: "${site.url}/", interval: 200ms }
  - { name: gone, kind: tcp, target: "127.0.0.1:${await refusedPort()}", interval: 200ms, timeout: 150ms }
`,
    );
    const { daemon } = await startDaemon(dir.path);
    const base = daemon.baseUrl;
    await eventually(
      () => daemon.results.get('web')?.last !== undefined && daemon.results.get('gone')?.last !== undefined,
    );

    const up = await badge(base, '/badge/web/status.svg');
    expect(up).toMatchObject({ status: 200, type: 'image/svg+xml; charset=utf-8' });
    expect(up.svg).toContain('aria-label="web: up"');
    expect(up.svg).toContain('#2e7d32');
    const down = await badge(base, '/badge/gone/status.svg');
    expect(down.svg).toContain('aria-label="gone: down"');
    expect(down.svg).toContain('#c62828');

    expect((await badge(base, '/badge/web/uptime.svg')).svg).toContain('aria-label="uptime 30d: 100%"');
    expect((await badge(base, '/badge/gone/uptime.svg?period=24h')).svg).toContain(
      'aria-label="uptime 24h: 0.00%"',
    );
    expect(await badge(base, '/badge/web/uptime.svg?period=1y')).toMatchObject({ status: 400 });
    expect((await badge(base, '/badge/web/response-time.svg')).svg).toMatch(
      /aria-label="response time: \d+ ms"/,
    );

    for (const path of ['/badge/nope/status.svg', '/badge/web/nope.svg', '/badge/web/status.png'])
      expect(await badge(base, path)).toMatchObject({ status: 404, type: 'image/svg+xml; charset=utf-8' });
  });

  it('escapes whatever text it is given', () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 80 }), fc.string({ maxLength: 80 }), (label, message) => {
        const svg = badgeSvg(label, message, '#000');
        // Outside the markup itself, no raw "<" and no "&" that does not start an entity.
        const text = svg.replace(/<[^<>]*>/g, '');
        expect(text).not.toMatch(/[<>]/);
        expect(text).not.toMatch(/&(?!(lt|gt|amp|quot|apos);)/);
        expect(svg.startsWith('<svg ') && svg.endsWith('</svg>')).toBe(true);
      }),
    );
  });
});
