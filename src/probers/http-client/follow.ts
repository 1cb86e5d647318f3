/**
 * One request and the redirects it leads to, as browsers and fetch follow them: the unit both the
 * `http` kind and each step of a `multi_http` flow are made of. Network errors become catalogue
 * failures here; anything else (a bug) is thrown.
 */
import type { Failure } from '../../model/failure.js';
import { redactUrl } from '../../util/redact.js';
import type { ExchangeTrace } from '../net/connect.js';
import { exchange, type HopOptions, type HopRequest, type HopResponse } from './exchange.js';
import { httpFailure } from './failure.js';
import { headersForHop, resolveRedirect } from './redirect.js';

const REDIRECT_STATUSES = new Set([301, 302, 303, 307, 308]);

export interface FollowOptions extends HopOptions {
  readonly followRedirects: boolean;
  readonly maxRedirects: number;
  /** Lower-cased names of headers that must not follow a redirect to another origin. */
  readonly secretHeaders: ReadonlySet<string>;
  /** The budget the signal enforces, for "timed out after …" messages. */
  readonly timeoutMs: number;
}

export interface Followed {
  /** The last response received (undefined when none came). */
  readonly response?: HopResponse;
  /** The URL of the last request sent. */
  readonly url: URL;
  readonly redirects: number;
  readonly failure?: Failure;
}

/** The method of the next hop, following what browsers (and fetch) do. */
function nextMethod(status: number, method: string): { method: string; dropBody: boolean } {
  const becomesGet =
    status === 303 ? method !== 'HEAD' : (status === 301 || status === 302) && method === 'POST';
  return { method: becomesGet ? 'GET' : method, dropBody: becomesGet };
}

function firstHeader(headers: HopResponse['headers'], name: string): string | undefined {
  const value = headers[name];
  return Array.isArray(value) ? value[0] : value;
}

export async function follow(
  request: HopRequest,
  options: FollowOptions,
  trace: ExchangeTrace,
): Promise<Followed> {
  let { url, method, body, headers } = request;
  let redirects = 0;
  let response: HopResponse | undefined;
  try {
    for (;;) {
      response = await exchange({ url, method, headers, body }, options, trace);
      const location = firstHeader(response.headers, 'location');
      if (!options.followRedirects || !REDIRECT_STATUSES.has(response.statusCode) || !location) {
        return { response, url, redirects };
      }
      redirects += 1;
      const step = resolveRedirect(url, location);
      if ('failure' in step) return { response, url, redirects, failure: step.failure };
      if (redirects > options.maxRedirects) {
        const failure: Failure = {
          code: 'too_many_redirects',
          message: `more than ${options.maxRedirects} redirects (last to ${redactUrl(step.url)})`,
        };
        return { response, url, redirects, failure };
      }
      // Credentials are for the configured origin only, as fetch does.
      headers = headersForHop(headers, url, step.url, options.secretHeaders);
      const next = nextMethod(response.statusCode, method);
      if (next.dropBody) body = undefined;
      url = step.url;
      method = next.method;
    }
  } catch (error) {
    const failure = httpFailure(error, {
      url,
      trace,
      signal: options.signal,
      timeoutMs: options.timeoutMs,
    });
    if (!failure) throw error;
    return { response, url, redirects, failure };
  }
}
