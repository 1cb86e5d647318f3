/** A probe's spec from its validated mapping: defaults applied, settings made by its kind. */
import type { ConfigIssue } from '../errors.js';
import type { ProbeSpec } from '../model/probe.js';
import { proberFor } from '../probers/index.js';
import { formatDuration } from '../util/duration.js';
import { DEFAULT_INTERVAL_MS, DEFAULT_TIMEOUT_MS, DEFAULT_TIMEOUT_SHARE } from './schema.js';
import type { PathSegment, YamlSource } from './yaml-source.js';

/** A file's `defaults:`, which its probes (and its discovery templates) get. */
export type Defaults = { interval?: number; timeout?: number; labels?: Record<string, string> };

/** Where a probe's mapping is: a file's `probes[i]`, or a discovery source's template (discovery.ts). */
export interface SpecSite {
  readonly file: string;
  readonly line: number;
  issueAt(path: readonly PathSegment[], message: string): ConfigIssue;
  /** Set on a probe made from a discovered target. */
  readonly discovered?: ProbeSpec['discovered'];
}

export function siteOf(source: YamlSource, path: PathSegment[]): SpecSite {
  return {
    file: source.file,
    line: source.position(source.document.getIn(path, true) as never).line,
    issueAt: (subPath, message) => source.issueAt([...path, ...subPath], message),
  };
}

/** A probe's spec from its parsed mapping: defaults applied, settings made by its kind. */
export function buildSpec(
  data: Record<string, unknown>,
  defaults: Defaults,
  site: SpecSite,
): { spec: ProbeSpec } | { issues: ConfigIssue[] } {
  const { name, kind, description, interval, schedule, timeout, labels, checklist, verify, ...rest } =
    data as {
      name: string;
      kind: string;
      description?: string;
      interval?: number;
      schedule?: string;
      timeout?: number;
      labels?: Record<string, string>;
      checklist?: string[];
      verify?: boolean;
    } & Record<string, unknown>;
  const issues: ConfigIssue[] = [];
  if (interval !== undefined && schedule !== undefined) {
    issues.push(site.issueAt(['schedule'], 'expected either interval or schedule, not both'));
  }
  const intervalMs =
    schedule !== undefined ? undefined : (interval ?? defaults.interval ?? DEFAULT_INTERVAL_MS);
  const timeoutMs =
    timeout ??
    defaults.timeout ??
    (intervalMs === undefined
      ? DEFAULT_TIMEOUT_MS
      : Math.min(DEFAULT_TIMEOUT_MS, Math.floor(intervalMs * DEFAULT_TIMEOUT_SHARE)));
  if (intervalMs !== undefined && timeoutMs >= intervalMs) {
    const where = timeout !== undefined ? 'timeout' : interval !== undefined ? 'interval' : 'name';
    issues.push(
      site.issueAt(
        [where],
        `expected the timeout (${formatDuration(timeoutMs)}) to be below the interval (${formatDuration(intervalMs)}), so runs cannot overlap`,
      ),
    );
  }
  if (issues.length > 0) return { issues };
  const prober = proberFor(kind)!;
  let settings: unknown;
  try {
    settings = prober.toSettings(rest);
  } catch (error) {
    return {
      issues: [site.issueAt([], `expected valid ${kind} settings (${(error as Error).message})`)],
    };
  }
  const spec: ProbeSpec = Object.freeze({
    name,
    kind,
    ...(description !== undefined ? { description } : {}),
    ...(intervalMs !== undefined ? { intervalMs } : {}),
    ...(schedule !== undefined ? { schedule } : {}),
    timeoutMs,
    labels: Object.freeze({ ...defaults.labels, ...labels }),
    ...(checklist ? { checklist: Object.freeze([...checklist]) } : {}),
    ...(verify === false ? { verify: false } : {}),
    settings,
    source: Object.freeze({ file: site.file, line: site.line }),
    ...(site.discovered ? { discovered: site.discovered } : {}),
  });
  return { spec };
}
