/**
 * ProbeResult → per-probe series. blackbox_exporter's names where the meaning matches, so existing
 * dashboards and rules carry over; prismwatch_* for what blackbox does not have.
 * Every series carries `probe` and the union of the configured user label names (absent = "").
 */
import { Counter, Gauge, Histogram, Registry } from 'prom-client';
import { FAILURE_CODES, PHASES } from '../probers/failure.js';
import type { ProbeResult, ProbeSpec } from '../probers/types.js';

/** Edges include 1.5 s and 2 s so the checklist's "response time > 2 s" is read exactly off the buckets. */
export const PROBE_DURATION_BUCKETS = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 1.5, 2, 2.5, 5, 10, 30];

export const SKIP_REASONS = ['overlap', 'missed'] as const;
export type SkipReason = (typeof SKIP_REASONS)[number];

type Labels = Record<string, string>;

export function userLabelNames(probes: readonly ProbeSpec[]): string[] {
  const names = new Set<string>();
  for (const probe of probes) for (const name of Object.keys(probe.labels)) names.add(name);
  return [...names].sort();
}

export class ProbeMetrics {
  readonly registry = new Registry();
  private readonly labelCache = new Map<string, Labels>();
  private readonly tlsVersions = new Map<string, string>();
  private readonly base: string[];

  private readonly success: Gauge;
  private readonly duration: Gauge;
  private readonly httpStatus: Gauge;
  private readonly httpPhase: Gauge;
  private readonly httpContentLength: Gauge;
  private readonly httpBodyLength: Gauge;
  private readonly httpRedirects: Gauge;
  private readonly httpSsl: Gauge;
  private readonly sslEarliest: Gauge;
  private readonly sslLastChain: Gauge;
  private readonly tlsVersion: Gauge;
  private readonly latency: Histogram;
  private readonly runs: Counter;
  private readonly skipped: Counter;

  constructor(readonly userLabels: readonly string[]) {
    this.base = ['probe', ...userLabels];
    const registers = [this.registry];
    const gauge = (name: string, help: string, extra: string[] = []) =>
      new Gauge({ name, help, labelNames: [...this.base, ...extra], registers });
    this.success = gauge('probe_success', 'Whether the last probe run succeeded (1) or failed (0).');
    this.duration = gauge('probe_duration_seconds', 'How long the last probe run took, in seconds.');
    this.httpStatus = gauge(
      'probe_http_status_code',
      'HTTP status code of the final response (0 when none).',
    );
    this.httpPhase = gauge(
      'probe_http_duration_seconds',
      'Duration of each HTTP phase of the last run, summed over redirects.',
      ['phase'],
    );
    this.httpContentLength = gauge(
      'probe_http_content_length',
      'Content-Length of the final response (-1 when not sent).',
    );
    this.httpBodyLength = gauge(
      'probe_http_uncompressed_body_length',
      'Body bytes of the final response after decompression.',
    );
    this.httpRedirects = gauge('probe_http_redirects', 'Number of redirects followed.');
    this.httpSsl = gauge('probe_http_ssl', 'Whether the final request used TLS (1) or not (0).');
    this.sslEarliest = gauge(
      'probe_ssl_earliest_cert_expiry',
      'Earliest expiry of the presented certificates, unix seconds.',
    );
    this.sslLastChain = gauge(
      'probe_ssl_last_chain_expiry_timestamp_seconds',
      'Earliest expiry along the verified certificate chain, unix seconds.',
    );
    this.tlsVersion = gauge('probe_tls_version_info', 'TLS version of the last handshake, as a label.', [
      'version',
    ]);
    this.latency = new Histogram({
      name: 'prismwatch_probe_duration_seconds',
      help: 'Probe run durations, successful or not.',
      labelNames: this.base,
      buckets: PROBE_DURATION_BUCKETS,
      registers,
    });
    this.runs = new Counter({
      name: 'prismwatch_probe_runs_total',
      help: 'Probe runs by result and failure code (failure="" for successes).',
      labelNames: [...this.base, 'result', 'failure'],
      registers,
    });
    this.skipped = new Counter({
      name: 'prismwatch_probe_skipped_total',
      help: 'Runs not started: "overlap" when the previous run was still going, "missed" when the scheduler fell behind.',
      labelNames: [...this.base, 'reason'],
      registers,
    });
  }

  labelsFor(spec: ProbeSpec): Labels {
    let labels = this.labelCache.get(spec.name);
    if (!labels) {
      labels = { probe: spec.name };
      for (const name of this.userLabels) labels[name] = spec.labels[name] ?? '';
      this.labelCache.set(spec.name, labels);
    }
    return labels;
  }

  /** Creates a probe's counters at zero so rates exist before the first failure (alertmanager InitializeFor). */
  register(spec: ProbeSpec): void {
    const labels = this.labelsFor(spec);
    this.runs.inc({ ...labels, result: 'success', failure: '' }, 0);
    for (const reason of SKIP_REASONS) this.skipped.inc({ ...labels, reason }, 0);
  }

  observe(spec: ProbeSpec, result: ProbeResult): void {
    const labels = this.labelsFor(spec);
    const seconds = result.durationMs / 1000;
    this.success.set(labels, result.ok ? 1 : 0);
    this.duration.set(labels, seconds);
    this.latency.observe(labels, seconds);
    this.runs.inc({
      ...labels,
      result: result.ok ? 'success' : 'failure',
      failure: result.failure?.code ?? '',
    });
    const http = result.facts.http;
    if (http) {
      this.httpStatus.set(labels, http.statusCode);
      for (const phase of PHASES)
        this.httpPhase.set({ ...labels, phase }, (result.phases[phase] ?? 0) / 1000);
      this.httpContentLength.set(labels, http.contentLength);
      this.httpBodyLength.set(labels, http.bodyBytes);
      this.httpRedirects.set(labels, http.redirects);
      this.httpSsl.set(labels, http.finalUrl.startsWith('https:') ? 1 : 0);
    }
    const tls = result.facts.tls;
    if (tls) {
      if (Number.isFinite(tls.earliestExpiry)) this.sslEarliest.set(labels, tls.earliestExpiry);
      if (Number.isFinite(tls.lastChainExpiry)) this.sslLastChain.set(labels, tls.lastChainExpiry);
      const previous = this.tlsVersions.get(spec.name);
      if (previous !== undefined && previous !== tls.version)
        this.tlsVersion.remove({ ...labels, version: previous });
      this.tlsVersion.set({ ...labels, version: tls.version }, 1);
      this.tlsVersions.set(spec.name, tls.version);
    }
  }

  skip(spec: ProbeSpec, reason: SkipReason): void {
    this.skipped.inc({ ...this.labelsFor(spec), reason });
  }

  /** Removes every series of a probe that is no longer configured. */
  forget(spec: ProbeSpec): void {
    const labels = this.labelCache.get(spec.name);
    if (!labels) return;
    for (const gauge of [
      this.success,
      this.duration,
      this.httpStatus,
      this.httpContentLength,
      this.httpBodyLength,
      this.httpRedirects,
      this.httpSsl,
      this.sslEarliest,
      this.sslLastChain,
    ]) {
      gauge.remove(labels);
    }
    for (const phase of PHASES) this.httpPhase.remove({ ...labels, phase });
    const version = this.tlsVersions.get(spec.name);
    if (version !== undefined) this.tlsVersion.remove({ ...labels, version });
    this.latency.remove(labels);
    this.runs.remove({ ...labels, result: 'success', failure: '' });
    for (const failure of FAILURE_CODES) this.runs.remove({ ...labels, result: 'failure', failure });
    for (const reason of SKIP_REASONS) this.skipped.remove({ ...labels, reason });
    this.labelCache.delete(spec.name);
    this.tlsVersions.delete(spec.name);
  }
}
