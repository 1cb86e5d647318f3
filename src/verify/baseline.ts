/**
 * `--baseline FILE`: a previous run's JSON report (and what `prismwatch deploy finish` compares
 * against). A probe whose security grade dropped, whose p95 latency or error ratio rose by more
 * than allowed, or whose certificate now expires sooner, gets a failing `regression` gate.
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

export interface RegressionLimits {
  /** Allowed p95 rise as a share of the baseline's (0.2: 20 %). */
  readonly p95Share: number;
  /** A p95 rise below this is noise (loopback jitter, a busy runner), whatever its share. */
  readonly p95FloorMs: number;
  /** Allowed rise of the error ratio, in absolute terms (0.01: one point). */
  readonly errorRatio: number;
}

const DAY_MS = 86_400_000;
const pct = (ratio: number) => `${Number((ratio * 100).toFixed(2))} %`;

/**
 * One comparison of a measure against the baseline as a gate: `worse` says whether it regressed,
 * `evidence` what was measured, `reason` why it fails.
 */
function regressionGate(
  gate: Gate,
  measure: string,
  title: string,
  outcome: { worse: boolean; evidence: string; reason: string },
): Gate {
  const { reason: _reason, ...rest } = gate;
  return {
    ...rest,
    id: `regression:${measure}:${gate.probe}`,
    type: 'regression',
    title: `${gate.probe}: ${title}`,
    status: outcome.worse ? 'fail' : 'pass',
    evidence: outcome.evidence,
    ...(outcome.worse ? { reason: outcome.reason } : {}),
    // The probe's checklist items: a slower API leaves "API endpoints responding correctly" open.
    checklist: gate.checklist,
  };
}

/**
 * The current run against a baseline, probe by probe: the security grade must not drop, p95 must
 * not rise by more than the allowed share (and the noise floor), the error ratio must not rise by
 * more than the allowed points, and a certificate must not expire sooner than the baseline's did
 * (a new one deployed that runs out earlier).
 */
export function regressions(
  current: readonly Gate[],
  baseline: VerifyReport,
  limits: RegressionLimits,
  now: number,
): Gate[] {
  const before = new Map(
    baseline.gates.filter((gate) => gate.type === 'probe').map((gate) => [gate.probe, gate]),
  );
  const elapsedDays = Math.max(0, (now - Date.parse(baseline.finishedAt)) / DAY_MS);
  const found: Gate[] = [];
  for (const gate of current) {
    if (gate.type !== 'probe') continue;
    const old = before.get(gate.probe);
    if (!old) continue;
    const oldGrade = old.measures.security_grade;
    const newGrade = gate.measures.security_grade;
    if (typeof oldGrade === 'string' && typeof newGrade === 'string')
      found.push(
        regressionGate(gate, 'security_grade', 'security grade not below the baseline', {
          worse: GRADES.indexOf(newGrade) < GRADES.indexOf(oldGrade),
          evidence: `grade ${newGrade} (baseline ${oldGrade})`,
          reason: `security grade dropped from ${oldGrade} to ${newGrade}`,
        }),
      );
    const oldP95 = old.measures.p95_ms;
    const newP95 = gate.measures.p95_ms;
    if (typeof oldP95 === 'number' && typeof newP95 === 'number' && oldP95 > 0 && gate.runs > 1) {
      const increase = newP95 / oldP95 - 1;
      const share = Math.round(limits.p95Share * 100);
      found.push(
        regressionGate(gate, 'p95', `p95 latency within ${share} % of the baseline`, {
          worse: increase > limits.p95Share && newP95 - oldP95 > limits.p95FloorMs,
          evidence: `p95 ${newP95} ms (baseline ${oldP95} ms, ${increase >= 0 ? '+' : ''}${Math.round(increase * 100)} %)`,
          reason: `p95 rose from ${oldP95} ms to ${newP95} ms (+${Math.round(increase * 100)} %, allowed ${share} % and at least ${limits.p95FloorMs} ms)`,
        }),
      );
    }
    const oldErrors = old.measures.error_ratio;
    const newErrors = gate.measures.error_ratio;
    if (typeof oldErrors === 'number' && typeof newErrors === 'number' && gate.runs > 1)
      found.push(
        regressionGate(gate, 'error_ratio', 'error ratio not above the baseline', {
          worse: newErrors - oldErrors > limits.errorRatio,
          evidence: `error ratio ${pct(newErrors)} (baseline ${pct(oldErrors)})`,
          reason: `error ratio rose from ${pct(oldErrors)} to ${pct(newErrors)} (allowed +${pct(limits.errorRatio)})`,
        }),
      );
    const oldDays = old.measures.cert_days;
    const newDays = gate.measures.cert_days;
    if (typeof oldDays === 'number' && typeof newDays === 'number')
      found.push(
        regressionGate(gate, 'certificate', 'certificate not expiring sooner than the baseline', {
          // Days are rounded, and time has passed since the baseline: one day of slack.
          worse: newDays < oldDays - elapsedDays - 1,
          evidence: `certificate expires in ${newDays} days (baseline ${oldDays})`,
          reason: `the certificate now expires in ${newDays} days, ${Math.round(oldDays - newDays)} days sooner than the baseline's: a different certificate is served`,
        }),
      );
  }
  return found;
}
