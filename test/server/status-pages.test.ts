/**
 * Status pages for people outside the team, end to end: two pages with different components, an
 * incident written through the CLI with its updates and a post-mortem, both pages checked in
 * headless Chromium (what shows where, landmarks, axe-core's rules), the customers' page served
 * for its own host name, its Atom feed parsed by the browser's XML parser, and the badges drawn.
 */
import { writeFileSync } from 'node:fs';
import { request } from 'node:http';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { chromiumAvailable, launchChromium } from '../helpers/chromium.js';
import { runCli, startCli } from '../helpers/cli.js';
import { configDir } from '../helpers/config-dir.js';
import { eventually } from '../helpers/metrics.js';
import { withHttpServer } from '../helpers/servers.js';

const TOKEN = 'status-pages-token';

/** Run in the browser (as text: the test's own types have no DOM): the feed through DOMParser. */
const ATOM_CHECK = `(xml) => {
  const doc = new DOMParser().parseFromString(xml, 'application/xml');
  const atom = 'http://www.w3.org/2005/Atom';
  const entries = [...doc.getElementsByTagNameNS(atom, 'entry')];
  return {
    error: doc.getElementsByTagName('parsererror').length > 0,
    root: doc.documentElement.namespaceURI + ' ' + doc.documentElement.localName,
    feedId: doc.documentElement.getElementsByTagNameNS(atom, 'id')[0]?.textContent,
    complete: entries.every((entry) => ['id', 'title', 'updated'].every((name) => entry.getElementsByTagNameNS(atom, name).length === 1)),
    titles: entries.map((entry) => entry.getElementsByTagNameNS(atom, 'title')[0]?.textContent),
  };
}`;
/** A badge opened on its own: an SVG document with a size and a text alternative. */
const SVG_CHECK = `(() => {
  const svg = document.documentElement;
  return { tag: svg.tagName, width: svg.getBoundingClientRect().width, label: svg.getAttribute('aria-label') };
})()`;
const AXE = createRequire(import.meta.url).resolve('axe-core/axe.min.js');

/** GET with a Host header of our choosing (fetch does not let one set it). */
function getWithHost(url: string, host: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const req = request(url, { headers: { host } }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => {
        body += chunk;
      });
      res.on('end', () => resolve(body));
    });
    req.on('error', reject);
    req.end();
  });
}

describe('status pages', () => {
  it('is run in CI', () => {
    if (process.env.CI === 'true')
      expect(chromiumAvailable, 'chromium is missing: .ci/run installs it').toBe(true);
  });

  it.runIf(chromiumAvailable)(
    'shows each page its own components and the incident written for them, on its own host too',
    async () => {
      const up = await withHttpServer((_req, res) => res.writeHead(200).end('ok'));
      const down = await withHttpServer((_req, res) => res.writeHead(503).end());
      const dir = configDir();
      dir.write(
        'c.yaml',
        `probes:
  - { name: api, kind: http, url: "${up.url}/api", interval: 200ms, labels: { service: api } }
  - { name: web, kind: http, url: "${up.url}/", interval: 200ms, labels: { service: web } }
  - { name: db, kind: http, url: "${down.url}/", interval: 200ms, labels: { service: db } }
status_pages:
  - slug: customers
    host: status.example.test
    title: Example status
    description: Checkout, API and website.
    components:
      - { name: API, description: The public REST API, select: { labels: { service: api } } }
      - { name: Website, select: { names: [web] } }
  - slug: team
    title: Everything
    show: { latency: true }
    components:
      - { name: API, select: { names: [api] } }
      - { name: Website, select: { names: [web] } }
      - { name: Database, select: { names: [db] } }
`,
      );
      const env = { PRISMWATCH_API_TOKEN: TOKEN };
      const daemon = await startCli(['--config', dir.path], env);
      const cli = async (...args: string[]) => {
        const result = await runCli([...args, '--url', daemon.baseUrl], env);
        expect(result.stderr).toBe('');
        return result.stdout.trim().split(' ');
      };

      const [id, state] = await cli(
        'incidents',
        'open',
        'Slow checkouts',
        '--component',
        'API',
        '--impact',
        'degraded',
        '-m',
        'Some API calls take over 5 seconds; we are looking into it.',
        '-a',
        'Ana',
      );
      expect(state).toBe('investigating');
      await cli(
        'incidents',
        'update',
        id!,
        '--state',
        'identified',
        '-m',
        'A slow database query; a fix is rolling out.',
        '-a',
        'Ana',
      );
      await cli(
        'incidents',
        'update',
        id!,
        '--state',
        'monitoring',
        '-m',
        'The fix is out; response times are back to normal.',
        '-a',
        'Bo',
      );
      const postmortem = join(dir.path, 'postmortem.txt');
      writeFileSync(
        postmortem,
        'A query lost its index in the 14:02 migration.\n\nWe now check query plans in CI.',
      );
      expect(
        await cli(
          'incidents',
          'resolve',
          id!,
          '-m',
          'Resolved.',
          '--postmortem-file',
          postmortem,
          '-a',
          'Bo',
        ),
      ).toEqual([id, 'resolved']);
      const unknown = await runCli(
        ['incidents', 'open', 'x', '--component', 'Nope', '-m', 'x', '--url', daemon.baseUrl],
        env,
      );
      expect(unknown.stderr).toContain('"Nope" is on no status page (known: API, Website, Database)');

      const browser = await launchChromium();
      // bypassCSP only so that axe-core can be injected; the page itself runs no script.
      const page = await (await browser.newContext({ bypassCSP: true })).newPage();
      // The team page needs the database's failing run to say "Major outage".
      await eventually(async () => {
        await page.goto(`${daemon.baseUrl}/status/team`);
        return (await page.textContent('body'))?.includes('Major outage');
      });
      const team = (await page.textContent('body'))!;
      for (const text of ['API', 'Website', 'Database', 'Slow checkouts', 'response time'])
        expect(team).toContain(text);

      await page.goto(`${daemon.baseUrl}/status/customers`);
      const customers = (await page.textContent('main'))!;
      expect(customers).toContain('The public REST API');
      expect(customers).not.toContain('Database');
      expect(await page.textContent('header')).toContain('All systems operational');
      // The timeline, newest first, and the post-mortem.
      const updates = await page.$$eval('#past-incidents ~ article .timeline li strong', (items) =>
        items.map((item) => item.textContent),
      );
      expect(updates).toEqual(['Resolved', 'Monitoring', 'Identified', 'Investigating']);
      expect(customers).toContain('We now check query plans in CI.');
      // docs/status-page-customers.png is this page: PRISMWATCH_SCREENSHOTS=docs retakes it.
      if (process.env.PRISMWATCH_SCREENSHOTS)
        await page.screenshot({
          path: join(process.env.PRISMWATCH_SCREENSHOTS, 'status-page-customers.png'),
          fullPage: true,
        });
      // Landmarks, and axe-core's rules at WCAG A/AA.
      for (const landmark of ['header', 'main', 'footer']) expect(await page.$(landmark)).not.toBeNull();
      await page.addScriptTag({ path: AXE });
      const violations = await page.evaluate(async () => {
        const axe = (
          globalThis as unknown as {
            axe: {
              run: (options: unknown) => Promise<{ violations: Array<{ id: string; impact: string }> }>;
            };
          }
        ).axe;
        const result = await axe.run({ runOnly: { type: 'tag', values: ['wcag2a', 'wcag2aa'] } });
        return result.violations.map((violation) => `${violation.id} (${violation.impact})`);
      });
      expect(violations).toEqual([]);

      // Its own host name: `/` is the customers' page there, the operator page elsewhere.
      expect(await getWithHost(`${daemon.baseUrl}/`, 'status.example.test')).toContain(
        '<title>Example status</title>',
      );
      expect(await getWithHost(`${daemon.baseUrl}/`, 'other.example.test')).not.toContain(
        '<title>Example status</title>',
      );

      // The feed, read by the browser's XML parser: Atom, one entry per update.
      await page.goto(`${daemon.baseUrl}/status/customers`);
      const feed = await (await fetch(`${daemon.baseUrl}/status/customers/feed.atom`)).text();
      const parsed = (await page.evaluate(`(${ATOM_CHECK})(${JSON.stringify(feed)})`)) as {
        error: boolean;
        root: string;
        feedId: string;
        complete: boolean;
        titles: string[];
      };
      expect(parsed).toMatchObject({
        error: false,
        root: 'http://www.w3.org/2005/Atom feed',
        complete: true,
      });
      expect(parsed.feedId).toBe('urn:prismwatch:status-page:customers');
      expect(parsed.titles).toEqual([
        '[Resolved] Slow checkouts',
        '[Monitoring] Slow checkouts',
        '[Identified] Slow checkouts',
        '[Investigating] Slow checkouts',
      ]);

      // Badges are drawn: an SVG with a size and its text alternative.
      for (const badge of [
        'api/status.svg',
        'api/uptime.svg',
        'api/response-time.svg',
        'Database/status.svg',
      ]) {
        await page.goto(`${daemon.baseUrl}/badge/${badge}`);
        const drawn = (await page.evaluate(SVG_CHECK)) as {
          tag: string;
          width: number;
          label: string | null;
        };
        expect(drawn.tag).toBe('svg');
        expect(drawn.width).toBeGreaterThan(20);
        expect(drawn.label).toBeTruthy();
      }
      // A component's badge is over its probes: the database's is down.
      expect(await (await fetch(`${daemon.baseUrl}/badge/Database/status.svg`)).text()).toContain(
        'Database: down',
      );
    },
  );
});
