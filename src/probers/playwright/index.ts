/**
 * `kind: playwright`: a team's own Playwright test file (or folder of them) run as a check, by
 * @playwright/test pinned to the playwright-core prismwatch drives Chromium with, against the
 * system Chromium. Each test is reported with its duration, its failing step and error, the
 * trace and screenshot of a failure (kept with the daemon's artifacts) and the Web Vitals of its
 * page. A run is a child process with the probe's timeout and memory limit, by default inside a
 * bubblewrap sandbox that sees only its own test folder and reaches only the allowed hosts
 * (through prismwatch's proxy). Files are listed when the config loads, so one that does not
 * compile is a config error at its line.
 */
import { rmSync } from 'node:fs';
import { join, resolve } from 'node:path';
import type { Failure } from '../../model/failure.js';
import type { ProbeContext, ProbeResult, ProbeSpec } from '../../model/probe.js';
import { formatDuration } from '../../util/duration.js';
import { webVitals } from '../browser/vitals.js';
import { defineProber } from '../definition.js';
import { keepArtifact } from './artifacts.js';
import { type PlaywrightSettings, playwrightSettingsShape, toPlaywrightSettings } from './config.js';
import { describeFailure, type PlaywrightFacts, type PlaywrightTestFacts, playwrightFacts } from './facts.js';
import { hostPaths, innerPaths } from './layout.js';
import { type Listing, listTests, testTarget } from './listing.js';
import { startAllowlistProxy } from './proxy.js';
import { parseReport, type ReportedTest } from './report.js';
import { layOutRun } from './run-files.js';
import { type RunOutcome, runPlaywright } from './runner.js';
import { findBwrap, runCommand, SANDBOX_MISSING } from './sandbox.js';
import { timelineFrom } from './timeline.js';

declare module '../../model/failure.js' {
  interface KindFailureCodes {
    /** A Playwright test failed (or timed out). */
    test_failed: true;
    /** The test files could not be run: they do not load, no test matched, the runner broke. */
    spec_error: true;
    /** The run's processes used more memory than the probe's max_memory and were stopped. */
    memory_exceeded: true;
    /** The sandbox (bubblewrap) is not installed or cannot start here. */
    sandbox_unavailable: true;
  }
}

/** Failed tests whose screenshot and trace are kept (the store keeps five files per probe). */
const ARTIFACT_TESTS = 2;
/** Time the runner keeps for writing its report after Playwright's own global timeout. */
const REPORT_MARGIN_MS = 1_500;
const BROWSER_GONE = /Executable doesn't exist|Failed to launch|browserType\.launch/;

const slug = (text: string) =>
  text
    .replace(/[^A-Za-z0-9]+/g, '-')
    .slice(0, 40)
    .replace(/^-|-$/g, '') || 'test';
const gib = (bytes: number) => `${(bytes / 1024 / 1024).toFixed(0)} MiB`;

function lastLines(output: string, count = 3): string {
  const lines = output
    .split('\n')
    .map((line) => line.trim())
    .filter(Boolean);
  return lines.slice(-count).join(' / ').slice(0, 400);
}

/** The tests a run selects: all of them, or those whose full title the probe's grep matches. */
function selectedTitles(settings: PlaywrightSettings, listing: Listing): string[] | undefined {
  return settings.grep ? listing.titles.filter((title) => settings.grep!.test(title)) : undefined;
}

function factsOf(
  tests: readonly ReportedTest[],
  outcome: RunOutcome,
  refused: readonly string[],
  kept: Map<ReportedTest, { screenshot?: string; trace?: string }>,
): PlaywrightFacts {
  const shown: PlaywrightTestFacts[] = tests.map((test) => {
    const timeline = timelineFrom(test.timeline);
    const files = kept.get(test) ?? {};
    return {
      title: test.title,
      file: test.file,
      line: test.line,
      status: test.status,
      durationMs: test.durationMs,
      ...(test.error ? { error: test.error } : {}),
      ...(test.errorAt ? { errorAt: test.errorAt } : {}),
      ...(test.step ? { step: test.step } : {}),
      ...(timeline ? { vitals: webVitals(timeline) } : {}),
      ...files,
    };
  });
  const count = (...statuses: string[]) => shown.filter((test) => statuses.includes(test.status)).length;
  return {
    tests: shown,
    passed: count('passed'),
    failed: count('failed', 'timedOut', 'interrupted'),
    skipped: count('skipped'),
    peakMemoryBytes: outcome.peakMemoryBytes,
    refusedHosts: [...refused],
  };
}

/** The run's verdict, first problem wins. */
function judge(
  spec: ProbeSpec<PlaywrightSettings>,
  outcome: RunOutcome,
  report: ReturnType<typeof parseReport>,
  facts: PlaywrightFacts,
): Failure | undefined {
  const { settings } = spec;
  if (outcome.killedFor === 'memory')
    return {
      code: 'memory_exceeded',
      message: `the run used ${gib(outcome.peakMemoryBytes)}, over max_memory ${gib(settings.maxMemoryBytes)}: stopped`,
    };
  if (outcome.killedFor === 'deadline')
    return {
      code: 'timeout',
      message: `the tests did not finish within the ${formatDuration(spec.timeoutMs)} timeout`,
    };
  if (outcome.startError)
    return { code: 'spec_error', message: `could not start the Playwright runner: ${outcome.startError}` };
  if (!report) {
    const said = lastLines(outcome.output);
    if (/^bwrap:|\bbwrap: /m.test(outcome.output))
      return { code: 'sandbox_unavailable', message: `the sandbox would not start: ${said}` };
    return {
      code: 'spec_error',
      message: `Playwright wrote no report (exit ${outcome.exitCode}): ${said || 'no output'}`,
    };
  }
  const refused = facts.refusedHosts.length
    ? ` (prismwatch refused ${facts.refusedHosts.join(', ')}: not in allowed_hosts)`
    : '';
  const error = report.errors[0];
  if (error && facts.failed === 0) {
    if (/Timed out waiting .* for the test suite to run/.test(error.message))
      return {
        code: 'timeout',
        message: `the tests did not finish within the ${formatDuration(spec.timeoutMs)} timeout`,
      };
    return { code: 'spec_error', message: `${error.at ? `${error.at}: ` : ''}${error.message}${refused}` };
  }
  const failed = facts.tests.filter((test) => ['failed', 'timedOut', 'interrupted'].includes(test.status));
  if (failed.length > 0) {
    const first = failed[0]!;
    const code = first.error && BROWSER_GONE.test(first.error) ? 'browser_unavailable' : 'test_failed';
    return {
      code,
      message: `${failed.length} of ${facts.passed + facts.failed} test(s) failed; ${describeFailure(first)}${refused}`,
    };
  }
  if (facts.passed === 0)
    return { code: 'spec_error', message: 'no test ran (all skipped, or none selected)' };
  return undefined;
}

/**
 * Runs at once in the process (PRISMWATCH_PLAYWRIGHT_MAX_RUNS, default 2): each is a runner and a
 * Chromium of its own, a few hundred MB. A run waits for a slot within its own deadline.
 */
const MAX_RUNS = Math.max(1, Number(process.env.PRISMWATCH_PLAYWRIGHT_MAX_RUNS ?? 2) || 2);
let running = 0;
const waiting: Array<() => void> = [];

async function slot(signal: AbortSignal): Promise<() => void> {
  while (running >= MAX_RUNS) {
    await new Promise<void>((resolve, reject) => {
      const wake = () => {
        signal.removeEventListener('abort', onAbort);
        resolve();
      };
      const onAbort = () => {
        waiting.splice(waiting.indexOf(wake), 1);
        reject(signal.reason);
      };
      signal.addEventListener('abort', onAbort, { once: true });
      waiting.push(wake);
    });
  }
  running += 1;
  return () => {
    running -= 1;
    waiting.shift()?.();
  };
}

async function probePlaywright(ctx: ProbeContext, spec: ProbeSpec<PlaywrightSettings>): Promise<ProbeResult> {
  const startedAt = ctx.now();
  let release: () => void;
  try {
    release = await slot(ctx.signal);
  } catch {
    return {
      ok: false,
      startedAt,
      durationMs: ctx.now() - startedAt,
      phases: {},
      failure: {
        code: 'timeout',
        message: `no run slot within the ${formatDuration(spec.timeoutMs)} timeout (${MAX_RUNS} Playwright runs at once, PRISMWATCH_PLAYWRIGHT_MAX_RUNS)`,
      },
      facts: {},
    };
  }
  try {
    return await runOnce(ctx, spec, startedAt);
  } finally {
    release();
  }
}

async function runOnce(
  ctx: ProbeContext,
  spec: ProbeSpec<PlaywrightSettings>,
  startedAt: number,
): Promise<ProbeResult> {
  const { settings } = spec;
  const finish = (failure: Failure | undefined, facts?: PlaywrightFacts): ProbeResult => ({
    ok: failure === undefined,
    startedAt,
    durationMs: ctx.now() - startedAt,
    phases: {},
    ...(failure ? { failure } : {}),
    facts: facts ? { playwright: facts } : {},
  });
  const target = testTarget(settings.tests);
  if (typeof target === 'string') return finish({ code: 'spec_error', message: target });
  if (settings.sandbox && !findBwrap())
    return finish({ code: 'sandbox_unavailable', message: SANDBOX_MISSING });
  let titles: string[] | undefined;
  if (settings.grep) {
    const listing = listTests(target, settings.sandbox);
    if (typeof listing === 'string') return finish({ code: 'spec_error', message: listing });
    titles = selectedTitles(settings, listing);
    if (titles?.length === 0)
      return finish({
        code: 'spec_error',
        message: `grep ${settings.grep.source} matches none of the tests`,
      });
  }
  const budget = Math.max(1_000, Math.floor(ctx.deadline - ctx.now()) - REPORT_MARGIN_MS);
  const runDir = layOutRun(
    {
      testDir: target.testDir,
      ...(target.file ? { file: target.file } : {}),
      ...(titles ? { titles } : {}),
      timeoutMs: budget,
      ...(settings.baseUrl ? { baseUrl: settings.baseUrl } : {}),
      ignoreHttpsErrors: settings.ignoreHttpsErrors,
      artifactsOnFailure: settings.artifactsOnFailure,
    },
    (dir) => innerPaths(dir, settings.sandbox),
  );
  const host = hostPaths(runDir);
  const proxy = await startAllowlistProxy(host.socket, settings.allowedHosts);
  try {
    const command = runCommand(runDir, target.testDir, settings.sandbox, settings.env, []);
    const outcome = await runPlaywright(command, host.report, settings.maxMemoryBytes, ctx.signal);
    const report = outcome.report === undefined ? undefined : parseReport(outcome.report, target.testDir);
    const tests = report?.tests ?? [];
    const kept = new Map<ReportedTest, { screenshot?: string; trace?: string }>();
    const failedTests = tests.filter((test) => test.status !== 'passed' && test.status !== 'skipped');
    for (const [index, test] of failedTests.slice(0, ARTIFACT_TESTS).entries()) {
      const file = (inner: string | undefined) =>
        inner ? { inner, innerOut: command.inner.output, hostOut: host.output } : undefined;
      const name = `${index + 1}-${slug(test.title)}`;
      const screenshot = keepArtifact(ctx.artifacts, spec.name, `${name}.png`, file(test.screenshotPath));
      // Traces hold request headers and typed values: served under the API (token), not publicly.
      const saved = keepArtifact(ctx.artifacts, spec.name, `${name}-trace.zip`, file(test.tracePath));
      const trace = saved ? `/api/v1${saved}` : undefined;
      kept.set(test, { ...(screenshot ? { screenshot } : {}), ...(trace ? { trace } : {}) });
    }
    const facts = factsOf(tests, outcome, proxy.refused, kept);
    return finish(judge(spec, outcome, report, facts), report ? facts : undefined);
  } catch (error) {
    return finish({ code: 'spec_error', message: (error as Error).message });
  } finally {
    await proxy.close();
    rmSync(runDir, { recursive: true, force: true });
  }
}

function validatePlaywright(settings: PlaywrightSettings): Array<[Array<string | number>, string]> {
  const target = testTarget(settings.tests);
  if (typeof target === 'string') return [[['tests'], target]];
  if (settings.allowedHosts.length === 0)
    return [
      [
        ['allowed_hosts'],
        'expected the hosts the tests may reach (allowed_hosts), or a base_url: the browser reaches nothing else',
      ],
    ];
  if (settings.sandbox && !findBwrap()) return [[['sandbox'], SANDBOX_MISSING]];
  const listing = listTests(target, settings.sandbox);
  if (typeof listing === 'string') return [[['tests'], listing]];
  // Playwright adds "No tests found" after a file that failed to load: the load error says it all.
  const errors = listing.errors.filter(
    (error, _, all) => all.length === 1 || error.message !== 'No tests found',
  );
  if (errors.length > 0)
    return errors.slice(0, 3).map((error) => {
      // Babel's message repeats the file's path ("SyntaxError: /srv/x.spec.ts: Unexpected token").
      const message = error.message.replace(/^(\w*Error: )\/\S+: /, '$1');
      return [['tests'], `${error.at ? `${join(target.testDir, error.at)}: ` : ''}${message}`];
    });
  if (listing.titles.length === 0) return [[['tests'], `no Playwright tests found in ${settings.tests}`]];
  if (settings.grep && selectedTitles(settings, listing)!.length === 0)
    return [
      [
        ['grep'],
        `matches none of the ${listing.titles.length} tests (${listing.titles.slice(0, 3).join('; ')}…)`,
      ],
    ];
  return [];
}

export const playwrightProber = defineProber<PlaywrightSettings>({
  kind: 'playwright',
  summary:
    "a team's own Playwright test file run as a check: per-test results, traces, Web Vitals, sandboxed",
  settingsShape: playwrightSettingsShape,
  toSettings: toPlaywrightSettings,
  validate: validatePlaywright,
  describeTarget: (settings) => settings.tests,
  probe: probePlaywright,
  // A cap on runners at once across all its probes, and traces into the artifact store.
  thread: 'main',
  facts: [playwrightFacts],
  failureCodes: [
    'test_failed',
    'spec_error',
    'memory_exceeded',
    'sandbox_unavailable',
    'browser_unavailable',
  ],
  cli: {
    target: 'Playwright test file or folder',
    options: [
      {
        flags: '--allow-host <host>',
        description: 'playwright: a host the tests may reach',
        repeatable: true,
      },
      { flags: '--no-sandbox', description: 'playwright: run the tests without the bubblewrap sandbox' },
    ],
    keys: (target, options) => ({
      tests: resolve(target),
      ...(options.allowHost ? { allowed_hosts: options.allowHost } : {}),
      ...(options.baseUrl ? { base_url: options.baseUrl } : {}),
      ...(options.sandbox === false ? { sandbox: false } : {}),
    }),
  },
  dashboard: {
    phases: false,
    panels: [
      {
        title: 'Playwright: tests',
        type: 'timeseries',
        queries: [{ expr: 'prismwatch_playwright_test_success{probe="$probe"}', legend: '{{test}}' }],
        max: 1,
        description:
          'Each test of the file: 1 passed, 0 failed. The status page links the trace and screenshot of a failure.',
        emptyBecause: 'No tests: not a playwright probe',
      },
      {
        title: 'Playwright: test durations',
        type: 'timeseries',
        queries: [
          { expr: 'prismwatch_playwright_test_duration_seconds{probe="$probe"}', legend: '{{test}}' },
        ],
        unit: 's',
        emptyBecause: 'No tests: not a playwright probe',
      },
    ],
  },
  example: `- name: checkout-flow
  kind: playwright
  tests: checks/checkout.spec.ts
  base_url: https://shop.example.com
  interval: 5m
  timeout: 2m`,
});
