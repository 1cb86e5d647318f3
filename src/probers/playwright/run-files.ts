/**
 * A run's folder: the Playwright config prismwatch writes for it (one worker, no retries, the
 * run's deadline, the JSON report, traces and screenshots kept for failures, the system Chromium,
 * the proxy) and the `@playwright/test` shim that adds the Web Vitals fixture. Every value from
 * the probe's settings is written as a JSON literal, so no setting can become code.
 */
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CHROMIUM_PATH, CHROMIUM_SERVER_ARGS } from '../browser/pool.js';
import { readTimelineInPage } from '../browser/vitals.js';
import { hostPaths, type RunPaths } from './layout.js';
import { VITALS_ATTACHMENT } from './report.js';

export interface RunFilesOptions {
  /** The folder the tests are in, and the one file to run in it (undefined: every test file). */
  readonly testDir: string;
  readonly file?: string;
  /** Full titles of the tests to run (undefined: all). */
  readonly titles?: readonly string[];
  readonly timeoutMs: number;
  readonly baseUrl?: string;
  readonly ignoreHttpsErrors: boolean;
  readonly artifactsOnFailure: boolean;
}

/**
 * The browser kind's server flags (Playwright adds its own headless and sandbox flags), and QUIC
 * off so all of the page's traffic goes through the proxy.
 */
const CHROMIUM_ARGS = [
  ...CHROMIUM_SERVER_ARGS.filter((flag) => !flag.startsWith('--headless') && flag !== '--no-sandbox'),
  '--disable-quic',
];

const escapeRegExp = (text: string) => text.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&');

function configText(options: RunFilesOptions, inner: RunPaths): string {
  const json = JSON.stringify;
  const artifacts = options.artifactsOnFailure;
  // Playwright matches grep against "file title › title"; the titles are the user's own text,
  // escaped, so the expression is a plain alternation of literals.
  const grep =
    options.titles === undefined
      ? ''
      : `  grep: new RegExp(${json(options.titles.map((title) => escapeRegExp(title.replaceAll(' › ', ' '))).join('|') || '(?!)')}),\n`;
  const match = options.file
    ? `  testMatch: new RegExp(${json(`(^|/)${escapeRegExp(options.file)}$`)}),\n`
    : '';
  return `// Written by prismwatch for one run of a playwright probe.
const port = process.env.PRISMWATCH_PROXY_PORT;
export default {
  testDir: ${json(options.testDir)},
${match}${grep}  outputDir: ${json(inner.output)},
  workers: 1,
  retries: 0,
  fullyParallel: false,
  forbidOnly: false,
  timeout: ${json(options.timeoutMs)},
  globalTimeout: ${json(options.timeoutMs)},
  updateSnapshots: 'none',
  reporter: [['json', { outputFile: ${json(inner.report)} }]],
  use: {
${options.baseUrl ? `    baseURL: ${json(options.baseUrl)},\n` : ''}    ignoreHTTPSErrors: ${json(options.ignoreHttpsErrors)},
    trace: ${json(artifacts ? 'retain-on-failure' : 'off')},
    screenshot: ${json(artifacts ? 'only-on-failure' : 'off')},
    video: 'off',
    proxy: port ? { server: 'http://127.0.0.1:' + port, bypass: '<-loopback>' } : undefined,
    launchOptions: { executablePath: ${json(CHROMIUM_PATH)}, args: ${json(CHROMIUM_ARGS)} },
  },
};
`;
}

/** The shim: the real @playwright/test, whose `test` reads each page's timeline after the test. */
function shimText(inner: RunPaths): string {
  return `'use strict';
// Written by prismwatch: @playwright/test with a fixture that keeps each test's Web Vitals.
const real = require(${JSON.stringify(join(inner.modules, '@playwright', 'test'))});
const readTimeline = ${readTimelineInPage.toString()};
const test = real.test.extend({
  page: async ({ page }, use, testInfo) => {
    await use(page);
    if (page.isClosed()) return;
    let timer;
    const late = new Promise((resolve) => { timer = setTimeout(() => resolve(undefined), 2000); });
    try {
      const timeline = await Promise.race([page.evaluate(readTimeline).catch(() => undefined), late]);
      if (timeline) await testInfo.attach(${JSON.stringify(VITALS_ATTACHMENT)}, { body: JSON.stringify(timeline), contentType: 'application/json' });
    } finally {
      clearTimeout(timer);
    }
  },
});
module.exports = { ...real, test, default: test };
`;
}

/** Makes a run folder with its config and shim; the caller removes it. */
export function layOutRun(options: RunFilesOptions, inner: (runDir: string) => RunPaths): string {
  const runDir = mkdtempSync(join(tmpdir(), 'prismwatch-pw-'));
  const host = hostPaths(runDir);
  const shim = join(runDir, 'shim', 'node_modules', '@playwright', 'test');
  mkdirSync(shim, { recursive: true });
  mkdirSync(host.output, { recursive: true });
  const paths = inner(runDir);
  writeFileSync(host.config, configText(options, paths));
  writeFileSync(join(shim, 'package.json'), '{"name":"@playwright/test","main":"index.js"}\n');
  writeFileSync(join(shim, 'index.js'), shimText(paths));
  return runDir;
}
