/** Score and grade exactly as the Observatory computes them (src/scanner/index.js, src/grader). */
import type { TestResult } from './types.js';

/** Bonuses count only when the penalties alone leave at least this much. */
const MINIMUM_SCORE_FOR_EXTRA_CREDIT = 90;

export const GRADES = ['A+', 'A', 'A-', 'B+', 'B', 'B-', 'C+', 'C', 'C-', 'D+', 'D', 'D-', 'F'] as const;
export type Grade = (typeof GRADES)[number];

const GRADE_CHART: ReadonlyArray<[number, Grade]> = [
  [100, 'A+'],
  [90, 'A'],
  [85, 'A-'],
  [80, 'B+'],
  [70, 'B'],
  [65, 'B-'],
  [60, 'C+'],
  [50, 'C'],
  [45, 'C-'],
  [40, 'D+'],
  [30, 'D'],
  [25, 'D-'],
  [0, 'F'],
];

export function gradeFor(score: number): Grade {
  const key = Math.min(score - (score % 5), 100);
  return GRADE_CHART.find(([floor]) => key >= floor)?.[1] ?? 'F';
}

export interface Grading {
  readonly score: number;
  readonly grade: Grade;
  readonly passed: number;
  readonly failed: number;
  readonly notEvaluated: number;
}

export function gradeResults(results: readonly TestResult[]): Grading {
  let penalties = 0;
  let all = 0;
  for (const { modifier } of results) {
    all += modifier;
    if (modifier < 0) penalties += modifier;
  }
  const uncurved = 100 + penalties;
  const score = Math.max(uncurved >= MINIMUM_SCORE_FOR_EXTRA_CREDIT ? 100 + all : uncurved, 0);
  return {
    score,
    grade: gradeFor(score),
    passed: results.filter((r) => r.pass === true).length,
    failed: results.filter((r) => r.pass === false).length,
    notEvaluated: results.filter((r) => r.pass === undefined).length,
  };
}

/** Whether `grade` is at least as good as `minimum`. */
export function meetsGrade(grade: Grade, minimum: Grade): boolean {
  return GRADES.indexOf(grade) <= GRADES.indexOf(minimum);
}
