/**
 * A reload's probes against the running ones. A probe whose definition is unchanged keeps its
 * spec object, so its schedule slot, series and history carry over; a changed one is new.
 */
import type { ProbeSpec } from '../model/probe.js';
import { probeFingerprint } from './fingerprint.js';

export interface ProbeDiff {
  /** The next probes, with the running spec object wherever the definition is unchanged. */
  readonly probes: readonly ProbeSpec[];
  readonly fingerprints: ReadonlyMap<string, string>;
  readonly added: number;
  /** Running specs replaced by a changed definition of the same name. */
  readonly replaced: readonly ProbeSpec[];
  /** Running specs whose name is gone. */
  readonly removed: readonly ProbeSpec[];
}

export function diffProbes(
  running: readonly ProbeSpec[],
  runningFingerprints: ReadonlyMap<string, string>,
  next: readonly ProbeSpec[],
): ProbeDiff {
  const previous = new Map(running.map((spec) => [spec.name, spec]));
  const fingerprints = new Map<string, string>();
  const replaced: ProbeSpec[] = [];
  let added = 0;
  const probes = next.map((spec) => {
    const fingerprint = probeFingerprint(spec);
    fingerprints.set(spec.name, fingerprint);
    const old = previous.get(spec.name);
    if (old && runningFingerprints.get(spec.name) === fingerprint) return old;
    if (old) replaced.push(old);
    else added += 1;
    return spec;
  });
  const names = new Set(next.map((spec) => spec.name));
  const removed = running.filter((spec) => !names.has(spec.name));
  return { probes, fingerprints, added, replaced, removed };
}
