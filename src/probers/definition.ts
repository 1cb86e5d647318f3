/**
 * What a probe kind is, as one value: its config keys, the function that runs it, what it reports
 * (facts sections with their metric families, signals and report lines), its own failure codes and
 * its `prismwatch probe` options. probers/index.ts lists one definition per kind; metrics, rules,
 * the CLI, history and the status page read the list and never switch on a kind.
 */
import type * as z from 'zod';
import type { FailureCode } from '../model/failure.js';
import type { ProbeFacts, ProbeFn, ProbeResult, ProbeSpec } from '../model/probe.js';

export type FactsKey = keyof ProbeFacts;
export type FactsOf<K extends FactsKey> = NonNullable<ProbeFacts[K]>;

/** What a family's lines may read besides the facts: the run's phases and the section's tally. */
export interface FamilyContext {
  readonly phases: ProbeResult['phases'];
  /** Sum of the section's `tally` over every run of this probe. */
  readonly tally: number;
  /** The last run's failure code; undefined when it succeeded. */
  readonly failure: FailureCode | undefined;
}

/**
 * One metric family fed by a facts section. `lines` renders this probe's samples (each line ends
 * in "\n"), given its label set already formatted (`probe="api",team="core"`); "" for none.
 */
export interface MetricFamily<F> {
  readonly name: string;
  readonly type: 'gauge' | 'counter' | 'histogram';
  readonly help: string;
  readonly lines: (labels: string, facts: F, context: FamilyContext) => string;
}

/** A value rules can compare against a threshold, read off the last result's facts. */
export interface FactSignal<F> {
  readonly name: string;
  /**
   * Undefined is "no data": the rule is not active for this probe. `result` is the whole last
   * result, for signals about how it ended (a policy or certificate failure, not a refused connect).
   */
  readonly read: (facts: F, now: number, result: ProbeResult) => number | undefined;
  /**
   * The same value in PromQL over the exported series, for `rules export`; none when PromQL
   * cannot say it. It keeps every label of the probe's series (aggregate `without` the family's
   * own labels, never `by (probe)`): exported rules and their annotations read kind and labels.
   */
  readonly promql?: (selector: string) => string;
  /** How people read the value (rules/value-format.ts); a plain number when unset, a ratio when named *_ratio. */
  readonly unit?: 'days';
}

/** Adds one aligned `name  value` line to a `prismwatch probe` report; `raw` adds a line as is. */
export interface ReportWriter {
  row(name: string, value: string): void;
  raw(line: string): void;
}

/** A column of the status page's probe table. */
export interface StatusColumn<F> {
  readonly header: string;
  /** Place among the columns that facts sections add, lowest first. */
  readonly position: number;
  /** The cell's class, e.g. "num" for right-aligned numbers. */
  readonly className?: string;
  /** The cell's inner HTML, already escaped; undefined for "—". `warn` marks it for attention. */
  readonly cell: (facts: F, now: number) => { html: string; warn?: boolean } | undefined;
}

/** A section of ProbeResult.facts and everything prismwatch shows of it. */
export interface FactsDefinition<K extends FactsKey = FactsKey> {
  readonly key: K;
  /** In exposition order; rendered only for probes whose last result has this section. */
  readonly families: ReadonlyArray<MetricFamily<FactsOf<K>>>;
  readonly signals?: ReadonlyArray<FactSignal<FactsOf<K>>>;
  /** Lines for the `prismwatch probe` report. */
  readonly report?: (facts: FactsOf<K>, out: ReportWriter, context: { now: number }) => void;
  /** Report lines that go last, after every section's own (HTTP headers). */
  readonly reportTail?: (facts: FactsOf<K>, out: ReportWriter) => void;
  /**
   * A short phrase of evidence for `prismwatch verify` ("TLSv1.3, certificate valid 80 more
   * days"), adding figures a later run compares against (--baseline) to `measures`.
   */
  readonly evidence?: (
    facts: FactsOf<K>,
    measures: Record<string, number | string>,
    now: number,
  ) => string | undefined;
  /** The evidence goes before the run's latency (HTTP's status), not after. */
  readonly evidenceFirst?: boolean;
  /** What the result history keeps of the section (drop what is bulky and never read back). */
  readonly retain?: (facts: FactsOf<K>) => FactsOf<K>;
  /** The status code a sample records, for the samples API. */
  readonly sampleStatus?: (facts: FactsOf<K>) => number;
  /** A number added up over runs, for counters such as 429s seen. */
  readonly tally?: (facts: FactsOf<K>) => number;
  /** true when the families export the run's phases themselves: the generic phase family stays silent. */
  readonly exportsPhases?: boolean;
  readonly statusColumn?: StatusColumn<FactsOf<K>>;
  /** Files the run left in the artifact store (screenshots, traces), by where they are served. */
  readonly artifacts?: (facts: FactsOf<K>) => readonly string[];
}

/** What `prismwatch probe` was given besides the target (commander's option bag). */
export interface AdHocOptions {
  readonly [option: string]: unknown;
}

/** A `prismwatch probe` option, in commander's syntax. */
export interface CliOption {
  readonly flags: string;
  readonly description: string;
  /** May be given more than once; the values arrive as a list. */
  readonly repeatable?: boolean;
}

export interface ProberCli {
  /** What the one positional target is, for `prismwatch probe --help`. */
  readonly target: string;
  readonly options?: readonly CliOption[];
  /** The command line → the YAML-shaped keys of this kind (validated by its schema). */
  readonly keys: (target: string, options: AdHocOptions) => Record<string, unknown>;
}

/**
 * Durable key → text storage a kind's inbox keeps its state in (heartbeat pings), one namespace
 * per kind. The daemon backs it with its state store, so it survives restarts; `prismwatch probe
 * --data-dir` reads the same store.
 */
export interface KindStore {
  get(key: string): string | undefined;
  set(key: string, value: string): void;
  delete(key: string): void;
  keys(): string[];
}

/** A request under the kind's path prefix (e.g. /ping/…), as the server hands it over. */
export interface InboxRequest {
  readonly method: string;
  /** The path below the prefix, still percent-encoded: "<token>/start". */
  readonly path: string;
  readonly headers: Readonly<Record<string, string | string[] | undefined>>;
  /** The request body (bounded by the server), "" when none. */
  readonly body: string;
  /** The kind's probes as configured now. */
  readonly probes: readonly ProbeSpec[];
  readonly now: number;
}

export interface InboxAnswer {
  readonly status: number;
  readonly body: string;
  /** A probe whose state this request changed: the daemon runs it now rather than at its next slot. */
  readonly rerun?: string;
}

export interface KindInbox {
  handle(request: InboxRequest): InboxAnswer;
  /**
   * Its store was written by another instance sharing state (a push that reached a replica):
   * what the inbox keeps in memory is read again from the store.
   */
  reread?(): void;
}

export interface InboxDefinition {
  /** Where the server hands requests to it, e.g. "/ping/". */
  readonly prefix: string;
  /**
   * Made once per daemon, `receiving: true`; or to read a daemon's store (`prismwatch probe
   * --data-dir`), `receiving: false`, which must not write as if pushes were being received.
   */
  readonly create: (deps: { store: KindStore; now: () => number; receiving: boolean }) => KindInbox;
}

/**
 * A panel of the per-probe dashboard (grafana/dashboards/prismwatch-probe.json) that this kind
 * fills. scripts/build-dashboards.mjs lays it out; for probes of other kinds it shows
 * `emptyBecause` in place of Grafana's bare "No data". Panels of the same title declared by
 * several kinds are one panel, their queries joined with `or`.
 */
export interface KindPanel {
  readonly title: string;
  readonly type: 'timeseries' | 'stat' | 'table';
  /** PromQL selecting `{probe="$probe"}`, one per series, each with its legend. */
  readonly queries: ReadonlyArray<{ readonly expr: string; readonly legend?: string }>;
  readonly emptyBecause: string;
  readonly description?: string;
  /** Grafana unit: s, percentunit, d, short… */
  readonly unit?: string;
  readonly max?: number;
  readonly thresholdLine?: number;
  readonly stack?: boolean;
  /** A stat's colour steps: [from value (null: the lowest), colour]. */
  readonly steps?: ReadonlyArray<readonly [number | null, string]>;
}

/** What the dashboards show of a kind: its own panels, and whether its runs are timed by phase. */
export interface KindDashboard {
  /** Its runs report phases (connect, tls, request…): the phases panel applies. */
  readonly phases: boolean;
  /**
   * PromQL for the HTTP status code of the probe's last response, when it has one: the summary's
   * "HTTP status" and the "Status code" panel join every kind's with `or`.
   */
  readonly statusCode?: string;
  readonly panels: readonly KindPanel[];
}

export interface ProberDefinition<Settings = unknown> {
  readonly kind: string;
  readonly summary: string;
  /** The kind's own keys, snake_case as written in YAML, parsed into `Settings`. */
  readonly settingsShape: z.ZodRawShape;
  readonly toSettings: (parsed: Record<string, unknown>) => Settings;
  /** Cross-field checks beyond the shape; each problem as [path under the probe, message]. */
  readonly validate?: (
    settings: Settings,
    spec: { timeoutMs: number },
  ) => Array<[Array<string | number>, string]>;
  /**
   * Short text naming what is probed. Shown only through displayTarget() (probers/index.ts),
   * which redacts every URL in it: a kind need not, and one rule covers all of them.
   */
  readonly describeTarget: (settings: Settings) => string;
  /**
   * The host the probe's packets go to, for kinds whose failures can be the network path's:
   * traced when the probe goes down for want of an answer (diagnostics/path-evidence.ts).
   */
  readonly pathTarget?: (settings: Settings) => string | undefined;
  readonly probe: ProbeFn<Settings>;
  /**
   * Where its runs go when the daemon probes on worker threads (`--probe-workers`): on a worker
   * (the default), or on the main thread for a kind that holds something one process shares —
   * an inbox of pushes, the artifact store, a browser pool or a cap on processes at once.
   */
  readonly thread?: 'worker' | 'main';
  /** The facts sections its results may carry. */
  readonly facts: readonly FactsDefinition[];
  /**
   * `prismwatch verify --samples N` runs it N times: its gates are statistics over many runs
   * (error rate, p95). Other kinds answer in one run.
   */
  readonly sampledByVerify?: boolean;
  /**
   * A kind that is pushed to (heartbeats): the daemon makes its inbox, routes requests under its
   * prefix to it and hands it to each run as `ctx.inbox`. verify skips such probes: only a running
   * daemon has received their pushes.
   */
  readonly inbox?: InboxDefinition;
  /** Releases what the kind holds between runs (a shared browser) when the daemon or a command ends. */
  readonly shutdown?: () => Promise<void>;
  /** Failure codes of its own, beyond model/failure.ts's shared ones. */
  readonly failureCodes?: readonly FailureCode[];
  readonly cli: ProberCli;
  /** Its part of the dashboards: a kind without a word here does not compile. */
  readonly dashboard: KindDashboard;
  /**
   * One probe of this kind as YAML (a list item under `probes:`), shown in docs/kinds.md and
   * loaded by a test, so the documented example is always a valid one.
   */
  readonly example: string;
}

/** A definition typed in its own folder, as the table holds it (settings are opaque across kinds). */
export function defineProber<Settings>(prober: ProberDefinition<Settings>): ProberDefinition<unknown> {
  return prober as unknown as ProberDefinition<unknown>;
}

/** A facts section typed by its key, as the definitions list it. */
export function defineFacts<K extends FactsKey>(facts: FactsDefinition<K>): FactsDefinition {
  return facts as unknown as FactsDefinition;
}
