/**
 * Where inside its interval a probe runs. Like Prometheus spreading scrapes, the phase comes from a
 * hash of the probe's name, so 10,000 probes on one interval spread evenly, and a probe keeps the
 * same phase across restarts and reloads (its series keep a steady rhythm).
 */
import { createHash } from 'node:crypto';

export function phaseOffsetMs(name: string, intervalMs: number): number {
  const digest = createHash('sha256').update(name).digest();
  // 48 bits are plenty for an even spread and stay exact in a double.
  return digest.readUIntBE(0, 6) % intervalMs;
}

/** The first time ≥ now at which `(t - offset) % interval === 0`, on the epoch timeline. */
export function nextDueAt(now: number, intervalMs: number, offsetMs: number): number {
  const sinceSlot = (((now - offsetMs) % intervalMs) + intervalMs) % intervalMs;
  return sinceSlot === 0 ? now : now - sinceSlot + intervalMs;
}
