/**
 * A probe result as text a person reads during a deployment: the run (result, failure, status,
 * phases), then each facts section's lines in table order. Pure, so it is tested without I/O.
 */
import { PHASES } from '../model/failure.js';
import type { ProbeResult } from '../model/probe.js';
import type { ReportWriter } from './definition.js';
import { FACTS } from './index.js';

function ms(value: number | undefined): string {
  return value === undefined ? '—' : `${value.toFixed(1)} ms`;
}

export function renderProbeReport(
  target: string,
  result: ProbeResult,
  options: { now?: number } = {},
): string {
  const lines: string[] = [target];
  const out: ReportWriter = {
    row: (name, value) => lines.push(`  ${name.padEnd(10)} ${value}`),
    raw: (line) => lines.push(line),
  };
  const now = options.now ?? Date.now();
  out.row('result', `${result.ok ? 'OK' : 'FAILED'} in ${ms(result.durationMs)}`);
  if (result.failure) {
    const phase = result.failure.phase ? ` [${result.failure.phase}]` : '';
    out.row('failure', `${result.failure.code}${phase}: ${result.failure.message}`);
  }
  const present = FACTS.flatMap((section) => {
    const facts = result.facts[section.key];
    return facts === undefined ? [] : [{ section, facts: facts as never }];
  });
  for (const { section, facts } of present) {
    const status = section.sampleStatus?.(facts);
    if (status !== undefined && status > 0) out.row('status', String(status));
  }
  // Phases that happened: the HTTP trace starts every phase at 0 (blackbox exports all five), so
  // a plain-HTTP run printed "tls 0.0 ms" and a refused one "processing 0.0 ms".
  const timed = PHASES.filter((phase) => (result.phases[phase] ?? 0) > 0);
  if (timed.length > 0)
    out.row('phases', timed.map((phase) => `${phase} ${ms(result.phases[phase])}`).join(' · '));
  for (const { section, facts } of present) section.report?.(facts, out, { now });
  for (const { section, facts } of present) section.reportTail?.(facts, out);
  return `${lines.join('\n')}\n`;
}
