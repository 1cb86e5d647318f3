/** Probe badges (/badge/<probe>/<badge>.svg) from a running daemon, and the SVG they are drawn in. */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { kumaWindow } from '../../src/server/badge-routes.js';
import { badgeSvg } from '../../src/server/badges.js';
import { etagOf, matchesEtag } from '../../src/server/etag.js';
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
  - { name: gone, kind: tcp, target: "127.0.0.1:${await refusedPort()}", interval: 200ms, timeout: 150ms, labels: { group: core } }
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

    // `?window=` as the issue and Gatus say it; 1h and 7d as well.
    expect((await badge(base, '/badge/web/uptime.svg?window=7d')).svg).toContain(
      'aria-label="uptime 7d: 100%"',
    );
    expect((await badge(base, '/badge/gone/uptime.svg?window=1h')).svg).toContain(
      'aria-label="uptime 1h: 0.00%"',
    );

    // The URLs Gatus and Uptime Kuma users already paste: same badges.
    const pasted: Array<[string, string]> = [
      ['/api/v1/endpoints/_web/health/badge.svg', 'aria-label="web: up"'],
      ['/api/v1/endpoints/web/health/badge.svg', 'aria-label="web: up"'],
      ['/api/v1/endpoints/core_gone/health/badge.svg', 'aria-label="gone: down"'],
      ['/api/v1/endpoints/_web/uptimes/24h/badge.svg', 'aria-label="uptime 24h: 100%"'],
      ['/api/v1/endpoints/_web/response-times/7d/badge.svg', 'aria-label="response time: '],
      ['/api/badge/web/status', 'aria-label="web: up"'],
      ['/api/badge/web/uptime', 'aria-label="uptime 24h: 100%"'],
      ['/api/badge/web/uptime/720', 'aria-label="uptime 30d: 100%"'],
      ['/api/badge/gone/uptime/7d', 'aria-label="uptime 7d: 0.00%"'],
      ['/api/badge/web/ping/24', 'aria-label="response time: '],
    ];
    for (const [path, label] of pasted) {
      const answer = await badge(base, path);
      expect(answer.status, path).toBe(200);
      expect(answer.svg, path).toContain(label);
    }
    expect(await badge(base, '/api/badge/web/uptime/5')).toMatchObject({ status: 400 });
    expect(await badge(base, '/api/v1/endpoints/_nope/health/badge.svg')).toMatchObject({ status: 404 });

    // Revalidation: the same badge again with its ETag is a 304 without a body; another tag is not.
    const first = await fetch(`${base}/badge/gone/status.svg`);
    const etag = first.headers.get('etag')!;
    expect(etag).toMatch(/^"[\w-]{22}"$/);
    await first.text();
    const again = await fetch(`${base}/badge/gone/status.svg`, {
      headers: { 'if-none-match': `W/"x", ${etag}` },
    });
    expect(again.status).toBe(304);
    expect(again.headers.get('etag')).toBe(etag);
    expect(again.headers.get('cache-control')).toContain('max-age=30');
    expect(await again.text()).toBe('');
    const other = await fetch(`${base}/badge/gone/status.svg`, { headers: { 'if-none-match': '"other"' } });
    expect(other.status).toBe(200);
    await other.text();
  });

  it('reads Kuma durations and If-None-Match lists, whatever they hold', () => {
    expect(kumaWindow(undefined)).toBe('24h');
    expect(kumaWindow('168')).toBe('7d');
    expect(kumaWindow('90d')).toBe('90d');
    expect(kumaWindow('2160')).toBe('90d');
    expect(kumaWindow('5')).toBe('5');
    fc.assert(
      fc.property(fc.string({ maxLength: 40 }), fc.string({ maxLength: 200 }), (duration, header) => {
        expect(typeof kumaWindow(duration)).toBe('string');
        const tag = etagOf(duration);
        expect(typeof matchesEtag(header, tag)).toBe('boolean');
        // The tag anywhere in a list matches, weak or strong.
        expect(matchesEtag(`${header.replace(/"/g, '')}, W/${tag}`, tag)).toBe(true);
      }),
    );
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
