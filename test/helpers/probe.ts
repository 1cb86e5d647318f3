/** Builds probe specs the way config files do (same schema, same defaults) and runs them. */
import { probeSchemaFor } from '../../src/config/schema.js';
import type { ProbeResult, ProbeSpec } from '../../src/model/probe.js';
import { proberFor } from '../../src/probers/index.js';
import { runProbe } from '../../src/probers/run-probe.js';
import { captureLog } from './log.js';

export function specFrom(raw: Record<string, unknown>): ProbeSpec {
  const withDefaults: Record<string, unknown> = { name: 'test', timeout: '2s', ...raw };
  const parsed = probeSchemaFor(String(withDefaults.kind))!.parse(withDefaults) as Record<string, unknown>;
  const {
    name,
    kind,
    timeout,
    interval: _interval,
    labels,
    ...rest
  } = parsed as Record<string, unknown> & { timeout: number };
  const prober = proberFor(String(kind))!;
  return {
    name: String(name),
    kind: String(kind),
    timeoutMs: timeout,
    labels: (labels as Record<string, string>) ?? {},
    settings: prober.toSettings(rest),
    source: { file: 'test', line: 1 },
  };
}

export async function probe(raw: Record<string, unknown>): Promise<ProbeResult> {
  return runProbe(specFrom(raw), { log: captureLog().log });
}
