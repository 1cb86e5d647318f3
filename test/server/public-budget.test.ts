/**
 * Unauthenticated routes (pings, the status page, artifacts) have a budget: a per-source rate and
 * a cap in flight. A flood from one address gets 429 with Retry-After and is counted, while
 * /metrics, /-/healthy and the probes carry on.
 */
import { describe, expect, it } from 'vitest';
import { RequestBudget } from '../../src/server/budgets.js';
import { configDir } from '../helpers/config-dir.js';
import { startDaemon } from '../helpers/daemon.js';
import { eventually, sample } from '../helpers/metrics.js';
import { withHttpServer } from '../helpers/servers.js';

describe('the public budget', () => {
  it('refuses a source past its rate and refills it over time', () => {
    let now = 0;
    const budget = new RequestBudget({ ratePerSecond: 2, burst: 3, maxInFlight: 10 }, () => now);
    const taken = [1, 2, 3].map(() => budget.take('a'));
    expect(taken.every((release) => typeof release === 'function')).toBe(true);
    expect(budget.take('a')).toEqual({ reason: 'rate', retryAfterSeconds: 1 });
    expect(typeof budget.take('b')).toBe('function'); // another source has its own bucket
    now += 500;
    expect(typeof budget.take('a')).toBe('function');
  });

  it('caps requests in flight across sources, and releases them once', () => {
    const budget = new RequestBudget({ ratePerSecond: 100, burst: 100, maxInFlight: 2 });
    const first = budget.take('a') as () => void;
    budget.take('b');
    expect(budget.take('c')).toEqual({ reason: 'concurrency', retryAfterSeconds: 1 });
    first();
    first();
    expect(budget.active).toBe(1);
    expect(typeof budget.take('c')).toBe('function');
  });

  it('turns a ping flood away with 429 while metrics, health and probes carry on', async () => {
    const target = await withHttpServer((_req, res) => res.end('ok'));
    const dir = configDir();
    dir.write('p.yaml', `probes:\n  - { name: web, kind: http, url: "${target.url}/", interval: 200ms }\n`);
    const { daemon, scrape } = await startDaemon(dir.path, {
      logLevel: 'silent',
      publicBudget: { ratePerSecond: 5, burst: 10, maxInFlight: 64 },
    });
    const runs = async () =>
      sample(await scrape(), 'prismwatch_probe_runs_total', { probe: 'web', result: 'success' }) ?? 0;
    const before = await runs();
    const answers = await Promise.all(
      Array.from({ length: 200 }, () =>
        fetch(`${daemon.baseUrl}/ping/no-such-token`).then(async (response) => {
          await response.arrayBuffer();
          return { status: response.status, retryAfter: response.headers.get('retry-after') };
        }),
      ),
    );
    const limited = answers.filter((answer) => answer.status === 429);
    expect(limited.length).toBeGreaterThan(150);
    expect(limited.every((answer) => Number(answer.retryAfter) >= 1)).toBe(true);
    expect((await fetch(`${daemon.baseUrl}/-/healthy`)).status).toBe(200);
    const text = await scrape();
    expect(sample(text, 'prismwatch_http_requests_limited_total', { reason: 'rate' })).toBe(limited.length);
    await eventually(async () => ((await runs()) > before ? true : undefined));
  });
});
