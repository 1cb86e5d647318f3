import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    // Limits, not expectations: tests wait for conditions, and a loaded 2-core machine (CI may
    // share it) can make a passing test take several times its quiet duration.
    testTimeout: 240_000,
    hookTimeout: 120_000,
    // The JSON report is what .ci/run reads to print its "N passed, N failed" line.
    reporters: ['default', 'json'],
    outputFile: { json: 'reports/vitest.json' },
    // Tests start real servers and child processes; two cores are shared fairly with fewer workers.
    maxWorkers: 2,
  },
});
