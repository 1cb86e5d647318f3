/**
 * A status page's incidents as an Atom feed (RFC 4287): one entry per update people wrote, newest
 * first, so a feed reader or a chat integration hears "Identified", then "Resolved". Only what the
 * page itself shows; links are absolute paths on the host that serves the page.
 */
import { incidentStateWords, type WrittenIncident } from '../../state/status-incidents.js';
import { escapeHtml as esc } from '../../util/html.js';
import type { StatusPageSpec } from './page-spec.js';
import { incidentsOf } from './render.js';

const MAX_ENTRIES = 50;

export function renderFeed(
  page: StatusPageSpec,
  incidents: readonly WrittenIncident[],
  paths: { readonly page: string; readonly feed: string },
  now: number,
): string {
  const entries = incidentsOf(page, incidents)
    .flatMap((incident) => incident.updates.map((update) => ({ incident, update })))
    .sort((a, b) => b.update.at - a.update.at)
    .slice(0, MAX_ENTRIES);
  const updated = new Date(entries[0]?.update.at ?? now).toISOString();
  const body = entries
    .map(
      ({ incident, update }) => `  <entry>
    <id>urn:prismwatch:incident:${esc(incident.id)}:update:${esc(update.id)}</id>
    <title>[${esc(incidentStateWords(update.state))}] ${esc(incident.title)}</title>
    <updated>${new Date(update.at).toISOString()}</updated>
    <author><name>${esc(update.createdBy)}</name></author>
    <link rel="alternate" type="text/html" href="${esc(paths.page)}#incident-${esc(incident.id)}"/>
    <category term="${esc(update.state)}"/>
    <content type="text">${esc(update.body)}</content>
  </entry>`,
    )
    .join('\n');
  return `<?xml version="1.0" encoding="utf-8"?>
<feed xmlns="http://www.w3.org/2005/Atom">
  <id>urn:prismwatch:status-page:${esc(page.slug)}</id>
  <title>${esc(page.title)}: incidents</title>
  <updated>${updated}</updated>
  <author><name>${esc(page.title)}</name></author>
  <link rel="self" type="application/atom+xml" href="${esc(paths.feed)}"/>
  <link rel="alternate" type="text/html" href="${esc(paths.page)}"/>
${body}
</feed>
`;
}
