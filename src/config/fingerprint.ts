/**
 * A stable identity for a probe's definition, so a reload can tell unchanged probes (which keep
 * their schedule slot, history and series) from changed ones. The source line is left out:
 * moving a probe within a file changes nothing about it.
 */
import { createHash } from 'node:crypto';
import type { ProbeSpec } from '../model/probe.js';
import { LinearRegExp } from '../util/linear-regex.js';

function canonical(_key: string, value: unknown): unknown {
  if (value instanceof RegExp) return `/${value.source}/${value.flags}`;
  if (value instanceof LinearRegExp) return value.toString();
  if (value instanceof Map) return Object.fromEntries([...value.entries()].sort());
  if (value && typeof value === 'object' && !Array.isArray(value)) {
    return Object.fromEntries(Object.entries(value).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
  }
  return value;
}

/**
 * Fingerprints computed where the spec was loaded (the config worker), so a 50,000-probe reload
 * does not spend 1.6 s of the daemon's event loop hashing (docs/benchmarks.md).
 */
const known = new WeakMap<ProbeSpec, string>();

export function rememberFingerprint(spec: ProbeSpec, fingerprint: string): void {
  known.set(spec, fingerprint);
}

export function probeFingerprint(spec: ProbeSpec): string {
  const remembered = known.get(spec);
  if (remembered !== undefined) return remembered;
  const { source: _source, ...definition } = spec;
  return createHash('sha256').update(JSON.stringify(definition, canonical)).digest('hex');
}
