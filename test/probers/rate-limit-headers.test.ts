import { describe, expect, it } from 'vitest';
import { parseRateLimitHeaders } from '../../src/probers/rate_limit/headers.js';

const NOW = Date.UTC(2026, 10, 28, 12, 0, 0);

describe('parseRateLimitHeaders', () => {
  it.each([
    [
      'IETF draft 07+ structured fields',
      { ratelimit: '"default";r=25;t=30', 'ratelimit-policy': '"default";q=100;w=60' },
      { dialect: 'ietf', limit: 100, remaining: 25, resetSeconds: 30, remainingRatio: 0.25 },
    ],
    [
      'IETF draft ≤06 single field',
      { ratelimit: 'limit=100, remaining=50, reset=10' },
      { dialect: 'ietf-legacy', limit: 100, remaining: 50, resetSeconds: 10, remainingRatio: 0.5 },
    ],
    [
      'IETF draft ≤06 three fields',
      { 'ratelimit-limit': '10', 'ratelimit-remaining': '1', 'ratelimit-reset': '5' },
      { dialect: 'ietf-legacy', limit: 10, remaining: 1, resetSeconds: 5, remainingRatio: 0.1 },
    ],
    [
      'X-RateLimit with epoch reset',
      {
        'x-ratelimit-limit': '5000',
        'x-ratelimit-remaining': '4000',
        'x-ratelimit-reset': String(NOW / 1000 + 120),
      },
      { dialect: 'x-ratelimit', limit: 5000, remaining: 4000, resetSeconds: 120, remainingRatio: 0.8 },
    ],
    [
      'X-RateLimit with relative reset',
      { 'x-ratelimit-limit': '60', 'x-ratelimit-remaining': '0', 'x-ratelimit-reset': '42' },
      { dialect: 'x-ratelimit', limit: 60, remaining: 0, resetSeconds: 42, remainingRatio: 0 },
    ],
    ['nothing', { 'content-type': 'text/plain' }, { dialect: 'none' }],
  ])('%s', (_name, headers, expected) => {
    expect(parseRateLimitHeaders(headers, NOW)).toEqual(expected);
  });

  it('reads Retry-After as seconds or as an HTTP date', () => {
    expect(parseRateLimitHeaders({ 'retry-after': '17' }, NOW).retryAfterSeconds).toBe(17);
    expect(
      parseRateLimitHeaders({ 'retry-after': new Date(NOW + 90_000).toUTCString() }, NOW).retryAfterSeconds,
    ).toBe(90);
    expect(parseRateLimitHeaders({ 'retry-after': 'soon' }, NOW).retryAfterSeconds).toBeUndefined();
  });
});
