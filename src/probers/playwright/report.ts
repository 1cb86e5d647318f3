/**
 * Playwright's JSON report read into prismwatch's terms: one entry per test with its status,
 * duration, the failing step and a short error, and where its screenshot, trace and Web Vitals
 * are. The report comes from a run of code the user wrote, so nothing in it is trusted: every
 * field is checked for its type, texts are cut and stripped of terminal colours, and counts are
 * bounded.
 */

export type TestStatus = 'passed' | 'failed' | 'timedOut' | 'skipped' | 'interrupted';

export interface ReportedTest {
  /** "describe › test", as Playwright shows it. */
  readonly title: string;
  /** The file, relative to the probe's test folder, and the test's line. */
  readonly file: string;
  readonly line: number;
  readonly status: TestStatus;
  readonly durationMs: number;
  /** The first line of the error, and where it was thrown ("checkout.spec.ts:14:7"). */
  readonly error?: string;
  readonly errorAt?: string;
  /** The innermost `test.step` that failed. */
  readonly step?: string;
  readonly screenshotPath?: string;
  readonly tracePath?: string;
  /** The page's raw performance timeline, as the vitals fixture attached it. */
  readonly timeline?: unknown;
}

/** An error outside any test: a file that does not compile, a failing `beforeAll`, no tests. */
export interface ReportedError {
  readonly message: string;
  readonly at?: string;
}

export interface ParsedReport {
  readonly tests: readonly ReportedTest[];
  readonly errors: readonly ReportedError[];
}

export const MAX_TESTS = 100;
const MAX_ERRORS = 10;
const MAX_TEXT = 400;
const MAX_DEPTH = 20;
export const VITALS_ATTACHMENT = 'prismwatch-vitals';

const ANSI = /\u001b\[[0-9;]*[A-Za-z]/g;

export function cleanText(text: string, limit = MAX_TEXT): string {
  const clean = text.replace(ANSI, '').trim();
  return clean.length > limit ? `${clean.slice(0, limit)}…` : clean;
}

type Json = Record<string, unknown>;
const isObject = (value: unknown): value is Json =>
  typeof value === 'object' && value !== null && !Array.isArray(value);
const list = (value: unknown): Json[] => (Array.isArray(value) ? value.filter(isObject) : []);
const text = (value: unknown): string | undefined => (typeof value === 'string' ? value : undefined);
const count = (value: unknown): number =>
  typeof value === 'number' && Number.isFinite(value) && value >= 0 ? value : 0;

function relative(file: string, testDir: string): string {
  const prefix = testDir.endsWith('/') ? testDir : `${testDir}/`;
  return file.startsWith(prefix) ? file.slice(prefix.length) : file;
}

function location(value: unknown, testDir: string): string | undefined {
  if (!isObject(value)) return undefined;
  const file = text(value.file);
  if (!file) return undefined;
  return `${cleanText(relative(file, testDir), 200)}:${count(value.line)}:${count(value.column)}`;
}

/** The first meaningful line of an error message ("Error: expect(locator).toHaveText(expected) failed"). */
function firstLine(message: string): string {
  const lines = cleanText(message, 4_000)
    .split('\n')
    .map((line) => line.trim())
    .filter(Boolean);
  return cleanText((lines[0] ?? 'failed').replace(/^Error: /, ''));
}

/** The deepest step with an error, by title ("look for bye"), skipping Playwright's own hooks. */
function failedStep(steps: unknown, depth = 0): string | undefined {
  if (depth > MAX_DEPTH) return undefined;
  for (const step of list(steps)) {
    if (!isObject(step.error)) continue;
    const inner = failedStep(step.steps, depth + 1);
    if (inner) return inner;
    const title = text(step.title);
    if (title && !/^(Before|After) Hooks$/.test(title)) return cleanText(title, 200);
  }
  return undefined;
}

function status(value: unknown): TestStatus {
  return value === 'passed' || value === 'timedOut' || value === 'skipped' || value === 'interrupted'
    ? value
    : 'failed';
}

function attachments(value: unknown): Pick<ReportedTest, 'screenshotPath' | 'tracePath' | 'timeline'> {
  const found: { screenshotPath?: string; tracePath?: string; timeline?: unknown } = {};
  for (const attachment of list(value).slice(0, 50)) {
    const name = text(attachment.name);
    const path = text(attachment.path);
    if (name === 'screenshot' && path && !found.screenshotPath) found.screenshotPath = path;
    else if (name === 'trace' && path && !found.tracePath) found.tracePath = path;
    else if (name === VITALS_ATTACHMENT && typeof attachment.body === 'string') {
      try {
        found.timeline = JSON.parse(Buffer.from(attachment.body, 'base64').toString('utf8'));
      } catch {
        // a body that is not the fixture's JSON is ignored: no vitals for this test
      }
    }
  }
  return found;
}

function testOf(spec: Json, titles: readonly string[], testDir: string): ReportedTest | undefined {
  const test = list(spec.tests)[0];
  if (!test) return undefined;
  const results = list(test.results);
  const result = results[results.length - 1];
  const title = [...titles, cleanText(text(spec.title) ?? '?', 200)].join(' › ');
  const file = cleanText(relative(text(spec.file) ?? '?', testDir), 200);
  const base = { title, file, line: count(spec.line) };
  // A listed test (--list) has no results yet; one skipped by the runner has a result "skipped".
  if (!result) return { ...base, status: test.status === 'skipped' ? 'skipped' : 'passed', durationMs: 0 };
  const error = isObject(result.error) ? result.error : list(result.errors)[0];
  const at = error ? location(error.location, testDir) : undefined;
  const step = failedStep(result.steps);
  return {
    ...base,
    status: status(result.status),
    durationMs: count(result.duration),
    ...(error ? { error: firstLine(text(error.message) ?? text(error.value) ?? 'failed') } : {}),
    ...(at ? { errorAt: at } : {}),
    ...(step ? { step } : {}),
    ...attachments(result.attachments),
  };
}

function walk(
  suite: Json,
  titles: readonly string[],
  testDir: string,
  into: ReportedTest[],
  depth: number,
): void {
  if (depth > MAX_DEPTH) return;
  for (const spec of list(suite.specs)) {
    if (into.length >= MAX_TESTS) return;
    const test = testOf(spec, titles, testDir);
    if (test) into.push(test);
  }
  for (const inner of list(suite.suites))
    walk(inner, [...titles, cleanText(text(inner.title) ?? '', 200)], testDir, into, depth + 1);
}

/** The report, or undefined when `raw` is not one (the run ended before writing it). */
export function parseReport(raw: unknown, testDir: string): ParsedReport | undefined {
  if (!isObject(raw) || !Array.isArray(raw.suites)) return undefined;
  const tests: ReportedTest[] = [];
  // Top-level suites are files: their title is the file's name, not part of a test's title.
  for (const file of list(raw.suites)) walk(file, [], testDir, tests, 0);
  // Playwright lists a file's own tests before its describe blocks': shown in the file's order.
  tests.sort((a, b) => (a.file === b.file ? a.line - b.line : a.file < b.file ? -1 : 1));
  const errors = list(raw.errors)
    .slice(0, MAX_ERRORS)
    .map((error) => {
      const at = location(error.location, testDir);
      return {
        message: firstLine(text(error.message) ?? text(error.value) ?? 'error'),
        ...(at ? { at } : {}),
      };
    });
  return { tests, errors };
}
