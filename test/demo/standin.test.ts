/** The demo's PrismAI stand-in: its switches do exactly what they say, and the demo config is valid. */
import { describe, expect, it, onTestFinished } from 'vitest';
import { startStandIn } from '../../src/demo/standin.js';
import { runCli } from '../helpers/cli.js';

async function standIn() {
  const standin = await startStandIn();
  onTestFinished(() => standin.close());
  return standin;
}

describe('PrismAI stand-in', () => {
  it('fails exactly the configured share of requests, evenly spread', async () => {
    const standin = await standIn();
    await fetch(`${standin.url}/-/chaos`, { method: 'POST', body: JSON.stringify({ errorRate: 0.07 }) });
    const statuses: number[] = [];
    for (let i = 0; i < 100; i++) statuses.push((await fetch(`${standin.url}/api/health`)).status);
    expect(statuses.filter((status) => status === 500)).toHaveLength(7);
    expect(statuses.slice(0, 15).filter((status) => status === 500)).toHaveLength(1);
    expect(statuses.slice(0, 30).filter((status) => status === 500)).toHaveLength(2);
  });

  it('keeps its account endpoint behind authentication: 401 and a challenge without credentials', async () => {
    const standin = await standIn();
    const anonymous = await fetch(`${standin.url}/api/me`);
    expect(anonymous.status).toBe(401);
    expect(anonymous.headers.get('www-authenticate')).toBe('Bearer realm="prismai"');
    expect((await fetch(`${standin.url}/api/me`, { headers: { authorization: 'Bearer t' } })).status).toBe(
      200,
    );
    // The shipped probe accepts exactly that.
    const probe = await runCli(['probe', `${standin.url}/api/me`, '-s', '401']);
    expect(probe.code).toBe(0);
  });

  it('adds latency, drops security headers, goes down and comes back', async () => {
    const standin = await standIn();
    const healthy = await fetch(`${standin.url}/`);
    expect(healthy.headers.get('content-security-policy')).toContain("default-src 'self'");
    expect(healthy.headers.get('x-ratelimit-limit')).toBeNull();
    expect((await fetch(`${standin.url}/api/x`)).headers.get('x-ratelimit-limit')).toBe('600');

    await fetch(`${standin.url}/-/chaos`, {
      method: 'POST',
      body: JSON.stringify({ latencyMs: 200, headers: false }),
    });
    const started = performance.now();
    const slow = await fetch(`${standin.url}/`);
    expect(performance.now() - started).toBeGreaterThanOrEqual(190);
    expect(slow.headers.get('content-security-policy')).toBeNull();

    await fetch(`${standin.url}/-/chaos`, {
      method: 'POST',
      body: JSON.stringify({ down: true, latencyMs: 0 }),
    });
    expect((await fetch(`${standin.url}/health`)).status).toBe(503);
    const reset = await fetch(`${standin.url}/-/chaos/reset`, { method: 'POST' });
    expect(await reset.json()).toEqual({ errorRate: 0, latencyMs: 0, headers: true, down: false });
    expect((await fetch(`${standin.url}/health`)).status).toBe(200);
  });

  it('ships a valid demo config', async () => {
    const result = await runCli(['check', 'demo/config']);
    expect(result.stdout).toContain('OK: 1 file(s), 4 probe(s)');
    expect(result.code).toBe(0);
  });
});
