#!/usr/bin/env node
// Prints the plain "N passed, N failed" line CI reads, from vitest's JSON report.
// CI does not understand vitest's own summary, so this line is the verdict it sees.
import { existsSync, readFileSync } from 'node:fs';

const file = process.argv[2] ?? 'reports/vitest.json';
if (!existsSync(file)) {
  console.log('0 passed, 1 failed');
  console.error(`ci-summary: ${file} is missing: the test run did not produce a report`);
  process.exit(1);
}
const report = JSON.parse(readFileSync(file, 'utf8'));
const passed = report.numPassedTests ?? 0;
// A file that fails to load has no tests counted as failed; count it so it cannot hide. Not
// numFailedTestSuites: vitest counts every describe block around a failed test there too, so
// one failing test read as three.
const filesFailedWithoutATest = (report.testResults ?? []).filter(
  (file) =>
    file.status === 'failed' && !(file.assertionResults ?? []).some((test) => test.status === 'failed'),
).length;
const failed = (report.numFailedTests ?? 0) + filesFailedWithoutATest;
const skipped = (report.numPendingTests ?? 0) + (report.numTodoTests ?? 0);
console.log(`${passed} passed, ${failed} failed, ${skipped} skipped`);
process.exit(failed > 0 || passed === 0 ? 1 : 0);
