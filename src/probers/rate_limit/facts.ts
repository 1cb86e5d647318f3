/** The `rateLimit` facts section: the rate-limit headers of a response, and a burst's outcome. */
import { defineFacts } from '../definition.js';
import { gauge } from '../families.js';

export interface RateLimitFacts {
  readonly statusCode: number;
  readonly limited: boolean;
  readonly dialect: string;
  readonly limit?: number;
  readonly remaining?: number;
  readonly resetSeconds?: number;
  readonly remainingRatio?: number;
  readonly retryAfterSeconds?: number;
  readonly burstSent?: number;
  readonly burstLimitedAfter?: number;
}

declare module '../../model/probe.js' {
  interface ProbeFacts {
    rateLimit?: RateLimitFacts;
  }
}

export const rateLimitFacts = defineFacts({
  key: 'rateLimit',
  families: [
    // Not probe_http_status_code: that family is the http section's, and one name has one owner.
    gauge<RateLimitFacts>(
      'prismwatch_ratelimit_status_code',
      'HTTP status code of the last rate-limited request (0 when none).',
      (rl) => rl.statusCode,
    ),
    gauge<RateLimitFacts>(
      'prismwatch_ratelimit_limit',
      'Requests allowed in the window, from rate-limit headers.',
      (rl) => rl.limit,
    ),
    gauge<RateLimitFacts>(
      'prismwatch_ratelimit_remaining',
      'Requests left in the window.',
      (rl) => rl.remaining,
    ),
    gauge<RateLimitFacts>(
      'prismwatch_ratelimit_remaining_ratio',
      'Share of the window left: remaining / limit.',
      (rl) => rl.remainingRatio,
    ),
    gauge<RateLimitFacts>(
      'prismwatch_ratelimit_reset_seconds',
      'Seconds until the window resets.',
      (rl) => rl.resetSeconds,
    ),
    gauge<RateLimitFacts>(
      'prismwatch_ratelimit_retry_after_seconds',
      'Retry-After of the last response, seconds.',
      (rl) => rl.retryAfterSeconds,
    ),
    {
      name: 'prismwatch_ratelimit_limited_total',
      type: 'counter',
      help: 'Responses with status 429 seen by a rate_limit probe.',
      lines: (labels, _rl, { tally }) => `prismwatch_ratelimit_limited_total{${labels}} ${tally}\n`,
    },
  ],
  tally: (rl) => (rl.limited ? 1 : 0),
  signals: [
    {
      name: 'status_code',
      read: (rl) => rl.statusCode,
      promql: (selector) => `prismwatch_ratelimit_status_code${selector}`,
    },
    {
      name: 'ratelimit_remaining_ratio',
      read: (rl) => rl.remainingRatio,
      promql: (selector) => `prismwatch_ratelimit_remaining_ratio${selector}`,
    },
  ],
  evidence: (rl) =>
    rl.burstLimitedAfter !== undefined
      ? `limited after ${rl.burstLimitedAfter} requests`
      : `${rl.dialect} headers${rl.limit !== undefined ? `, limit ${rl.limit}` : ''}`,
  report: (rl, out) => {
    const left =
      rl.remaining === undefined ? 'no rate-limit headers' : `${rl.remaining} of ${rl.limit ?? '?'} left`;
    const reset = rl.resetSeconds === undefined ? '' : `, resets in ${rl.resetSeconds}s`;
    out.row(
      'ratelimit',
      `${left}${reset} (${rl.dialect})${rl.limited ? `; 429, Retry-After ${rl.retryAfterSeconds ?? '?'}s` : ''}`,
    );
    if (rl.burstSent !== undefined) {
      out.row(
        'burst',
        `${rl.burstSent} request(s)${rl.burstLimitedAfter ? `, limited after ${rl.burstLimitedAfter}` : ', never limited'}`,
      );
    }
  },
});
