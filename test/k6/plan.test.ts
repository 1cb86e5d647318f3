/**
 * The k6 scripts: self-contained in k6/ (the npm package ships that folder and nothing they import
 * lies outside it), thresholds per endpoint that mirror the per-probe alert rules, and JavaScript
 * for k6 releases that cannot run TypeScript. The thresholds are proven on traffic by the undici
 * replay of the same plan (bench/k6-replay.ts): an endpoint at 7 % errors fails its own threshold
 * while the global error rate, diluted by two clean endpoints, stays under 5 %.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { describe, expect, it, onTestFinished } from 'vitest';
import { replayScript } from '../../bench/k6-replay.js';
import { PRISMAI_ENDPOINTS, PRISMWATCH_ENDPOINTS, thresholdsFor } from '../../k6/plan.js';

const scripts = readdirSync('k6').filter((file) => file.endsWith('.ts'));

function imports(file: string): string[] {
  const text = readFileSync(file, 'utf8');
  return [...text.matchAll(/^import\s[^'"]*['"]([^'"]+)['"]/gm)].map((match) => match[1]!);
}

describe('k6 scripts', () => {
  it('import only k6 modules and files beside them', () => {
    expect(scripts.sort()).toEqual(['plan.ts', 'prismai.ts', 'prismwatch.ts']);
    for (const script of scripts) {
      for (const specifier of imports(join('k6', script))) {
        if (specifier === 'k6' || specifier.startsWith('k6/')) continue;
        expect(specifier, `${script} imports ${specifier}`).toMatch(/^\.\/[\w-]+\.ts$/);
        expect(existsSync(join('k6', specifier))).toBe(true);
      }
    }
    expect(readFileSync('package.json', 'utf8')).toMatch(/"files": \[[^\]]*"k6"/);
  });

  it('hold every endpoint to its own error-rate and p95 thresholds', () => {
    for (const endpoints of [PRISMAI_ENDPOINTS, PRISMWATCH_ENDPOINTS]) {
      const thresholds = thresholdsFor(endpoints);
      for (const endpoint of endpoints) {
        expect(thresholds[`http_req_failed{endpoint:${endpoint.name}}`]).toEqual([
          `rate<${endpoint.maxErrorRate}`,
        ]);
        expect(thresholds[`http_req_duration{endpoint:${endpoint.name}}`]).toEqual([
          `p(95)<${endpoint.p95Ms}`,
        ]);
      }
      expect(Object.keys(thresholds).some((key) => !key.includes('{'))).toBe(false);
    }
    // The monitored service's lines are the checklist's: errors under 5 %, p95 under 2 s.
    for (const endpoint of PRISMAI_ENDPOINTS)
      expect([endpoint.maxErrorRate, endpoint.p95Ms]).toEqual([0.05, 2000]);
    expect(readFileSync('k6/prismai.ts', 'utf8')).toContain('thresholdsFor(PRISMAI_ENDPOINTS)');
    expect(readFileSync('k6/prismwatch.ts', 'utf8')).toContain('thresholdsFor(PRISMWATCH_ENDPOINTS)');
  });

  it('fail an endpoint at 7 % errors even when the others dilute it under 5 % overall', async () => {
    let apiRequests = 0;
    const server = createServer((req, res) => {
      // Every 14th API request fails: 7.1 %, as HighErrorRate would see it on that one probe.
      if (req.url === '/api/health' && ++apiRequests % 14 === 0) return res.writeHead(500).end('no');
      res.writeHead(200, { 'content-type': 'application/json' }).end('{}');
    });
    await new Promise<void>((done) => server.listen(0, '127.0.0.1', done));
    onTestFinished(() => new Promise<void>((done) => server.close(() => done())));
    const verdicts = await replayScript(
      {
        title: 'k6/prismai.ts with 7 % errors on /api/health',
        baseUrl: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
        endpoints: PRISMAI_ENDPOINTS,
        pauseMs: 0,
      },
      { stages: [{ duration: '5s', target: 4 }], out: () => {} },
    );
    const byName = Object.fromEntries(verdicts.map((verdict) => [verdict.endpoint, verdict]));
    // From 44 requests on, every 14th failing is at least 5 % whatever the count.
    expect(byName.api!.requests).toBeGreaterThanOrEqual(44);
    expect(byName.api!.pass).toBe(false);
    expect(byName.health!.pass).toBe(true);
    expect(byName.web!.pass).toBe(true);
    const total = verdicts.reduce((sum, verdict) => sum + verdict.requests, 0);
    const failed = verdicts.reduce((sum, verdict) => sum + verdict.errorRate * verdict.requests, 0);
    expect(failed / total).toBeLessThan(0.05);
  });

  it('compile to ES2017 JavaScript for k6 releases before 0.57 (npm run k6:js)', () => {
    const out = mkdtempSync(join(tmpdir(), 'prismwatch-k6-'));
    const tsc = resolve('node_modules/typescript/bin/tsc');
    const run = spawnSync(process.execPath, [tsc, '-p', 'k6/tsconfig.legacy.json', '--outDir', out], {
      encoding: 'utf8',
    });
    expect(run.stdout + run.stderr).toBe('');
    for (const script of ['prismai.js', 'prismwatch.js']) {
      const text = readFileSync(join(out, script), 'utf8');
      // Babel in older k6 rejects ?? and ?.; TypeScript syntax must be gone.
      expect(text).not.toMatch(/\?\?|\?\.|: Options/);
      for (const specifier of imports(join(out, script))) {
        if (specifier === 'k6' || specifier.startsWith('k6/')) continue;
        expect(existsSync(join(dirname(join(out, script)), specifier)), specifier).toBe(true);
      }
    }
  });
});
