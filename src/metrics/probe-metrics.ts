/**
 * ProbeResult → per-probe series. blackbox_exporter's names where the meaning matches, so existing
 * dashboards and rules carry over; prismwatch_* for what blackbox does not have.
 * Every series carries `probe`, `kind` (exported rules select on it and the user labels, so they
 * cover probes added after the export) and the union of the configured user label names (absent
 * = ""). Not `instance`: the recommended scrape config (docs/metrics.md) copies `probe` into it at ingestion
 * (metric_relabel_configs), which gives blackbox-style dashboards one instance per probe without
 * a third copy of the name on every line (at 10,000 probes it made a scrape 29.8 MB instead of
 * 19.9: docs/benchmarks.md).
 *
 * Why not prom-client here: it formats and escapes every label set on every scrape, and even
 * rendering strings at scrape time held the event loop for long at 10,000 probes
 * (docs/benchmarks.md, "Figures behind the code"). A probe's lines change only when it is observed, so each
 * observation renders that probe's lines once, into small Buffers, and a scrape only concatenates
 * bytes. prismwatch's own metrics (self-metrics.ts) stay on prom-client.
 */

import { type FailureCode, PHASES } from '../model/failure.js';
import { configuredName, type ProbeResult, type ProbeSpec } from '../model/probe.js';
import type { MetricFamily } from '../probers/definition.js';
import { FACTS } from '../probers/index.js';
import { SKIP_REASONS, type SkipReason } from '../scheduler/skip-reasons.js';
import { escapeLabelValue, formatValue, header } from '../util/exposition.js';
import { yieldSliceMs } from '../util/loop-pressure.js';

/**
 * The base edges: no gap wider than half its upper edge where probes live (2.5 s to 5 s had none,
 * and a p95 of 2.566 s read as 4.875 s). rules/latency-buckets.ts adds every threshold the config uses.
 */
export const PROBE_DURATION_BUCKETS: readonly number[] = [
  0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 0.75, 1, 1.5, 2, 2.5, 3, 4, 5, 7.5, 10, 15, 20, 30, 60,
];

export function userLabelNames(probes: readonly ProbeSpec[]): string[] {
  const names = new Set<string>();
  for (const probe of probes) for (const name of Object.keys(probe.labels)) names.add(name);
  return [...names].sort();
}

/** What the last result's gauges read. */
interface LastValues {
  readonly success: number;
  readonly duration: number;
  readonly failure: FailureCode | undefined;
  /** Failed runs in a row, up to and including the last. */
  readonly streak: number;
  readonly phases: ProbeResult['phases'];
  readonly facts: ProbeResult['facts'];
}

interface ProbeState {
  /** `probe="api",team="core"`: formatted and escaped once. */
  readonly labels: string;
  /** The probe's interval in seconds; undefined for cron probes. */
  readonly intervalSeconds?: number;
  last?: LastValues;
  /** Per-bucket (not cumulative) counts; the last slot is +Inf. */
  readonly buckets: Float64Array;
  /** The histogram's edges (shared by every probe of one ProbeMetrics) and their `le` texts, +Inf last. */
  readonly edges: readonly number[];
  readonly edgeLabels: readonly string[];
  sum: number;
  count: number;
  successes: number;
  /** Per facts section (FACTS order), the sum of its `tally` over runs. */
  readonly tallies: Float64Array;
  readonly failures: Map<FailureCode, number>;
  readonly skipped: Float64Array;
  /**
   * This probe's exposition lines, all families in one unpooled Buffer; family i is
   * block[offsets[i], offsets[i + 1]). Small Buffer.from() slices share 8 KiB pool slabs that stay
   * alive while any slice does: hundreds of megabytes of external memory at 10,000 probes.
   */
  block: Buffer;
  offsets: Uint32Array;
  /**
   * The last traced run, as an OpenMetrics exemplar on the latency bucket it fell in:
   * ` # {trace_id="…"} <seconds> <timestamp>`, shown only to scrapes that ask for OpenMetrics.
   */
  exemplar?: Exemplar;
}

/**
 * What an observation keeps for its exemplar: the run's trace id, value and time; the text is
 * made by the first OpenMetrics scrape that shows it, so a daemon without --metrics.exemplars
 * (every scrape in the text format) never formats one.
 */
interface Exemplar {
  readonly bucket: number;
  readonly traceId: string;
  readonly seconds: number;
  readonly startedAt: number;
  text?: Buffer;
}

function exemplarText(exemplar: Exemplar): Buffer {
  exemplar.text ??= Buffer.from(
    ` # {trace_id="${exemplar.traceId}"} ${formatValue(exemplar.seconds)} ${formatValue(exemplar.startedAt / 1000)}`,
  );
  return exemplar.text;
}

type Family = {
  name: string;
  type: 'gauge' | 'counter' | 'histogram';
  help: string;
  lines: (state: ProbeState) => string;
};

const gauge = (name: string, help: string, value: (last: LastValues) => number): Family => ({
  name,
  type: 'gauge',
  help,
  lines: (state) => (state.last ? `${name}{${state.labels}} ${formatValue(value(state.last))}\n` : ''),
});

/** Sections that count something over runs (429s seen), with their index in FACTS. */
const TALLIED = FACTS.flatMap((section, index) => (section.tally ? [{ section, index }] : []));

/** Sections whose own families carry the phases (HTTP's probe_http_duration_seconds). */
const PHASE_EXPORTERS = FACTS.filter((section) => section.exportsPhases).map((section) => section.key);

/** Families every probe has, before the facts sections'. */
const HEAD_FAMILIES: Family[] = [
  gauge('probe_success', 'Whether the last probe run succeeded (1) or failed (0).', (l) => l.success),
  gauge('probe_duration_seconds', 'How long the last probe run took, in seconds.', (l) => l.duration),
  // The consecutive_failures signal, so `rules export` can say it (HealthCheckFailing) exactly.
  gauge(
    'prismwatch_probe_consecutive_failures',
    'Failed runs in a row up to the last run (0 after a success).',
    (l) => l.streak,
  ),
  // How often runs come: a dashboard can tell a probe that runs rarely from one that stopped.
  {
    name: 'prismwatch_probe_interval_seconds',
    type: 'gauge',
    help: 'How often the probe runs (interval probes only; cron probes have no series).',
    lines: (state) =>
      state.intervalSeconds === undefined
        ? ''
        : `prismwatch_probe_interval_seconds{${state.labels}} ${formatValue(state.intervalSeconds)}\n`,
  },
  {
    name: 'prismwatch_probe_phase_duration_seconds',
    type: 'gauge',
    help: 'Duration of each phase of the last run of non-HTTP probes (connect, tls, processing = query).',
    lines: (state) => {
      const last = state.last;
      if (!last || PHASE_EXPORTERS.some((key) => last.facts[key] !== undefined)) return '';
      let out = '';
      for (const phase of PHASES) {
        const ms = last.phases[phase];
        if (ms !== undefined)
          out += `prismwatch_probe_phase_duration_seconds{${state.labels},phase="${phase}"} ${formatValue(ms / 1000)}\n`;
      }
      return out;
    },
  },
];

/** prismwatch's own per-probe families, after every facts section's. */
const TAIL_FAMILIES: Family[] = [
  {
    name: 'prismwatch_probe_duration_seconds',
    type: 'histogram',
    help: 'Probe run durations, successful or not.',
    lines: (state) => {
      let out = '';
      let cumulative = 0;
      for (let i = 0; i < state.edgeLabels.length; i++) {
        cumulative += state.buckets[i]!;
        out += `prismwatch_probe_duration_seconds_bucket{${state.labels},le="${state.edgeLabels[i]}"} ${cumulative}\n`;
      }
      out += `prismwatch_probe_duration_seconds_sum{${state.labels}} ${formatValue(state.sum)}\n`;
      out += `prismwatch_probe_duration_seconds_count{${state.labels}} ${state.count}\n`;
      return out;
    },
  },
  {
    name: 'prismwatch_probe_runs_total',
    type: 'counter',
    help: 'Probe runs by result and failure code (failure="" for successes).',
    lines: (state) => {
      let out = `prismwatch_probe_runs_total{${state.labels},result="success",failure=""} ${state.successes}\n`;
      for (const [code, count] of state.failures) {
        out += `prismwatch_probe_runs_total{${state.labels},result="failure",failure="${code}"} ${count}\n`;
      }
      return out;
    },
  },
  {
    name: 'prismwatch_probe_skipped_total',
    type: 'counter',
    help: 'Runs not started: "overlap" when the previous run was still going, "missed" when the scheduler fell behind, "shed" when the run waited a whole interval in a saturated daemon.',
    lines: (state) => {
      let out = '';
      for (let i = 0; i < SKIP_REASONS.length; i++) {
        out += `prismwatch_probe_skipped_total{${state.labels},reason="${SKIP_REASONS[i]}"} ${state.skipped[i]}\n`;
      }
      return out;
    },
  },
];

/** Every family in exposition order: the head, each facts section's, the tail. */
const FAMILIES: ReadonlyArray<Pick<Family, 'name' | 'type' | 'help'>> = [
  ...HEAD_FAMILIES,
  ...FACTS.flatMap((section) => section.families),
  ...TAIL_FAMILIES,
];

/** This probe's lines of every family, in FAMILIES order. */
function renderFamilies(state: ProbeState): string[] {
  const texts: string[] = [];
  for (const family of HEAD_FAMILIES) texts.push(family.lines(state));
  const last = state.last;
  for (let k = 0; k < FACTS.length; k++) {
    const section = FACTS[k]!;
    const facts = last?.facts[section.key];
    if (facts === undefined) {
      for (let f = 0; f < section.families.length; f++) texts.push('');
      continue;
    }
    // One context per section and render, not per family: a render touches 10,000 probes.
    const context = { phases: last!.phases, tally: state.tallies[k]!, failure: last!.failure };
    for (const family of section.families as ReadonlyArray<MetricFamily<unknown>>)
      texts.push(family.lines(state.labels, facts, context));
  }
  for (const family of TAIL_FAMILIES) texts.push(family.lines(state));
  return texts;
}

const FAMILY_HEADERS = FAMILIES.map((family) => Buffer.from(header(family.name, family.type, family.help)));
/** OpenMetrics names a counter family without its samples' `_total`. */
const OPENMETRICS_HEADERS = FAMILIES.map((family) =>
  Buffer.from(
    header(
      family.type === 'counter' ? family.name.replace(/_total$/, '') : family.name,
      family.type,
      family.help,
    ),
  ),
);
/** The family that carries exemplars: the latency histogram. */
const EXEMPLAR_FAMILY = FAMILIES.findIndex((family) => family.name === 'prismwatch_probe_duration_seconds');

interface StreamedBlock {
  readonly block: Buffer;
  readonly offsets: Uint32Array;
  /** This scrape's exemplar text, when it shows one. */
  readonly exemplar?: { readonly bucket: number; readonly text: Buffer };
}

/** Where the exemplar goes in a probe's histogram lines: the end of its bucket's line. */
function exemplarAt(block: Buffer, start: number, bucket: number): number {
  let at = start - 1;
  for (let line = 0; line <= bucket; line++) at = block.indexOf(10, at + 1);
  return at;
}

function* streamBlocks(
  blocks: readonly StreamedBlock[],
  familyBytes: readonly number[],
  chunkBytes: number,
  openMetrics: boolean,
): Generator<Buffer> {
  const headers = openMetrics ? OPENMETRICS_HEADERS : FAMILY_HEADERS;
  let chunk = Buffer.allocUnsafe(chunkBytes);
  let used = 0;
  const full: Buffer[] = [];
  const append = (source: Buffer, start: number, end: number) => {
    for (let from = start; from < end; ) {
      if (used === chunk.length) {
        // A full chunk goes out; the next is a new allocation because the socket may still hold it.
        full.push(chunk);
        chunk = Buffer.allocUnsafe(chunkBytes);
        used = 0;
      }
      const copied = source.copy(chunk, used, from, Math.min(end, from + (chunk.length - used)));
      used += copied;
      from += copied;
    }
  };
  for (let i = 0; i < FAMILIES.length; i++) {
    if (familyBytes[i] === 0) continue;
    append(headers[i]!, 0, headers[i]!.length);
    for (const { block, offsets, exemplar } of blocks) {
      if (openMetrics && exemplar && i === EXEMPLAR_FAMILY) {
        const at = exemplarAt(block, offsets[i]!, exemplar.bucket);
        append(block, offsets[i]!, at);
        append(exemplar.text, 0, exemplar.text.length);
        append(block, at, offsets[i + 1]!);
      } else append(block, offsets[i]!, offsets[i + 1]!);
      while (full.length > 0) yield full.shift()!;
    }
  }
  if (used > 0) yield chunk.subarray(0, used);
}

function bucketIndex(seconds: number, edges: readonly number[]): number {
  for (let i = 0; i < edges.length; i++) if (seconds <= edges[i]!) return i;
  return edges.length;
}

export class ProbeMetrics {
  private readonly probes = new Map<string, ProbeState>();
  /**
   * Probes observed since their lines were last rendered. Rendering waits for the next scrape:
   * a probe observed ten times between scrapes renders once, and a daemon nobody scrapes renders
   * nothing (rendering per observation cost a tenth of the CPU per probe: docs/benchmarks.md).
   */
  private readonly stale = new Set<ProbeState>();

  private readonly edgeLabels: readonly string[];

  constructor(
    readonly userLabels: readonly string[],
    /** The latency histogram's edges, ascending (latency-buckets.ts). */
    readonly edges: readonly number[] = PROBE_DURATION_BUCKETS,
  ) {
    this.edgeLabels = [...edges.map(formatValue), '+Inf'];
  }

  /** Starts a probe's series (counters at zero, so rates exist before the first failure). */
  register(spec: ProbeSpec): void {
    if (this.probes.has(spec.name)) return;
    const name = escapeLabelValue(configuredName(spec));
    let labels = `probe="${name}",kind="${spec.kind}"`;
    for (const name of this.userLabels) labels += `,${name}="${escapeLabelValue(spec.labels[name] ?? '')}"`;
    this.probes.set(spec.name, {
      labels,
      ...(spec.intervalMs !== undefined ? { intervalSeconds: spec.intervalMs / 1000 } : {}),
      buckets: new Float64Array(this.edgeLabels.length),
      edges: this.edges,
      edgeLabels: this.edgeLabels,
      sum: 0,
      count: 0,
      successes: 0,
      tallies: new Float64Array(FACTS.length),
      failures: new Map(),
      skipped: new Float64Array(SKIP_REASONS.length),
      block: Buffer.alloc(0),
      offsets: new Uint32Array(FAMILIES.length + 1),
    });
    // Rendered by the next scrape, in its slices: building blocks here held the event loop for
    // long on a reload that adds tens of thousands of probes (docs/benchmarks.md).
    this.stale.add(this.probes.get(spec.name)!);
  }

  private rebuild(state: ProbeState): void {
    const texts = renderFamilies(state);
    const offsets = new Uint32Array(FAMILIES.length + 1);
    for (let i = 0; i < texts.length; i++) offsets[i + 1] = offsets[i]! + Buffer.byteLength(texts[i]!);
    const block = Buffer.allocUnsafeSlow(offsets[FAMILIES.length]!);
    for (let i = 0; i < texts.length; i++) block.write(texts[i]!, offsets[i]!);
    state.block = block;
    state.offsets = offsets;
    this.stale.delete(state);
  }

  /**
   * Renders every stale probe, in slices of about `sliceMs` with a turn of the event loop between
   * them, so a scrape after 10,000 observations does not hold up the probes that are due.
   * Returns the time spent rendering, without the turns given away.
   */
  async refresh(sliceMs = 5): Promise<number> {
    let busyMs = 0;
    let sliceStart = performance.now();
    let done = 0;
    for (const state of this.stale) {
      this.rebuild(state);
      // On a saturated loop in long slices (util/loop-pressure.ts): the scrape comes first.
      if (++done % 64 === 0 && performance.now() - sliceStart > yieldSliceMs(sliceMs)) {
        busyMs += performance.now() - sliceStart;
        await new Promise((resolve) => setImmediate(resolve));
        sliceStart = performance.now();
      }
    }
    return busyMs + performance.now() - sliceStart;
  }

  observe(spec: ProbeSpec, result: ProbeResult): void {
    const state = this.probes.get(spec.name);
    if (!state) return;
    const seconds = result.durationMs / 1000;
    const bucket = bucketIndex(seconds, state.edges);
    state.buckets[bucket]! += 1;
    if (result.traceId)
      state.exemplar = { bucket, traceId: result.traceId, seconds, startedAt: result.startedAt };
    state.sum += seconds;
    state.count += 1;
    if (result.ok) state.successes += 1;
    else {
      const code = result.failure?.code ?? 'internal';
      state.failures.set(code, (state.failures.get(code) ?? 0) + 1);
    }
    for (const { section, index } of TALLIED) {
      const facts = result.facts[section.key];
      if (facts !== undefined) state.tallies[index]! += section.tally!(facts as never);
    }
    // The daemon passes the result history kept (headers dropped), so the two share one object.
    state.last = {
      success: result.ok ? 1 : 0,
      duration: seconds,
      failure: result.ok ? undefined : (result.failure?.code ?? 'internal'),
      streak: result.ok ? 0 : (state.last?.streak ?? 0) + 1,
      phases: result.phases,
      facts: result.facts,
    };
    this.stale.add(state);
  }

  skip(spec: ProbeSpec, reason: SkipReason): void {
    const state = this.probes.get(spec.name);
    if (!state) return;
    state.skipped[SKIP_REASONS.indexOf(reason)]! += 1;
    this.stale.add(state);
  }

  /** Removes every series of a probe that is no longer configured (or whose definition changed). */
  forget(spec: ProbeSpec): void {
    const state = this.probes.get(spec.name);
    if (state) this.stale.delete(state);
    this.probes.delete(spec.name);
  }

  /**
   * The exposition as of now: its length and a generator of chunks of about `chunkBytes`.
   * A scrape of 10,000 probes (20 MB) is streamed with bounded memory, and the caller yields to
   * the event loop between chunks so probes stay on time. Blocks are immutable once built (an
   * observation replaces a probe's block), so the references taken here keep the body consistent
   * with its length however many probes are observed while it streams.
   */
  exposition(chunkBytes = 64 * 1024, openMetrics = false): { length: number; chunks: Generator<Buffer> } {
    // What refresh() left (observed while it yielded) is rendered now: a handful at most.
    for (const state of this.stale) this.rebuild(state);
    const blocks: StreamedBlock[] = [...this.probes.values()].map((state) => ({
      block: state.block,
      offsets: state.offsets,
      // Only once its block shows a run: the bucket's line must be there to carry it.
      ...(openMetrics && state.exemplar && state.count > 0
        ? { exemplar: { bucket: state.exemplar.bucket, text: exemplarText(state.exemplar) } }
        : {}),
    }));
    const headers = openMetrics ? OPENMETRICS_HEADERS : FAMILY_HEADERS;
    const familyBytes = FAMILIES.map((_, i) => {
      let bytes = 0;
      for (const { offsets, exemplar } of blocks) {
        bytes += offsets[i + 1]! - offsets[i]!;
        if (exemplar && i === EXEMPLAR_FAMILY) bytes += exemplar.text.length;
      }
      return bytes;
    });
    let length = 0;
    for (let i = 0; i < FAMILIES.length; i++)
      if (familyBytes[i]! > 0) length += headers[i]!.length + familyBytes[i]!;
    return { length, chunks: streamBlocks(blocks, familyBytes, chunkBytes, openMetrics) };
  }

  /** The whole exposition at once (tests, small registries). */
  render(): Buffer {
    return Buffer.concat([...this.exposition().chunks]);
  }

  /** Totals over all probes, for the daemon's own accounting (status page, benchmarks). */
  totals(): { runs: number; failures: number; skipped: number } {
    let runs = 0;
    let failures = 0;
    let skipped = 0;
    for (const state of this.probes.values()) {
      runs += state.count;
      for (const count of state.failures.values()) failures += count;
      for (const count of state.skipped) skipped += count;
    }
    return { runs, failures, skipped };
  }
}
