/** The status page's per-location table: this instance's probes beside its peers' (`--peer`). */
import type { ProbeSpec } from '../model/probe.js';
import { escapeHtml as esc } from '../util/html.js';
import type { PeerState } from './peers.js';

export interface LocationsView {
  /** This instance's location label ("this instance" without --location). */
  readonly here: string;
  readonly probes: readonly ProbeSpec[];
  readonly stateOf: (spec: ProbeSpec) => string;
  readonly peers: readonly PeerState[];
}

const badge = (state: string) => `<span class="state ${esc(state)}">${esc(state.toUpperCase())}</span>`;

/** Rows of the table at most: this instance's probes first, then peers' (their lists are capped too). */
export const MAX_LOCATION_ROWS = 2_000;

export function locationsSection(view: LocationsView): string {
  const all = new Set(view.probes.map((spec) => spec.name));
  for (const peer of view.peers) for (const name of peer.probes.keys()) all.add(name);
  const names = [...all].slice(0, MAX_LOCATION_ROWS).sort();
  const left = all.size - names.length + view.peers.reduce((sum, peer) => sum + (peer.omitted ?? 0), 0);
  const own = new Map(view.probes.map((spec) => [spec.name, view.stateOf(spec)]));
  const header = [view.here, ...view.peers.map((peer) => peer.location)]
    .map((location) => `<th scope="col">${esc(location)}</th>`)
    .join('');
  const rows = names.map((name) => {
    const cells = [
      own.has(name) ? badge(own.get(name)!) : '<span class="muted">not probed</span>',
      ...view.peers.map((peer) => {
        if (peer.error && peer.fetchedAt === undefined)
          return `<span class="state unknown" title="${esc(peer.error)}">UNREACHABLE</span>`;
        const probe = peer.probes.get(name);
        const stale = peer.error ? ` <span class="muted" title="${esc(peer.error)}">(stale)</span>` : '';
        return probe ? `${badge(probe.state)}${stale}` : '<span class="muted">not probed</span>';
      }),
    ];
    return `<tr><th scope="row">${esc(name)}</th>${cells.map((cell) => `<td>${cell}</td>`).join('')}</tr>`;
  });
  const more =
    left > 0 ? ` — ${left} more probes not shown (the table shows at most ${MAX_LOCATION_ROWS})` : '';
  return `<table class="locations"><caption>Each probe as every location sees it (peers read from their /api/v1/probes)${more}</caption><thead><tr><th scope="col">Probe</th>${header}</tr></thead><tbody>
${rows.join('\n')}
</tbody></table>`;
}
