/**
 * The browser kind in Debian's headless Chromium against a loopback page with a slow image, a
 * console error and a missing script. In CI Chromium must be there: a silent skip would hide a
 * missing install step.
 */
import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import type { ProbeResult } from '../../src/model/probe.js';
import { CHROMIUM_PATH } from '../../src/probers/browser/pool.js';
import { shutdownProbers } from '../../src/probers/index.js';
import { runProbe } from '../../src/probers/run-probe.js';
import { Artifacts } from '../../src/results/artifacts.js';
import { runCli } from '../helpers/cli.js';
import { captureLog } from '../helpers/log.js';
import { specFrom } from '../helpers/probe.js';
import { refusedPort, withHttpServer } from '../helpers/servers.js';
import { withWebPage } from '../helpers/web-page.js';

const available = existsSync(CHROMIUM_PATH);
afterAll(() => shutdownProbers());

function browse(raw: Record<string, unknown>, artifacts?: Artifacts): Promise<ProbeResult> {
  return runProbe(specFrom({ kind: 'browser', timeout: '20s', ...raw }), {
    log: captureLog().log,
    artifacts,
  });
}

describe('browser prober', () => {
  it('is installed in CI (Debian chromium)', () => {
    if (process.env.CI === 'true')
      expect(available, `${CHROMIUM_PATH} is missing: .ci/run must install chromium`).toBe(true);
  });

  it.runIf(available)(
    'loads a page: Web Vitals, the late image as LCP, console errors and failed requests',
    async () => {
      const site = await withWebPage(600);
      const result = await browse({ url: `${site.url}/` });
      expect(result.failure).toBeUndefined();
      const facts = result.facts.browser!;
      expect(facts.statusCode).toBe(200);
      expect(facts.vitals.lcp).toBeGreaterThanOrEqual(0.55);
      expect(facts.vitals.fcp).toBeGreaterThan(0);
      expect(facts.vitals.ttfb).toBeGreaterThan(0);
      expect(facts.vitals.cls).toBeGreaterThanOrEqual(0);
      // Chromium's own "Failed to load resource" lines are left out: the failed request is listed.
      expect(facts.consoleErrors).toEqual(['boom: widget failed to initialise']);
      expect(facts.failedRequests).toEqual([{ url: `${site.url}/missing.js`, status: 404 }]);
      expect(facts.requests).toBeGreaterThanOrEqual(3);
      expect(result.phases.processing).toBeGreaterThan(0);
    },
    60_000,
  );

  it.runIf(available)(
    'fails on console errors when asked, and keeps a screenshot of the failed load',
    async () => {
      const site = await withWebPage(50);
      const dir = mkdtempSync(join(tmpdir(), 'artifacts-'));
      const artifacts = new Artifacts(dir);
      const result = await browse({ url: `${site.url}/`, fail_on_console_errors: true }, artifacts);
      expect(result.failure).toMatchObject({ code: 'console_error' });
      expect(result.failure!.message).toMatch(
        /^1 console error\(s\), first: boom: widget failed to initialise$/,
      );
      const shot = result.facts.browser!.screenshot!;
      expect(shot).toMatch(/^\/artifacts\/test--\d+-\d{3}-failure\.png$/);
      expect(artifacts.read(shot)!.subarray(1, 4).toString()).toBe('PNG');
      expect(readFileSync(join(dir, shot.slice('/artifacts/'.length))).length).toBeGreaterThan(1_000);
    },
    60_000,
  );

  it.runIf(available)(
    'runs declarative steps: a click reveals text (INP measured), a missing element fails the step',
    async () => {
      const site = await withWebPage(50);
      const passed = await browse({
        url: `${site.url}/`,
        steps: [{ click: '#greet' }, { expect_text: 'Welcome back' }],
      });
      expect(passed.failure).toBeUndefined();
      expect(passed.facts.browser!.vitals.inp).toBeGreaterThan(0);
      const failed = await browse({
        url: `${site.url}/`,
        timeout: '3s',
        steps: [{ wait_for: '#dashboard' }],
      });
      expect(failed.failure).toMatchObject({ code: 'browser_step_failed' });
      expect(failed.failure!.message).toMatch(/^step 1 \(wait_for #dashboard\): /);
    },
    60_000,
  );

  it.runIf(available)(
    'says why a load failed: a status, a limit, a refused connection',
    async () => {
      const site = await withWebPage(400);
      const down = await browse({ url: `${site.url}/down` });
      expect(down.failure).toEqual({ code: 'status_mismatch', message: 'expected status 200-399, got 503' });
      const slow = await browse({ url: `${site.url}/`, max_lcp: '100ms' });
      expect(slow.failure?.code).toBe('threshold_exceeded');
      expect(slow.failure!.message).toMatch(/^LCP \d+\.\d\d s is over the limit of 0\.10 s$/);
      const refused = await browse({ url: `http://127.0.0.1:${await refusedPort()}/` });
      expect(refused.failure?.code).toBe('connect_refused');
    },
    60_000,
  );

  it.runIf(available)(
    "probe --screenshot-dir prints the file it wrote, not the daemon's URL path",
    async () => {
      const site = await withWebPage(50);
      const dir = mkdtempSync(join(tmpdir(), 'prismwatch-shots-'));
      const result = await runCli([
        'probe',
        '--kind',
        'browser',
        `${site.url}/down`,
        '--screenshot-dir',
        dir,
      ]);
      expect(result.code).toBe(1);
      const file = new RegExp(`screenshot +(${dir.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}/\\S+\\.png)`).exec(
        result.stdout,
      )?.[1];
      expect(file, result.stdout).toBeDefined();
      expect(existsSync(file!)).toBe(true);
    },
    60_000,
  );

  it('says plainly when Chromium is not installed', async () => {
    const result = await runCli(['probe', '--kind', 'browser', 'http://127.0.0.1:1/'], {
      PRISMWATCH_CHROMIUM: '/nonexistent/chromium',
    });
    expect(result.code).toBe(1);
    expect(result.stdout).toContain(
      'browser_unavailable: Chromium is not installed at /nonexistent/chromium: apt-get install chromium (Debian), or set PRISMWATCH_CHROMIUM to its path',
    );
  });

  it.runIf(available)(
    'calls a page whose script never yields a timeout, not an internal or connection error',
    async () => {
      const hostile = await withHttpServer((_req, res) =>
        res
          .writeHead(200, { 'content-type': 'text/html' })
          .end('<title>x</title><script>for (;;) {}</script>'),
      );
      const result = await browse({ url: `${hostile.url}/`, timeout: '4s', screenshot_on_failure: false });
      expect(result.failure?.code, result.failure?.message).toBe('timeout');
    },
    240_000,
  );
});
