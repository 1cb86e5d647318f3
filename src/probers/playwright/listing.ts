/**
 * What a playwright probe would run, found when the config is loaded: Playwright lists the tests
 * (`--list`, in the same sandbox as a run, since listing executes the files' top level), so a file
 * that does not compile, or a grep that selects nothing, is a config error naming the probe's key
 * and the test file's line. Listings are kept per folder content (names, sizes, times), so a
 * reload whose test files did not change does not list again.
 */
import { spawnSync } from 'node:child_process';
import { readdirSync, rmSync, statSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { innerPaths } from './layout.js';
import { cleanText, parseReport, type ReportedError } from './report.js';
import { layOutRun } from './run-files.js';
import { readReport } from './runner.js';
import { runCommand } from './sandbox.js';

const LIST_TIMEOUT_MS = 60_000;
const MAX_FILES = 2_000;
const MAX_DEPTH = 8;

export interface TestTarget {
  readonly testDir: string;
  /** The one file to run, by name in testDir; undefined: every test file in the folder. */
  readonly file?: string;
}

export interface Listing {
  /** Every test's full title ("describe › test"), in file order. */
  readonly titles: readonly string[];
  readonly errors: readonly ReportedError[];
}

/** The folder and file a `tests:` path names, or why it names none. */
export function testTarget(tests: string): TestTarget | string {
  try {
    const stat = statSync(tests);
    if (stat.isDirectory()) return { testDir: tests };
    if (stat.isFile()) return { testDir: dirname(tests), file: basename(tests) };
    return `${tests} is neither a file nor a folder`;
  } catch {
    return `no such test file or folder: ${tests}`;
  }
}

/** Names, sizes and times of the files under `dir`: what a listing depends on. */
function fingerprint(dir: string): string {
  const parts: string[] = [];
  const walk = (folder: string, depth: number) => {
    if (depth > MAX_DEPTH || parts.length >= MAX_FILES) return;
    let entries: string[];
    try {
      entries = readdirSync(folder).sort();
    } catch {
      return;
    }
    for (const entry of entries) {
      if (entry === 'node_modules' || entry.startsWith('.') || parts.length >= MAX_FILES) continue;
      const path = join(folder, entry);
      try {
        const stat = statSync(path);
        if (stat.isDirectory()) walk(path, depth + 1);
        else parts.push(`${path}:${stat.size}:${stat.mtimeMs}`);
      } catch {
        // gone meanwhile
      }
    }
  };
  walk(dir, 0);
  return parts.join('\n');
}

const cache = new Map<string, { fingerprint: string; listing: Listing | string }>();

/** The tests of `target` as Playwright lists them, or why they could not be listed. */
export function listTests(target: TestTarget, sandboxed: boolean): Listing | string {
  const key = `${sandboxed}:${target.testDir}:${target.file ?? ''}`;
  const print = fingerprint(target.testDir);
  const known = cache.get(key);
  if (known && known.fingerprint === print) return known.listing;
  const listing = listNow(target, sandboxed);
  cache.set(key, { fingerprint: print, listing });
  return listing;
}

function listNow(target: TestTarget, sandboxed: boolean): Listing | string {
  let runDir: string | undefined;
  try {
    runDir = layOutRun(
      {
        testDir: target.testDir,
        ...(target.file ? { file: target.file } : {}),
        timeoutMs: LIST_TIMEOUT_MS,
        ignoreHttpsErrors: false,
        artifactsOnFailure: false,
      },
      (dir) => innerPaths(dir, sandboxed),
    );
    const command = runCommand(runDir, target.testDir, sandboxed, {}, ['--list']);
    const listed = spawnSync(command.command, [...command.args], {
      env: command.env,
      timeout: LIST_TIMEOUT_MS,
      killSignal: 'SIGKILL',
      maxBuffer: 4 * 1024 * 1024,
      encoding: 'utf8',
    });
    const report = parseReport(readReport(join(runDir, 'report.json')), target.testDir);
    if (!report) {
      const said = cleanText(
        `${listed.stderr ?? ''}\n${listed.stdout ?? ''}`.trim().split('\n').slice(-3).join(' '),
      );
      if (listed.error) return `Playwright could not list the tests: ${listed.error.message}`;
      return `Playwright could not list the tests (exit ${listed.status ?? listed.signal}): ${said || 'no output'}`;
    }
    return { titles: report.tests.map((test) => test.title), errors: report.errors };
  } catch (error) {
    return (error as Error).message;
  } finally {
    if (runDir) rmSync(runDir, { recursive: true, force: true });
  }
}
