/**
 * What the server shows of a running daemon: the status page's data, the API's collections, the
 * probe lists and pushes, each read from the parts the daemon built. The daemon hands over its
 * parts once they exist (after the config loaded and the state store opened); until then the
 * collections answer 503 "starting" and the page and lists are empty.
 */

import type { AgentStatus } from '../locations/agents.js';
import type { ShownAlert } from '../model/alert.js';
import { type ProbeSpec, probeLabels } from '../model/probe.js';
import type { Mutes } from '../muting/muting.js';
import type { Inboxes } from '../probers/inboxes.js';
import type { Artifacts } from '../results/artifacts.js';
import type { ResultStore } from '../results/history.js';
import { alertsAsJson } from '../rules/alerts-metrics.js';
import type { WaitingForData } from '../rules/evaluator.js';
import type { SloEngine } from '../slo/engine.js';
import type { StateKeeper } from '../state/state-keeper.js';
import { VERSION } from '../version.js';
import { acknowledgePage, acknowledgeSubmit } from './ack-pages.js';
import { acknowledgementsApi } from './acknowledgements-api.js';
import { probeBadge } from './badges.js';
import { announcementsApi, incidentsApi } from './history-api.js';
import { maintenanceApi } from './maintenance-api.js';
import type { Peers } from './peers.js';
import { probeResultsAsJson, probesAsJson } from './probes-api.js';
import type { ServerHandlers } from './routes.js';
import { silencesApi } from './silences-api.js';
import { slosApi } from './slos-api.js';
import type { StatusView } from './status-page.js';
import { statusPagesEndpoints } from './status-pages/endpoints.js';
import { componentProbes, type StatusPageSpec } from './status-pages/page-spec.js';
import { renderStatusPageInSlices } from './status-render.js';

/** The status page's timeline shows this many of the latest incidents; the API has them all. */
const STATUS_PAGE_INCIDENTS = 25;

/** Parts that exist from construction: the probe plane's, and the config in force. */
type Leadership = NonNullable<StatusView['leadership']>;

export interface StandingParts {
  readonly config: {
    readonly probes: readonly ProbeSpec[];
    readonly config?: { readonly statusPages: readonly StatusPageSpec[] } | undefined;
  };
  readonly results: ResultStore;
  readonly evaluator: { waitingForData(): readonly WaitingForData[] };
  readonly slos: SloEngine;
  readonly peers: Peers;
  /** Agents at private locations (none configured: an empty list). */
  readonly agents?: () => readonly AgentStatus[];
  readonly artifacts: Artifacts;
  readonly location?: string;
  readonly now: () => number;
}

/** Parts that exist once the daemon has started. */
export interface StartedParts {
  readonly state: StateKeeper;
  readonly mutes: Mutes;
  readonly inboxes: Inboxes;
  /** Every alert, each with what mutes it now. */
  readonly shownAlerts: () => ShownAlert[];
  /** Every alert name a maintenance window may name (rules, SLOs, prismwatch's own). */
  readonly alertNames: () => ReadonlySet<string>;
  /** A probe a push changed: run it now rather than at its next slot. */
  readonly runNow: (name: string) => void;
  readonly onMaintenanceWarning: (id: string, warnings: readonly string[]) => void;
  /** Something was queued for the status pages' subscribers: send now. */
  readonly subscribersQueued: () => void;
  /** With a shared state database: whether this instance leads, and the lease's token. */
  readonly leadership?: () => Leadership;
}

type Views = Pick<
  ServerHandlers,
  | 'alerts'
  | 'collections'
  | 'statusPage'
  | 'artifact'
  | 'push'
  | 'probes'
  | 'probeResults'
  | 'badge'
  | 'acknowledge'
  | 'statusPages'
>;

export function daemonViews(standing: StandingParts, started: () => StartedParts | undefined): Views {
  const { results, now } = standing;
  const shown = (): ShownAlert[] => started()?.shownAlerts() ?? [];
  let statusPages: ReturnType<typeof statusPagesEndpoints> | undefined;
  const statusPagesOf = (parts: StartedParts) => {
    statusPages ??= statusPagesEndpoints({
      pages: () => standing.config.config?.statusPages ?? [],
      probes: () => standing.config.probes,
      results,
      maintenanceOf: (spec) => parts.mutes.maintenance.covering(probeLabels(spec), now()),
      incidents: parts.state.statusIncidents,
      alertIncidents: parts.state.incidents,
      subscribers: parts.state.subscribers,
      linkKey: () => parts.state.acknowledgements.linkKey(false),
      onQueued: parts.subscribersQueued,
      now,
    });
    return statusPages;
  };
  return {
    statusPages: () => {
      const parts = started();
      return parts && statusPagesOf(parts);
    },
    alerts: () => alertsAsJson(shown()),
    collections: {
      silences: {
        writable: true,
        get: () => whenStarted(started, (p) => silencesApi(p.mutes.silences, now)),
      },
      maintenance: {
        writable: true,
        get: () =>
          whenStarted(started, (p) =>
            maintenanceApi(
              p.mutes.maintenance,
              now,
              {
                probeLabels: () => standing.config.probes.map((spec) => probeLabels(spec)),
                alertNames: p.alertNames,
              },
              p.onMaintenanceWarning,
              (window) => statusPagesOf(p).maintenanceOpened(window),
            ),
          ),
      },
      incidents: {
        writable: false,
        get: () =>
          whenStarted(started, (p) =>
            incidentsApi(p.state.incidents, (ids) => p.state.store.notifications.sentFor(ids), now),
          ),
      },
      announcements: {
        writable: true,
        get: () => whenStarted(started, (p) => announcementsApi(p.state.announcements, now)),
      },
      slos: { writable: false, get: () => slosApi(() => standing.slos.status(now())) },
      acknowledgements: {
        writable: true,
        removable: false,
        get: () => whenStarted(started, (p) => acknowledgementsApi(p.state.acknowledgements, shown, now)),
      },
    },
    acknowledge: () =>
      whenStarted(started, (p) => {
        const parts = { acks: p.state.acknowledgements, alerts: shown, now };
        return {
          page: (token: string) => acknowledgePage(token, parts),
          submit: (token: string, body: string) => acknowledgeSubmit(token, body, parts),
        };
      }),
    statusPage: () =>
      renderStatusPageInSlices({
        probes: standing.config.probes,
        results,
        alerts: shown(),
        waitingForData: standing.evaluator.waitingForData(),
        silences: started()?.mutes.silences.list() ?? [],
        now: now(),
        version: VERSION,
        ...(started()?.leadership ? { leadership: started()!.leadership!() } : {}),
        ...historyView(standing, started()),
      }),
    artifact: (path) => standing.artifacts.read(path),
    push: (request) => {
      const parts = started();
      if (!parts) return { status: 503, body: 'prismwatch is starting\n' };
      const answer = parts.inboxes.handle(request, standing.config.probes, now());
      if (answer.rerun) parts.runNow(answer.rerun);
      return answer;
    },
    probes: () =>
      probesAsJson(
        standing.config.probes,
        results,
        (spec) => started()?.mutes.maintenance.covering(() => probeLabels(spec)),
        standing.evaluator.waitingForData(),
      ),
    probeResults: (name, sinceMs) => probeResultsAsJson(standing.config.probes, results, name, sinceMs),
    badge: (request) =>
      probeBadge(request, {
        probes: standing.config.probes,
        results,
        inMaintenance: (spec) => started()?.mutes.maintenance.covering(() => probeLabels(spec)) !== undefined,
        now: now(),
        component: (name) => {
          const component = (standing.config.config?.statusPages ?? [])
            .flatMap((page) => page.components)
            .find((candidate) => candidate.name === name);
          return component && componentProbes(component, standing.config.probes);
        },
      }),
  };
}

function whenStarted<T>(
  started: () => StartedParts | undefined,
  view: (parts: StartedParts) => T,
): T | undefined {
  const parts = started();
  return parts && view(parts);
}

/** What the status page shows about time: maintenance, announcements, the last incidents. */
function historyView(standing: StandingParts, parts: StartedParts | undefined) {
  const now = standing.now();
  const agents = standing.agents?.() ?? [];
  const located = {
    ...(standing.location ? { location: standing.location } : {}),
    ...(agents.length > 0 ? { agents } : {}),
  };
  if (!parts) return { slos: standing.slos.status(now), peers: standing.peers.list(), ...located };
  const { state, mutes } = parts;
  const incidents = state.incidents.list({
    since: now - state.incidents.retention,
    limit: STATUS_PAGE_INCIDENTS,
  });
  const sent = state.store.notifications.sentFor(incidents.map((incident) => incident.id));
  return {
    maintenanceOf: (spec: ProbeSpec) => mutes.maintenance.covering(probeLabels(spec), now),
    maintenance: mutes.maintenance.list(),
    announcements: state.announcements.active(),
    incidents: incidents.map((incident) => ({ incident, notifications: sent.get(incident.id)?.length ?? 0 })),
    incidentRetentionDays: Math.round(state.incidents.retention / 86_400_000),
    slos: standing.slos.status(now),
    peers: standing.peers.list(),
    ...located,
  };
}
