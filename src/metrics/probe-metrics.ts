/**
 * ProbeResult → per-probe series. blackbox_exporter's names where the meaning matches, so existing
 * dashboards and rules carry over; prismwatch_* for what blackbox does not have.
 * Every series carries `probe` and the union of the configured user label names (absent = "").
 *
 * Why not prom-client here: it formats and escapes every label set on every scrape, which
 * measured 100–190 ms per scrape for 1,000 probes, and rendering strings at scrape time still took
 * 400 ms for 10,000 (docs/benchmarks.md). A probe's lines change only when it is observed, so each
 * observation renders that probe's lines once, into small Buffers, and a scrape only concatenates
 * bytes. prismwatch's own metrics (self-metrics.ts) stay on prom-client.
 */
import { type FailureCode, PHASES } from '../model/failure.js';
import type { HostFacts, ProbeResult, ProbeSpec, RateLimitFacts, SecurityFacts } from '../model/probe.js';
import { escapeLabelValue, formatValue, header } from '../util/exposition.js';

/** Edges include 1.5 s and 2 s so the checklist's "response time > 2 s" is read exactly off the buckets. */
export const PROBE_DURATION_BUCKETS = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 1.5, 2, 2.5, 5, 10, 30];
const BUCKET_LABELS = [...PROBE_DURATION_BUCKETS.map(formatValue), '+Inf'];

export const SKIP_REASONS = ['overlap', 'missed'] as const;
export type SkipReason = (typeof SKIP_REASONS)[number];

export function userLabelNames(probes: readonly ProbeSpec[]): string[] {
  const names = new Set<string>();
  for (const probe of probes) for (const name of Object.keys(probe.labels)) names.add(name);
  return [...names].sort();
}

/** The last result's facts, as the gauges show them. */
interface LastValues {
  success: number;
  duration: number;
  /** Phase durations of probes other than HTTP (which has its own family), seconds. */
  phases?: Array<[string, number]>;
  http?: {
    status: number;
    phases: number[];
    contentLength: number;
    bodyLength: number;
    redirects: number;
    ssl: number;
  };
  tls?: { earliest: number; lastChain: number; version: string; cipher: string };
  dns?: { lookupSeconds: number; answers: number };
  host?: HostFacts;
  rateLimit?: RateLimitFacts;
  security?: SecurityFacts;
}

interface ProbeState {
  /** `probe="api",team="core"`: formatted and escaped once. */
  readonly labels: string;
  last?: LastValues;
  /** Per-bucket (not cumulative) counts; the last slot is +Inf. */
  readonly buckets: Float64Array;
  sum: number;
  count: number;
  successes: number;
  /** 429 answers seen by a rate_limit probe. */
  limited: number;
  readonly failures: Map<FailureCode, number>;
  readonly skipped: Float64Array;
  /**
   * This probe's exposition lines, all families in one unpooled Buffer; family i is
   * block[offsets[i], offsets[i + 1]). Small Buffer.from() slices share 8 KiB pool slabs that stay
   * alive while any slice does, which measured 200 MB of external memory at 10,000 probes.
   */
  block: Buffer;
  offsets: Uint32Array;
}

type Family = {
  name: string;
  type: 'gauge' | 'counter' | 'histogram';
  help: string;
  lines: (state: ProbeState) => string;
};

const gauge = (name: string, help: string, value: (last: LastValues) => number | undefined): Family => ({
  name,
  type: 'gauge',
  help,
  lines: (state) => {
    const v = state.last ? value(state.last) : undefined;
    return v === undefined ? '' : `${name}{${state.labels}} ${formatValue(v)}\n`;
  },
});

/** One line per mounted disk, labelled `mount`. */
const diskGauge = (
  name: string,
  help: string,
  value: (disk: HostFacts['disks'][number]) => number,
): Family => ({
  name,
  type: 'gauge',
  help,
  lines: (state) => {
    let out = '';
    for (const disk of state.last?.host?.disks ?? []) {
      out += `${name}{${state.labels},mount="${escapeLabelValue(disk.mount)}"} ${formatValue(value(disk))}\n`;
    }
    return out;
  },
});

const FAMILIES: Family[] = [
  gauge('probe_success', 'Whether the last probe run succeeded (1) or failed (0).', (l) => l.success),
  gauge('probe_duration_seconds', 'How long the last probe run took, in seconds.', (l) => l.duration),
  {
    name: 'prismwatch_probe_phase_duration_seconds',
    type: 'gauge',
    help: 'Duration of each phase of the last run of non-HTTP probes (connect, tls, processing = query).',
    lines: (state) => {
      let out = '';
      for (const [phase, seconds] of state.last?.phases ?? []) {
        out += `prismwatch_probe_phase_duration_seconds{${state.labels},phase="${phase}"} ${formatValue(seconds)}\n`;
      }
      return out;
    },
  },
  gauge(
    'probe_http_status_code',
    'HTTP status code of the final response (0 when none).',
    (l) => l.http?.status,
  ),
  {
    name: 'probe_http_duration_seconds',
    type: 'gauge',
    help: 'Duration of each HTTP phase of the last run, summed over redirects.',
    lines: (state) => {
      const phases = state.last?.http?.phases;
      if (!phases) return '';
      let out = '';
      for (let i = 0; i < PHASES.length; i++) {
        out += `probe_http_duration_seconds{${state.labels},phase="${PHASES[i]}"} ${formatValue(phases[i]!)}\n`;
      }
      return out;
    },
  },
  gauge(
    'probe_http_content_length',
    'Content-Length of the final response (-1 when not sent).',
    (l) => l.http?.contentLength,
  ),
  gauge(
    'probe_http_uncompressed_body_length',
    'Body bytes of the final response after decompression.',
    (l) => l.http?.bodyLength,
  ),
  gauge('probe_http_redirects', 'Number of redirects followed.', (l) => l.http?.redirects),
  gauge('probe_http_ssl', 'Whether the final request used TLS (1) or not (0).', (l) => l.http?.ssl),
  gauge(
    'probe_ssl_earliest_cert_expiry',
    'Earliest expiry of the presented certificates, unix seconds.',
    (l) => l.tls?.earliest,
  ),
  gauge(
    'probe_ssl_last_chain_expiry_timestamp_seconds',
    'Earliest expiry along the verified certificate chain, unix seconds.',
    (l) => l.tls?.lastChain,
  ),
  {
    name: 'probe_tls_version_info',
    type: 'gauge',
    help: 'TLS version of the last handshake, as a label.',
    lines: (state) => {
      const version = state.last?.tls?.version;
      return version === undefined
        ? ''
        : `probe_tls_version_info{${state.labels},version="${escapeLabelValue(version)}"} 1\n`;
    },
  },
  {
    name: 'probe_tls_cipher_info',
    type: 'gauge',
    help: 'TLS cipher of the last handshake, as a label.',
    lines: (state) => {
      const cipher = state.last?.tls?.cipher;
      return cipher === undefined
        ? ''
        : `probe_tls_cipher_info{${state.labels},cipher="${escapeLabelValue(cipher)}"} 1\n`;
    },
  },
  gauge(
    'probe_dns_lookup_time_seconds',
    'How long the DNS query took, in seconds.',
    (l) => l.dns?.lookupSeconds,
  ),
  gauge('probe_dns_answer_rrs', 'Number of records in the answer section.', (l) => l.dns?.answers),
  gauge(
    'prismwatch_host_memory_used_ratio',
    'Memory in use: 1 − MemAvailable / MemTotal.',
    (l) => l.host?.memory.usedRatio,
  ),
  gauge('prismwatch_host_memory_total_bytes', 'MemTotal of the host.', (l) => l.host?.memory.totalBytes),
  gauge(
    'prismwatch_host_memory_available_bytes',
    'MemAvailable of the host.',
    (l) => l.host?.memory.availableBytes,
  ),
  diskGauge(
    'prismwatch_host_disk_free_ratio',
    'Share of the file system available to unprivileged users.',
    (d) => d.freeRatio,
  ),
  diskGauge('prismwatch_host_disk_free_bytes', 'Bytes available to unprivileged users.', (d) => d.freeBytes),
  diskGauge('prismwatch_host_disk_size_bytes', 'Size of the file system.', (d) => d.totalBytes),
  gauge('prismwatch_host_load1', 'Load average over 1 minute.', (l) => l.host?.load.load1),
  gauge('prismwatch_host_load5', 'Load average over 5 minutes.', (l) => l.host?.load.load5),
  gauge('prismwatch_host_load15', 'Load average over 15 minutes.', (l) => l.host?.load.load15),
  gauge(
    'prismwatch_host_file_handles_allocated',
    'File handles allocated system-wide.',
    (l) => l.host?.files.allocated,
  ),
  gauge(
    'prismwatch_host_file_handles_max',
    'Maximum file handles system-wide.',
    (l) => l.host?.files.maximum,
  ),
  gauge(
    'prismwatch_ratelimit_limit',
    'Requests allowed in the window, from rate-limit headers.',
    (l) => l.rateLimit?.limit,
  ),
  gauge('prismwatch_ratelimit_remaining', 'Requests left in the window.', (l) => l.rateLimit?.remaining),
  gauge(
    'prismwatch_ratelimit_remaining_ratio',
    'Share of the window left: remaining / limit.',
    (l) => l.rateLimit?.remainingRatio,
  ),
  gauge(
    'prismwatch_ratelimit_reset_seconds',
    'Seconds until the window resets.',
    (l) => l.rateLimit?.resetSeconds,
  ),
  gauge(
    'prismwatch_ratelimit_retry_after_seconds',
    'Retry-After of the last response, seconds.',
    (l) => l.rateLimit?.retryAfterSeconds,
  ),
  {
    name: 'prismwatch_ratelimit_limited_total',
    type: 'counter',
    help: 'Responses with status 429 seen by a rate_limit probe.',
    lines: (state) =>
      state.last?.rateLimit ? `prismwatch_ratelimit_limited_total{${state.labels}} ${state.limited}\n` : '',
  },
  gauge(
    'prismwatch_security_score',
    'Security headers score, as the MDN HTTP Observatory computes it.',
    (l) => l.security?.score,
  ),
  {
    name: 'prismwatch_security_grade_info',
    type: 'gauge',
    help: 'Security headers grade (A+ … F), as a label.',
    lines: (state) => {
      const grade = state.last?.security?.grade;
      return grade === undefined
        ? ''
        : `prismwatch_security_grade_info{${state.labels},grade="${grade}"} 1\n`;
    },
  },
  {
    name: 'prismwatch_security_test_pass',
    type: 'gauge',
    help: 'Whether each Observatory test passed (1) or failed (0); the outcome is the result label. Tests not evaluated are absent.',
    lines: (state) => {
      let out = '';
      for (const test of state.last?.security?.results ?? []) {
        if (test.pass === undefined) continue;
        out += `prismwatch_security_test_pass{${state.labels},test="${test.test}",result="${test.result}"} ${test.pass ? 1 : 0}\n`;
      }
      return out;
    },
  },
  {
    name: 'prismwatch_probe_duration_seconds',
    type: 'histogram',
    help: 'Probe run durations, successful or not.',
    lines: (state) => {
      let out = '';
      let cumulative = 0;
      for (let i = 0; i < BUCKET_LABELS.length; i++) {
        cumulative += state.buckets[i]!;
        out += `prismwatch_probe_duration_seconds_bucket{${state.labels},le="${BUCKET_LABELS[i]}"} ${cumulative}\n`;
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
    help: 'Runs not started: "overlap" when the previous run was still going, "missed" when the scheduler fell behind.',
    lines: (state) => {
      let out = '';
      for (let i = 0; i < SKIP_REASONS.length; i++) {
        out += `prismwatch_probe_skipped_total{${state.labels},reason="${SKIP_REASONS[i]}"} ${state.skipped[i]}\n`;
      }
      return out;
    },
  },
];

const FAMILY_HEADERS = FAMILIES.map((family) => Buffer.from(header(family.name, family.type, family.help)));

function* streamBlocks(
  blocks: ReadonlyArray<{ block: Buffer; offsets: Uint32Array }>,
  familyBytes: readonly number[],
  chunkBytes: number,
): Generator<Buffer> {
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
    append(FAMILY_HEADERS[i]!, 0, FAMILY_HEADERS[i]!.length);
    for (const { block, offsets } of blocks) {
      append(block, offsets[i]!, offsets[i + 1]!);
      while (full.length > 0) yield full.shift()!;
    }
  }
  if (used > 0) yield chunk.subarray(0, used);
}

function bucketIndex(seconds: number): number {
  for (let i = 0; i < PROBE_DURATION_BUCKETS.length; i++) if (seconds <= PROBE_DURATION_BUCKETS[i]!) return i;
  return PROBE_DURATION_BUCKETS.length;
}

export class ProbeMetrics {
  private readonly probes = new Map<string, ProbeState>();
  /**
   * Probes observed since their lines were last rendered. Rendering waits for the next scrape:
   * a probe observed ten times between scrapes renders once, and a daemon nobody scrapes renders
   * nothing (it was a tenth of the CPU per probe at 1,000 probes/s when done per observation).
   */
  private readonly stale = new Set<ProbeState>();

  constructor(readonly userLabels: readonly string[]) {}

  /** Starts a probe's series (counters at zero, so rates exist before the first failure). */
  register(spec: ProbeSpec): void {
    if (this.probes.has(spec.name)) return;
    let labels = `probe="${escapeLabelValue(spec.name)}"`;
    for (const name of this.userLabels) labels += `,${name}="${escapeLabelValue(spec.labels[name] ?? '')}"`;
    this.probes.set(spec.name, {
      labels,
      buckets: new Float64Array(BUCKET_LABELS.length),
      sum: 0,
      count: 0,
      successes: 0,
      limited: 0,
      failures: new Map(),
      skipped: new Float64Array(SKIP_REASONS.length),
      block: Buffer.alloc(0),
      offsets: new Uint32Array(FAMILIES.length + 1),
    });
    // Rendered by the next scrape, in its slices: registering 50,000 probes on a reload spent a
    // second of the event loop building blocks here (docs/benchmarks.md).
    this.stale.add(this.probes.get(spec.name)!);
  }

  private rebuild(state: ProbeState): void {
    const texts = FAMILIES.map((family) => family.lines(state));
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
      if (++done % 64 === 0 && performance.now() - sliceStart > sliceMs) {
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
    state.buckets[bucketIndex(seconds)]! += 1;
    state.sum += seconds;
    state.count += 1;
    if (result.ok) state.successes += 1;
    else {
      const code = result.failure?.code ?? 'internal';
      state.failures.set(code, (state.failures.get(code) ?? 0) + 1);
    }
    if (result.facts.rateLimit?.limited) state.limited += 1;
    const http = result.facts.http;
    const tls = result.facts.tls;
    state.last = {
      success: result.ok ? 1 : 0,
      duration: seconds,
      http: http && {
        status: http.statusCode,
        phases: PHASES.map((phase) => (result.phases[phase] ?? 0) / 1000),
        contentLength: http.contentLength,
        bodyLength: http.bodyBytes,
        redirects: http.redirects,
        ssl: http.finalUrl.startsWith('https:') ? 1 : 0,
      },
      tls: tls && {
        earliest: Number.isFinite(tls.earliestExpiry) ? tls.earliestExpiry : Number.NaN,
        lastChain: Number.isFinite(tls.lastChainExpiry) ? tls.lastChainExpiry : Number.NaN,
        version: tls.version,
        cipher: tls.cipher,
      },
      host: result.facts.host,
      rateLimit: result.facts.rateLimit,
      security: result.facts.security,
      phases: http
        ? undefined
        : PHASES.filter((phase) => result.phases[phase] !== undefined).map((phase) => [
            phase,
            result.phases[phase]! / 1000,
          ]),
      dns: result.facts.dns && {
        lookupSeconds: result.facts.dns.lookupMs / 1000,
        answers: result.facts.dns.answers.length,
      },
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
  exposition(chunkBytes = 64 * 1024): { length: number; chunks: Generator<Buffer> } {
    // What refresh() left (observed while it yielded) is rendered now: a handful at most.
    for (const state of this.stale) this.rebuild(state);
    const blocks = [...this.probes.values()].map((state) => ({ block: state.block, offsets: state.offsets }));
    const familyBytes = FAMILIES.map((_, i) => {
      let bytes = 0;
      for (const { offsets } of blocks) bytes += offsets[i + 1]! - offsets[i]!;
      return bytes;
    });
    let length = 0;
    for (let i = 0; i < FAMILIES.length; i++)
      if (familyBytes[i]! > 0) length += FAMILY_HEADERS[i]!.length + familyBytes[i]!;
    return { length, chunks: streamBlocks(blocks, familyBytes, chunkBytes) };
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
