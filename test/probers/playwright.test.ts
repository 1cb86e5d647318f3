/**
 * The playwright kind end to end: a real spec file run by @playwright/test in the bubblewrap
 * sandbox against Debian's Chromium and a loopback site. In CI bubblewrap and Chromium must be
 * there: a silent skip would hide a missing install step.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it, onTestFinished } from 'vitest';
import { loadConfig } from '../../src/config/load.js';
import { ConfigError } from '../../src/errors.js';
import type { ProbeResult } from '../../src/model/probe.js';
import { CHROMIUM_PATH } from '../../src/probers/browser/pool.js';
import { shutdownProbers } from '../../src/probers/index.js';
import { findBwrap } from '../../src/probers/playwright/sandbox.js';
import { runProbe } from '../../src/probers/run-probe.js';
import { Artifacts } from '../../src/results/artifacts.js';
import { configDir } from '../helpers/config-dir.js';
import { startDaemon } from '../helpers/daemon.js';
import { captureLog } from '../helpers/log.js';
import { eventually } from '../helpers/metrics.js';
import { specFrom } from '../helpers/probe.js';
import { withHttpServer } from '../helpers/servers.js';
import { withWebPage } from '../helpers/web-page.js';

const available =
  findBwrap() !== null &&
  (() => {
    try {
      return readFileSync(CHROMIUM_PATH).length > 0;
    } catch {
      return false;
    }
  })();
afterAll(() => shutdownProbers());

function testFolder(files: Record<string, string>): string {
  const dir = mkdtempSync(join(tmpdir(), 'prismwatch-specs-'));
  onTestFinished(() => rmSync(dir, { recursive: true, force: true }));
  for (const [name, text] of Object.entries(files)) writeFileSync(join(dir, name), text);
  return dir;
}

function play(raw: Record<string, unknown>, artifacts?: Artifacts): Promise<ProbeResult> {
  return runProbe(specFrom({ kind: 'playwright', timeout: '90s', ...raw }), {
    log: captureLog().log,
    ...(artifacts ? { artifacts } : {}),
  });
}

const SHOP_SPEC = `import { test, expect } from '@playwright/test';

test.describe('shop', () => {
  test('home shows the brand', async ({ page }) => {
    await page.goto('/');
    await expect(page.locator('h1')).toHaveText('PrismAI');
    await page.click('#greet');
    await expect(page.locator('#hello')).toBeVisible();
  });

  test('checkout button exists', async ({ page }) => {
    await page.goto('/');
    await test.step('find the checkout button', async () => {
      await expect(page.locator('#checkout')).toBeVisible({ timeout: 1500 });
    });
  });
});

test('skipped one', async () => {
  test.skip(true, 'not today');
});
`;

describe('playwright prober', () => {
  it('has bubblewrap and Chromium in CI', () => {
    if (process.env.CI === 'true') {
      expect(findBwrap(), '.ci/run must install bubblewrap').not.toBeNull();
      expect(available, `${CHROMIUM_PATH} is missing: .ci/run must install chromium`).toBe(true);
    }
  });

  it.runIf(available)(
    'runs a spec file: each test with its outcome, failing step, Web Vitals, screenshot and trace',
    async () => {
      const site = await withWebPage(300);
      const dir = testFolder({ 'shop.spec.ts': SHOP_SPEC });
      const artifacts = new Artifacts(undefined);
      const result = await play({ tests: join(dir, 'shop.spec.ts'), base_url: site.url }, artifacts);
      expect(result.ok).toBe(false);
      expect(result.failure?.code).toBe('test_failed');
      expect(result.failure?.message).toContain(
        '1 of 2 test(s) failed; shop › checkout button exists (shop.spec.ts:11) at step "find the checkout button"',
      );
      const facts = result.facts.playwright!;
      expect({ passed: facts.passed, failed: facts.failed, skipped: facts.skipped }).toEqual({
        passed: 1,
        failed: 1,
        skipped: 1,
      });
      const [home, checkout, skipped] = facts.tests;
      expect(home).toMatchObject({
        title: 'shop › home shows the brand',
        file: 'shop.spec.ts',
        line: 4,
        status: 'passed',
      });
      expect(home!.durationMs).toBeGreaterThan(0);
      // The late hero image is the page's LCP, read by the fixture the shim adds; the click is INP.
      expect(home!.vitals?.lcp).toBeGreaterThan(0.25);
      expect(home!.vitals?.inp).toBeGreaterThanOrEqual(0);
      expect(checkout).toMatchObject({
        status: 'failed',
        step: 'find the checkout button',
        errorAt: 'shop.spec.ts:14:47',
      });
      expect(checkout!.error).toMatch(/toBeVisible/);
      expect(skipped).toMatchObject({ title: 'skipped one', status: 'skipped' });
      // The failure's screenshot (PNG) and trace (a zip) are in the artifact store.
      expect(checkout!.screenshot).toMatch(/^\/artifacts\/test--.*\.png$/);
      // The trace (request headers, typed values) is served only under the API, with the token.
      expect(checkout!.trace).toMatch(/^\/api\/v1\/artifacts\/test--.*-trace\.zip$/);
      expect(artifacts.read(checkout!.screenshot!)!.subarray(1, 4).toString()).toBe('PNG');
      expect(artifacts.read(checkout!.trace!.slice('/api/v1'.length))!.subarray(0, 2).toString()).toBe('PK');
      expect(facts.peakMemoryBytes).toBeGreaterThan(10 * 1024 * 1024);
    },
    180_000,
  );

  it.runIf(available)(
    'isolates a run: no files outside its folder, no network but the allowed hosts, only its own environment',
    async () => {
      const site = await withWebPage(0);
      const secrets = testFolder({ 'token.txt': 'hunter2' });
      const dir = testFolder({
        'escape.spec.ts': `import { test, expect } from '@playwright/test';
import { readFileSync } from 'node:fs';

test('cannot read outside its folder', async () => {
  expect(() => readFileSync(process.env.SECRET_FILE!, 'utf8')).toThrow(/ENOENT/);
  expect(() => readFileSync('/etc/shadow', 'utf8')).toThrow(/ENOENT/);
  expect(process.env.PRISMWATCH_SECRET).toBeUndefined();
  expect(process.env.GREETING).toBe('hello');
});

test('cannot reach the network itself', async () => {
  await expect(fetch(process.env.SITE!)).rejects.toThrow();
});

test('the browser reaches only allowed hosts', async ({ page }) => {
  await page.goto(process.env.SITE!);
  const blocked = await page.goto(process.env.SITE!.replace('127.0.0.1', 'localhost'));
  expect(blocked?.status()).toBe(403);
});
`,
      });
      process.env.PRISMWATCH_SECRET = 'not-for-tests';
      onTestFinished(() => {
        delete process.env.PRISMWATCH_SECRET;
      });
      const result = await play({
        tests: dir,
        allowed_hosts: ['127.0.0.1'],
        env: { SECRET_FILE: join(secrets, 'token.txt'), GREETING: 'hello', SITE: `${site.url}/` },
      });
      expect(result.failure, JSON.stringify(result.facts.playwright?.tests)).toBeUndefined();
      expect(result.facts.playwright?.passed).toBe(3);
      expect(result.facts.playwright?.refusedHosts).toEqual(['localhost']);
    },
    180_000,
  );

  it.runIf(available)(
    'stops a run over its memory limit, and one past its timeout',
    async () => {
      const dir = testFolder({
        'hog.spec.ts': `import { test } from '@playwright/test';
test('eats memory', async () => {
  const kept: Buffer[] = [];
  for (;;) {
    kept.push(Buffer.alloc(16 * 1024 * 1024, 1));
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
});
`,
        'stall.spec.ts': `import { test } from '@playwright/test';
test('never ends', async () => {
  await new Promise(() => {});
});
`,
      });
      const hog = await play({
        tests: join(dir, 'hog.spec.ts'),
        allowed_hosts: ['127.0.0.1'],
        max_memory: '256MiB',
      });
      expect(hog.failure?.code).toBe('memory_exceeded');
      expect(hog.failure?.message).toMatch(/over max_memory 256 MiB: stopped/);
      const stall = await play({
        tests: join(dir, 'stall.spec.ts'),
        allowed_hosts: ['127.0.0.1'],
        timeout: '8s',
      });
      expect(['timeout', 'test_failed']).toContain(stall.failure?.code);
      expect(stall.failure?.message).toMatch(/timed out|timeout/);
    },
    180_000,
  );

  it.runIf(available)(
    'refuses a config whose test file does not compile, naming the file, the line and the key',
    () => {
      const specs = testFolder({
        'broken.spec.ts': `import { test } from '@playwright/test';\n\ntest('x', async () => {\n  const a = ;\n});\n`,
      });
      const dir = configDir();
      dir.write(
        'p.yaml',
        `probes:
  - name: checkout
    kind: playwright
    tests: ${join(specs, 'broken.spec.ts')}
    allowed_hosts: [shop.example.com]
`,
      );
      let error: unknown;
      try {
        loadConfig([dir.path], {});
      } catch (caught) {
        error = caught;
      }
      expect(error).toBeInstanceOf(ConfigError);
      const message = (error as Error).message;
      expect(message).toContain(`${join(dir.path, 'p.yaml')}:4`);
      expect(message).toContain('probes[0].tests');
      expect(message).toContain(`${join(specs, 'broken.spec.ts')}:4:`);
      expect(message).toMatch(/Unexpected token|SyntaxError/);
    },
    120_000,
  );

  it.runIf(available)(
    'selects tests by an RE2 grep on their titles, and refuses one that selects none',
    async () => {
      const site = await withWebPage(0);
      const dir = testFolder({ 'shop.spec.ts': SHOP_SPEC });
      const only = await play({ tests: dir, base_url: site.url, grep: 'brand$' });
      expect(only.failure).toBeUndefined();
      expect(only.facts.playwright?.tests.map((test) => test.title)).toEqual(['shop › home shows the brand']);
      const config = configDir();
      config.write(
        'p.yaml',
        `probes:\n  - { name: shop, kind: playwright, tests: ${dir}, base_url: ${site.url}, grep: "^refunds" }\n`,
      );
      expect(() => loadConfig([config.path], {})).toThrow(/probes\[0\]\.grep.*matches none of the 3 tests/s);
    },
    180_000,
  );

  it.runIf(available)(
    'in the daemon: the status page links the screenshot; the trace is served only with the token',
    async () => {
      const site = await withWebPage(0);
      const specs = testFolder({ 'shop.spec.ts': SHOP_SPEC });
      const dir = configDir();
      dir.write(
        'p.yaml',
        `probes:\n  - { name: shop, kind: playwright, tests: ${specs}, base_url: ${site.url}, interval: 1h, timeout: 90s }\n`,
      );
      const token = 'playwright-test-token-0123456789';
      const { daemon } = await startDaemon(dir.path, { apiToken: token });
      const links = await eventually(async () => {
        const probes = (await (await fetch(`${daemon.baseUrl}/api/v1/probes`)).json()) as Array<{
          lastRun?: { artifacts?: string[] };
        }>;
        const artifacts = probes[0]?.lastRun?.artifacts ?? [];
        return artifacts.length >= 2 ? artifacts : undefined;
      }, 150_000);
      const failed = {
        screenshot: links.find((link) => link.endsWith('.png'))!,
        trace: links.find((link) => link.endsWith('-trace.zip'))!,
      };
      expect(failed.trace).toMatch(/^\/api\/v1\/artifacts\//);
      const page = await (await fetch(`${daemon.baseUrl}/`)).text();
      expect(page).toContain(`href="${failed.screenshot}"`);
      expect(page).not.toContain('trace.zip');
      const shot = await fetch(`${daemon.baseUrl}${failed.screenshot}`);
      expect(shot.headers.get('content-type')).toBe('image/png');
      const publicTrace = await fetch(`${daemon.baseUrl}${failed.trace!.slice('/api/v1'.length)}`);
      expect(publicTrace.status).toBe(404);
      await publicTrace.text();
      expect((await fetch(`${daemon.baseUrl}${failed.trace}`)).status).toBe(401);
      const trace = await fetch(`${daemon.baseUrl}${failed.trace}`, {
        headers: { authorization: `Bearer ${token}` },
      });
      expect(trace.status).toBe(200);
      expect(trace.headers.get('content-type')).toBe('application/zip');
      expect(
        Buffer.from(await trace.arrayBuffer())
          .subarray(0, 2)
          .toString(),
      ).toBe('PK');
    },
    240_000,
  );

  it.runIf(available)(
    'the shipped example (probes/examples/playwright.yaml) passes against a storefront that works',
    async () => {
      const site = await withHttpServer((req, res) => {
        res.writeHead(200, { 'content-type': 'text/html' });
        if (req.url === '/login')
          return res.end(
            '<form onsubmit="event.preventDefault(); document.getElementById(\'sent\').hidden = false"><input type="email"><button>Continue</button></form><p id="sent" hidden>Check your inbox</p>',
          );
        res.end('<h1>PrismAI</h1>');
      });
      const config = loadConfig(['probes/examples/playwright.yaml'], { PRISM_PUBLIC_URL: site.url });
      const spec = config.probes.find((probe) => probe.kind === 'playwright')!;
      const result = await runProbe(spec, { log: captureLog().log });
      expect(result.failure, JSON.stringify(result.facts.playwright?.tests)).toBeUndefined();
      expect(result.facts.playwright?.tests.map((test) => test.title)).toEqual([
        'storefront › home page shows the product',
        'storefront › sign-in form answers',
      ]);
    },
    180_000,
  );
});
