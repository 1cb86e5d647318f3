/**
 * A result as it is kept after its run (history's last result, the metrics' last facts): each
 * facts section may drop what is bulky and never read back (HTTP's response headers). Keeping
 * an already kept result returns it as it is, so the daemon keeps once and every consumer shares
 * the one object.
 */
import type { ProbeResult } from '../model/probe.js';
import { FACTS } from './index.js';

export function retainedResult(result: ProbeResult): ProbeResult {
  let facts: Record<string, unknown> | undefined;
  for (const section of FACTS) {
    const value = result.facts[section.key];
    if (value === undefined || !section.retain) continue;
    const kept = section.retain(value as never);
    if (kept === value) continue;
    facts ??= { ...result.facts };
    facts[section.key] = kept;
  }
  return facts ? { ...result, facts } : result;
}
