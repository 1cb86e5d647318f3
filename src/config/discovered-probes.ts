/**
 * Discovered targets → probes, through their source's template: every string of the template has
 * `${target.address}` and `${target.labels.NAME}` filled (a label the target lacks reads as ""),
 * and the result goes through the same schema, defaults and kind validation as a hand-written
 * probe. A target the template cannot make a valid probe of is skipped with its reason; the
 * others stand. The template itself is checked when the config loads (checkTemplate), so a typo
 * in a key is a located config error, not 5,000 skipped targets.
 */
import type * as z from 'zod';
import type { DiscoveredTarget } from '../discovery/target-groups.js';
import type { ConfigIssue } from '../errors.js';
import type { ProbeSpec } from '../model/probe.js';
import { proberFor } from '../probers/index.js';
import { buildSpec } from './build-spec.js';
import type { DiscoverySpec } from './discovery-spec.js';
import { probeSchemaFor } from './schema.js';
import { formatPath, type PathSegment } from './yaml-source.js';

const REFERENCE_RE = /\$\{target\.(address|labels\.([a-zA-Z_][a-zA-Z0-9_]*))\}/g;
const NAME_UNSAFE_RE = /[^a-zA-Z0-9_.:-]/g;
const MAX_NAME = 128;

export interface SkippedTarget {
  readonly target: string;
  readonly reason: string;
}

function fill(value: unknown, target: DiscoveredTarget): unknown {
  if (typeof value === 'string')
    return value.includes('${target.')
      ? value.replace(REFERENCE_RE, (_whole, _what: string, label: string | undefined) =>
          label === undefined ? target.address : (target.labels[label] ?? ''),
        )
      : value;
  if (Array.isArray(value)) return value.map((entry) => fill(entry, target));
  if (value !== null && typeof value === 'object') {
    const out: Record<string, unknown> = {};
    for (const [key, entry] of Object.entries(value)) out[key] = fill(entry, target);
    return out;
  }
  return value;
}

/** `<source>:<address>`, with what a probe name cannot hold made "_" (a URL's slashes, say). */
export function defaultProbeName(source: string, address: string): string {
  return `${source}:${address}`.replace(NAME_UNSAFE_RE, '_').slice(0, MAX_NAME);
}

function firstIssue(issues: readonly z.core.$ZodIssue[]): string {
  const issue = issues[0]!;
  const path = formatPath(issue.path as PathSegment[]);
  return path ? `${path}: ${issue.message}` : issue.message;
}

/** One target's probe, or why the template cannot make one of it. */
function probeOf(spec: DiscoverySpec, target: DiscoveredTarget): { spec: ProbeSpec } | { reason: string } {
  const entry = fill(spec.template, target) as Record<string, unknown>;
  if (entry.name === undefined) entry.name = defaultProbeName(spec.name, target.address);
  const kind = String(entry.kind);
  const parsed = probeSchemaFor(kind)?.safeParse(entry);
  if (!parsed) return { reason: `kind: "${kind}" is not a probe kind` };
  if (!parsed.success) return { reason: firstIssue(parsed.error.issues) };
  const issue = (path: readonly PathSegment[], message: string): ConfigIssue => ({
    file: spec.source.file,
    line: spec.source.line,
    column: 1,
    path: formatPath(path),
    message,
  });
  const built = buildSpec(parsed.data as Record<string, unknown>, spec.defaults, {
    file: spec.source.file,
    line: spec.source.line,
    issueAt: issue,
    discovered: { source: spec.name, target: target.address },
  });
  if ('issues' in built) {
    const first = built.issues[0]!;
    return { reason: first.path ? `${first.path}: ${first.message}` : first.message };
  }
  const problems = proberFor(kind)?.validate?.(built.spec.settings, built.spec) ?? [];
  if (problems.length > 0) {
    const [path, message] = problems[0]!;
    return { reason: `${formatPath(path)}: ${message}` };
  }
  return built;
}

/**
 * Every source's probes from its targets. `taken` holds the hand-written probes' names: a
 * discovered probe never displaces one; nor does a later target displace an earlier one.
 */
export function discoveredProbes(
  sources: readonly DiscoverySpec[],
  targetsOf: (source: string) => readonly DiscoveredTarget[],
  taken: ReadonlySet<string>,
): { probes: ProbeSpec[]; skipped: Map<string, SkippedTarget[]> } {
  const probes: ProbeSpec[] = [];
  const skipped = new Map<string, SkippedTarget[]>();
  const names = new Set(taken);
  for (const source of sources) {
    const own: SkippedTarget[] = [];
    skipped.set(source.name, own);
    for (const target of targetsOf(source.name)) {
      const made = probeOf(source, target);
      if ('reason' in made) {
        own.push({ target: target.address, reason: made.reason });
        continue;
      }
      if (names.has(made.spec.name)) {
        own.push({ target: target.address, reason: `probe name "${made.spec.name}" is already taken` });
        continue;
      }
      names.add(made.spec.name);
      probes.push(made.spec);
    }
  }
  return { probes, skipped };
}

/** Whether the template's value at this path is filled per target (its check waits for a target). */
function filledPerTarget(template: unknown, path: readonly PathSegment[]): boolean {
  let value = template;
  for (const segment of path) {
    if (value === null || typeof value !== 'object') return false;
    value = (value as Record<string | number, unknown>)[segment];
  }
  return JSON.stringify(value ?? '').includes('${target.');
}

/**
 * The template's own problems, for the config load: it is made into a probe of a sample target,
 * and every issue is reported except those at values that are filled per target (a URL made
 * from a label is only a URL once a target has the label).
 */
export function checkTemplate(template: Record<string, unknown>): z.core.$ZodIssue[] {
  const kind = template.kind;
  const schema = typeof kind === 'string' ? probeSchemaFor(kind) : undefined;
  if (!schema) return [];
  const sample = fill(template, { address: 'discovered.example:443', labels: {} }) as Record<string, unknown>;
  sample.name ??= 'discovered';
  const parsed = schema.safeParse(sample);
  if (parsed.success) return [];
  // An unknown key is the template's own mistake whatever its value says.
  return parsed.error.issues.filter(
    (issue) =>
      issue.code === 'unrecognized_keys' ||
      issue.path.length === 0 ||
      !filledPerTarget(template, issue.path as PathSegment[]),
  );
}
