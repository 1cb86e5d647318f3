/**
 * The `status_pages:` section's errors, each at its line and key, and hostile text people write
 * into incidents: whatever it holds, the page and the feed carry it as text, never as markup.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ConfigError } from '../../src/errors.js';
import { ResultStore } from '../../src/results/history.js';
import { renderFeed } from '../../src/server/status-pages/feed.js';
import type { StatusPageSpec } from '../../src/server/status-pages/page-spec.js';
import { renderPublicPage } from '../../src/server/status-pages/render.js';
import type { WrittenIncident } from '../../src/state/status-incidents.js';
import { fuzz, runs } from '../fuzz/budget.js';
import { routingConfig } from '../helpers/notifier.js';

const probes = `probes:
  - { name: api, kind: http, url: "http://127.0.0.1:9/", labels: { service: api } }
`;

function issuesOf(yaml: string): string[] {
  try {
    routingConfig(`${probes}${yaml}`);
    return [];
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    return error.issues.map((issue) => `${issue.line}:${issue.column} ${issue.path}: ${issue.message}`);
  }
}

describe('status_pages config', () => {
  it('refuses a duplicate slug or host and a component that selects nothing, at their lines', () => {
    expect(
      issuesOf(`status_pages:
  - { slug: customers, host: Status.Example.com, title: A, components: [{ name: API, select: { labels: { service: api } } }] }
  - { slug: customers, host: status.example.com, title: B, components: [{ name: API, select: { names: [apii] } }] }
`),
    ).toEqual([
      expect.stringMatching(
        /^5:13 status_pages\[1\]\.slug: duplicate status page slug "customers" \(first at \S+routing\.yaml:4\)$/,
      ),
      '5:30 status_pages[1].host: host "status.example.com" is already the host of status page "customers"',
      '5:94 status_pages[1].components[0].select: component "API" selects no configured probe',
    ]);
  });

  it('says what a slug, a logo and a misspelt key should be', () => {
    const issues = issuesOf(`status_pages:
  - slug: Customers!
    title: A
    logo: https://example.com/logo.png
    components: [{ name: API, select: { names: [api] } }]
    show: { histroy: false }
`);
    expect(issues[0]).toMatch(/^4:11 status_pages\[0\]\.slug: expected a slug of lowercase letters/);
    expect(issues[1]).toMatch(/^6:11 status_pages\[0\]\.logo: expected a data:image/);
    expect(issues[2]).toMatch(/^8:13 status_pages\[0\]\.show\.histroy: .*did you mean "history"/);
  });
});

describe('written incidents on a page', () => {
  const page: StatusPageSpec = {
    slug: 'customers',
    title: 'Example <status>',
    components: [{ name: 'API', select: { names: ['api'] } }],
    show: { history: true, latency: true, incidents: true },
    source: { file: 'x.yaml', line: 1 },
  };
  const incident = (title: string, body: string, author: string): WrittenIncident => ({
    id: 'i-1',
    title,
    impact: 'major_outage',
    components: ['API'],
    alertIncident: '',
    createdAt: 1,
    postmortem: body,
    updates: [{ id: 'u-1', state: 'investigating', body, createdBy: author, at: 2 }],
  });

  it('carry any text as text, in the page and in the feed', async () => {
    // ("</title>" is left out of the check: both documents have their own.)
    const marker = fc.constantFrom(
      '<script>',
      '</title>',
      ']]>',
      '<![CDATA[',
      '"><img src=x>',
      '&amp;',
      '\u202e',
    );
    const hostile = fc
      .array(fc.oneof(fc.string({ maxLength: 20 }), marker), { maxLength: 6 })
      .map((parts) => parts.join(''));
    await fuzz(
      'status page text',
      fc.property(hostile, hostile, hostile, (title, body, author) => {
        const written = [incident(title || 'x', body || 'x', author || 'x')];
        const view = {
          page,
          probes: [],
          results: new ResultStore(),
          maintenanceOf: () => undefined,
          incidents: written,
          now: 3,
        };
        const html = renderPublicPage(view, '/status/customers/feed.atom');
        const feed = renderFeed(
          page,
          written,
          { page: '/status/customers', feed: '/status/customers/feed.atom' },
          3,
        );
        for (const text of [title, body, author]) {
          for (const tag of ['<script>', '"><img src=x>', '<![CDATA[']) {
            if (!text.includes(tag)) continue;
            expect(html).not.toContain(tag);
            expect(feed).not.toContain(tag);
          }
        }
        expect(html).not.toContain('\u202e');
        expect(feed).not.toContain('\u202e');
      }),
      runs(300),
    );
  });

  it('raise the component to the open incident’s impact', () => {
    const view = {
      page,
      probes: [],
      results: new ResultStore(),
      maintenanceOf: () => undefined,
      incidents: [incident('Down', 'We are on it', 'Ana')],
      now: 3,
    };
    expect(renderPublicPage(view, '/feed')).toContain('<span class="state down">Major outage</span>');
  });
});
