import { describe, expect, it } from 'vitest';
import { probe } from '../helpers/probe.js';
import { withHttpServer } from '../helpers/servers.js';

/** A loopback API with a fixed window: `limit` requests, then 429 with Retry-After. */
async function limitedApi(limit: number, dialect: 'ietf' | 'x' = 'x') {
  let used = 0;
  return withHttpServer((_req, res) => {
    used += 1;
    const remaining = Math.max(0, limit - used);
    if (dialect === 'ietf') {
      res.setHeader('ratelimit', `"default";r=${remaining};t=30`);
      res.setHeader('ratelimit-policy', `"default";q=${limit};w=60`);
    } else {
      res.setHeader('x-ratelimit-limit', String(limit));
      res.setHeader('x-ratelimit-remaining', String(remaining));
      res.setHeader('x-ratelimit-reset', '30');
    }
    if (used > limit) res.writeHead(429, { 'retry-after': '30' }).end();
    else res.end('ok');
  });
}

describe('rate_limit prober', () => {
  it('reads the remaining share from the headers', async () => {
    const api = await limitedApi(100, 'ietf');
    const result = await probe({ kind: 'rate_limit', url: `${api.url}/v1/models` });
    expect(result.failure).toBeUndefined();
    expect(result.facts.rateLimit).toMatchObject({
      dialect: 'ietf',
      limit: 100,
      remaining: 99,
      remainingRatio: 0.99,
      limited: false,
    });
  });

  it('fails past min_remaining_ratio, saying how much is left', async () => {
    const api = await limitedApi(10);
    const result = await probe({ kind: 'rate_limit', url: api.url, min_remaining_ratio: 0.95 });
    expect(result.failure).toEqual({
      code: 'threshold_exceeded',
      message: '90% of the rate limit left (9 of 10), below 95%',
    });
  });

  it('reports a 429 with its Retry-After', async () => {
    const api = await limitedApi(0);
    const result = await probe({ kind: 'rate_limit', url: api.url });
    expect(result.failure).toEqual({
      code: 'threshold_exceeded',
      message: `rate limited: ${api.url}/ answered 429; Retry-After 30s`,
    });
    expect(result.facts.rateLimit).toMatchObject({ limited: true, retryAfterSeconds: 30 });
  });

  it('burst: passes when the API starts answering 429, stopping there', async () => {
    const api = await limitedApi(5);
    const result = await probe({ kind: 'rate_limit', url: api.url, burst: { requests: 50 } });
    expect(result.failure).toBeUndefined();
    expect(result.facts.rateLimit).toMatchObject({ burstSent: 6, burstLimitedAfter: 5 });
    expect(api.requests).toHaveLength(6);
  });

  it('burst: fails when N requests never meet a limit, and sends no more than N', async () => {
    const api = await withHttpServer((_req, res) => res.end('unlimited'));
    const result = await probe({ kind: 'rate_limit', url: api.url, burst: { requests: 20 } });
    expect(result.failure).toEqual({
      code: 'assertion_failed',
      message: `no 429 after 20 requests to ${api.url}/: rate limiting does not look enabled`,
    });
    expect(api.requests).toHaveLength(20);
  });

  it('caps the burst size at load time', async () => {
    await expect(
      probe({ kind: 'rate_limit', url: 'http://127.0.0.1:1/', burst: { requests: 10_000 } }),
    ).rejects.toThrow();
  });
});
