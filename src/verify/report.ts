/** A verify run as data: what the formats print and what `--baseline` reads back. */
import type { Gate } from './gates.js';

export const REPORT_VERSION = 1;

export interface VerifyReport {
  readonly version: typeof REPORT_VERSION;
  readonly ok: boolean;
  readonly startedAt: string;
  readonly finishedAt: string;
  readonly durationSeconds: number;
  readonly samples: number;
  readonly probes: number;
  readonly summary: { readonly passed: number; readonly failed: number; readonly noData: number };
  readonly gates: readonly Gate[];
}

export function buildReport(
  gates: readonly Gate[],
  run: { startedAt: number; finishedAt: number; samples: number; probes: number },
): VerifyReport {
  const count = (status: Gate['status']) => gates.filter((gate) => gate.status === status).length;
  return {
    version: REPORT_VERSION,
    ok: count('fail') === 0,
    startedAt: new Date(run.startedAt).toISOString(),
    finishedAt: new Date(run.finishedAt).toISOString(),
    durationSeconds: Math.round((run.finishedAt - run.startedAt) / 100) / 10,
    samples: run.samples,
    probes: run.probes,
    summary: { passed: count('pass'), failed: count('fail'), noData: count('no_data') },
    gates,
  };
}
