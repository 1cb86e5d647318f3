/**
 * `--baseline FILE`: a previous run's JSON report. A probe whose security grade dropped, or whose
 * p95 latency rose by more than the allowed share, gets a failing `regression` gate.
 */
import { readFileSync } from 'node:fs';
import { PrismwatchError } from '../errors.js';
import type { Gate } from './gates.js';
import { REPORT_VERSION, type VerifyReport } from './report.js';

const GRADES = ['F', 'D-', 'D', 'D+', 'C-', 'C', 'C+', 'B-', 'B', 'B+', 'A-', 'A', 'A+'];

export function readBaseline(file: string): VerifyReport {
  let parsed: VerifyReport;
  try {
    parsed = JSON.parse(readFileSync(file, 'utf8')) as VerifyReport;
  } catch (error) {
    throw new PrismwatchError(
      'PRISMWATCH_USAGE',
      `--baseline ${file}: expected a JSON report of an earlier verify run (${(error as Error).message})`,
    );
  }
  if (parsed?.version !== REPORT_VERSION || !Array.isArray(parsed.gates))
    throw new PrismwatchError(
      'PRISMWATCH_USAGE',
      `--baseline ${file}: expected a verify report of version ${REPORT_VERSION}`,
    );
  return parsed;
}

export function regressions(
  current: readonly Gate[],
  baseline: VerifyReport,
  maxLatencyIncrease: number,
): Gate[] {
  const before = new Map(
    baseline.gates.filter((gate) => gate.type === 'probe').map((gate) => [gate.probe, gate]),
  );
  const found: Gate[] = [];
  for (const gate of current) {
    if (gate.type !== 'probe') continue;
    const old = before.get(gate.probe);
    if (!old) continue;
    const oldGrade = old.measures.security_grade;
    const newGrade = gate.measures.security_grade;
    if (typeof oldGrade === 'string' && typeof newGrade === 'string') {
      const dropped = GRADES.indexOf(newGrade) < GRADES.indexOf(oldGrade);
      found.push({
        ...gate,
        id: `regression:security_grade:${gate.probe}`,
        type: 'regression',
        title: `${gate.probe}: security grade not below the baseline`,
        status: dropped ? 'fail' : 'pass',
        evidence: `grade ${newGrade} (baseline ${oldGrade})`,
        ...(dropped
          ? { reason: `security grade dropped from ${oldGrade} to ${newGrade}` }
          : { reason: undefined }),
        checklist: [],
      });
    }
    const oldP95 = old.measures.p95_ms;
    const newP95 = gate.measures.p95_ms;
    if (typeof oldP95 === 'number' && typeof newP95 === 'number' && oldP95 > 0 && gate.runs > 1) {
      const increase = newP95 / oldP95 - 1;
      const worse = increase > maxLatencyIncrease;
      found.push({
        ...gate,
        id: `regression:p95:${gate.probe}`,
        type: 'regression',
        title: `${gate.probe}: p95 latency within ${Math.round(maxLatencyIncrease * 100)} % of the baseline`,
        status: worse ? 'fail' : 'pass',
        evidence: `p95 ${newP95} ms (baseline ${oldP95} ms, ${increase >= 0 ? '+' : ''}${Math.round(increase * 100)} %)`,
        ...(worse
          ? {
              reason: `p95 rose from ${oldP95} ms to ${newP95} ms (+${Math.round(increase * 100)} %, allowed ${Math.round(maxLatencyIncrease * 100)} %)`,
            }
          : { reason: undefined }),
        checklist: [],
      });
    }
  }
  return found.map((gate) => (gate.reason === undefined ? (({ reason: _r, ...rest }) => rest)(gate) : gate));
}
