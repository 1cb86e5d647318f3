import type { Logger } from 'pino';
import type { Failure, Phase } from './failure.js';

/** Where a probe was defined, for messages that point the operator at the right line. */
interface SourceLocation {
  readonly file: string;
  readonly line: number;
}

/** One configured probe after validation and defaults. `settings` is the kind's own, already parsed. */
export interface ProbeSpec<Settings = unknown> {
  readonly name: string;
  readonly kind: string;
  readonly description?: string;
  /** Set for interval probes; exactly one of intervalMs and schedule is set. */
  readonly intervalMs?: number;
  /** A cron expression (node-cron syntax, optional leading seconds field). */
  readonly schedule?: string;
  readonly timeoutMs: number;
  readonly labels: Readonly<Record<string, string>>;
  /** Checklist items this probe verifies, for `prismwatch verify`. */
  readonly checklist?: readonly string[];
  /** false when `prismwatch verify` should skip this probe. */
  readonly verify?: boolean;
  readonly settings: Settings;
  readonly source: SourceLocation;
  /**
   * Set on a probe made from a discovered target (config/discovered-probes.ts): the discovery
   * source's name and the target's address; `source` is then where the source's template is.
   */
  readonly discovered?: { readonly source: string; readonly target: string };
  /**
   * Set on a probe an agent runs at a private location (locations/agent-spec.ts): the probe as
   * configured and where it runs. Its `name` is `<probe>@<location>`, so every location keeps
   * its own history, uptime and alert state, while its series and alerts say `probe="<probe>"`
   * and `location="<location>"`, as independent instances' would.
   */
  readonly agent?: { readonly probe: string; readonly location: string };
}

/** The name a probe was configured under: its `probe` label (without the `@location` of an agent's run). */
export function configuredName(spec: Pick<ProbeSpec, 'name' | 'agent'>): string {
  return spec.agent?.probe ?? spec.name;
}

/**
 * The labels a probe is known by outside its config: its own labels and `probe`. Every alert about
 * the probe carries them, so matchers over them (a maintenance window's scope) select the probe
 * and its alerts alike.
 */
export function probeLabels(spec: Pick<ProbeSpec, 'name' | 'labels' | 'agent'>): Record<string, string> {
  return { ...spec.labels, probe: configuredName(spec) };
}

export interface ProbeContext {
  /** Aborts when the run's deadline passes or the daemon shuts down. */
  readonly signal: AbortSignal;
  /** Epoch ms after which the probe must have returned. */
  readonly deadline: number;
  readonly log: Logger;
  readonly now: () => number;
  /**
   * The kind's inbox, for kinds that are pushed to rather than only probing out (heartbeat pings):
   * made once per daemon by the kind's definition (probers/definition.ts `inbox`), opaque here.
   * Undefined where no daemon receives pushes (verify, `prismwatch probe` without --data-dir).
   */
  readonly inbox?: unknown;
  /** Where a run keeps files worth looking at (a failed page's screenshot); undefined where none are kept. */
  readonly artifacts?: ArtifactStore;
}

/** Files probes leave for people (screenshots), kept a few per probe and served by the daemon. */
export interface ArtifactStore {
  /** Keeps `data` under a name made from `probe` and `name`; returns the path the server serves it at. */
  save(probe: string, name: string, data: Buffer): string | undefined;
}

/**
 * Facts a probe learnt, one section per facts definition (probers/<kind>/facts.ts). Each section
 * adds its key here by declaration merging, so a new kind extends this type from its own folder:
 *   declare module '../../model/probe.js' { interface ProbeFacts { dns?: DnsFacts } }
 */
// biome-ignore lint/suspicious/noEmptyInterface: filled by declaration merging, one key per facts section
export interface ProbeFacts {}

export interface ProbeResult {
  readonly ok: boolean;
  /** Epoch ms. */
  readonly startedAt: number;
  readonly durationMs: number;
  /** Milliseconds per phase, summed over redirect hops. */
  readonly phases: Readonly<Partial<Record<Phase, number>>>;
  readonly failure?: Failure;
  /**
   * The W3C trace id this run's requests carried in their `traceparent` (http, multi_http,
   * browser): the backend's trace of the run, linked from the alert and the incident.
   */
  readonly traceId?: string;
  /** The run's own span id, when the traceparent was prismwatch's (tracing/otlp-spans.ts). */
  readonly spanId?: string;
  readonly facts: ProbeFacts;
}

export type ProbeFn<Settings> = (ctx: ProbeContext, spec: ProbeSpec<Settings>) => Promise<ProbeResult>;
