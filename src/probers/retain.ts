/**
 * A result as history keeps it after its run: each facts section may drop what is bulky and
 * never read back (HTTP's response headers). The daemon hands the kept result on to metrics and
 * the transition log, so one object per probe is held. Keeping a kept result returns it as is.
 */
import type { ProbeResult } from '../model/probe.js';
import { FACTS } from './index.js';

/** Sections that drop something; found once, since this runs for every result. */
const RETAINING = FACTS.filter((section) => section.retain);

export function retainedResult(result: ProbeResult): ProbeResult {
  let facts: Record<string, unknown> | undefined;
  for (const section of RETAINING) {
    const value = result.facts[section.key];
    if (value === undefined) continue;
    const kept = section.retain!(value as never);
    if (kept === value) continue;
    facts ??= { ...result.facts };
    facts[section.key] = kept;
  }
  return facts ? { ...result, facts } : result;
}
