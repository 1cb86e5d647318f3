/**
 * Gathers what the Observatory's retriever gathers (src/retriever): an http and an https session,
 * each following up to 10 redirects by hand and recording every hop; a certificate that does not
 * verify is retried without verification and marked; then robots.txt and a CORS preflight. Which
 * cookies count and which preflight answers count follow the Observatory's session.js (below).
 * Every request uses a fresh connection and the run's deadline.
 */

import type { Failure } from '../../model/failure.js';
import { USER_AGENT } from '../../version.js';
import { exchange, type HopResponse } from '../http-client/exchange.js';
import { httpFailure } from '../http-client/failure.js';
import { resolveRedirect } from '../http-client/redirect.js';
import { createTrace, type IpProtocol, type TlsOptions } from '../net/connect.js';
import { PREFLIGHT_ORIGIN } from './cors-redirection.js';
import type { HeaderMap, Scan, ScanResponse } from './types.js';

const MAX_REDIRECTS = 10;
const MAX_BODY_BYTES = 2 * 1024 * 1024;
const REDIRECTS = new Set([301, 302, 303, 307, 308]);

interface RetrieveOptions {
  readonly signal: AbortSignal;
  readonly deadline: number;
  readonly now: () => number;
  readonly timeoutMs: number;
  readonly tls: TlsOptions;
  readonly ipProtocol: IpProtocol;
  readonly ipFallback: boolean;
  readonly preflight: boolean;
  readonly robots: boolean;
}

interface Session {
  readonly chain: string[];
  readonly verified: boolean;
  readonly final?: ScanResponse;
  readonly setCookies: string[];
  readonly failure?: Failure;
}

function cookiesOf(headers: HeaderMap): string[] {
  const raw = headers['set-cookie'];
  return raw === undefined ? [] : Array.isArray(raw) ? raw : [raw];
}

async function request(
  url: URL,
  method: string,
  headers: Record<string, string>,
  options: RetrieveOptions,
  insecure: boolean,
  keepBody = false,
) {
  const trace = createTrace();
  try {
    const response = await exchange(
      { url, method, headers },
      {
        ...options,
        tls: insecure ? { ...options.tls, insecureSkipVerify: true } : options.tls,
        maxBodyBytes: MAX_BODY_BYTES,
        keepBody,
      },
      trace,
    );
    return { response };
  } catch (error) {
    const failure = httpFailure(error, {
      url,
      trace,
      signal: options.signal,
      timeoutMs: options.timeoutMs,
    });
    if (!failure) throw error;
    return { failure, certificateRejected: trace.failure?.code === 'tls_error' && trace.tls !== undefined };
  }
}

const BASE_HEADERS = {
  'user-agent': USER_AGENT,
  accept: 'text/html,application/xhtml+xml,*/*;q=0.8',
};

async function session(start: URL, options: RetrieveOptions): Promise<Session> {
  const chain: string[] = [];
  const setCookies: string[] = [];
  let verified = true;
  let url = start;
  for (let hop = 0; hop <= MAX_REDIRECTS; hop++) {
    chain.push(url.toString());
    let outcome = await request(url, 'GET', BASE_HEADERS, options, false, true);
    if (outcome.failure && outcome.certificateRejected) {
      verified = false;
      outcome = await request(url, 'GET', BASE_HEADERS, options, true, true);
    }
    if (!outcome.response) {
      // The first hop failing means this scheme is unreachable; a later one ends the chain there.
      return hop === 0
        ? { chain: [], verified, setCookies, failure: outcome.failure }
        : { chain, verified, setCookies, failure: outcome.failure };
    }
    const response: HopResponse = outcome.response;
    setCookies.push(...cookiesOf(response.headers));
    const location = response.headers.location;
    const next = Array.isArray(location) ? location[0] : location;
    if (REDIRECTS.has(response.statusCode) && next && hop < MAX_REDIRECTS) {
      const step = resolveRedirect(url, next);
      // A chain that leads out of http(s) ends where it left, like a hop that failed.
      if ('failure' in step) return { chain, verified, setCookies, failure: step.failure };
      url = step.url;
      continue;
    }
    const final: ScanResponse = {
      url: url.toString(),
      status: response.statusCode,
      headers: response.headers,
      verified,
      ...(response.body ? { body: response.body.toString('utf8') } : {}),
    };
    return { chain, verified, final, setCookies };
  }
  return { chain, verified, setCookies };
}

type Retrieved = { scan: Scan } | { failure: Failure };

export async function retrieveScan(
  httpsUrl: URL | undefined,
  httpUrl: URL | undefined,
  options: RetrieveOptions,
): Promise<Retrieved> {
  const [https, http] = await Promise.all([
    httpsUrl ? session(httpsUrl, options) : undefined,
    httpUrl ? session(httpUrl, options) : undefined,
  ]);
  const auto = https?.final ?? http?.final;
  if (!auto) {
    return {
      failure: https?.failure ??
        http?.failure ?? { code: 'internal', message: 'neither http nor https could be scanned' },
    };
  }
  // The Observatory grades the cookies in the jar of the session it analyses (the https one
  // when it answered, else the http one; retriever/retriever.js), so a cookie set only on the
  // http redirect does not count when https answered.
  const chosen = https?.final ? https : http;
  const setCookies = [...(chosen?.setCookies ?? [])];
  // robots.txt and the preflight go through the session's second client (session.js
  // `clientInstance`), which has a cookie jar only after a certificate error made it retry
  // without verification: only then do their cookies count.
  const jarred = !auto.verified;
  const origin = new URL(auto.url).origin;
  if (options.robots) {
    const robots = await request(
      new URL('/robots.txt', origin),
      'GET',
      BASE_HEADERS,
      options,
      !auto.verified,
    );
    if (robots.response && jarred) setCookies.push(...cookiesOf(robots.response.headers));
  }
  let preflight: HeaderMap | undefined;
  if (options.preflight) {
    const headers = { ...BASE_HEADERS, origin: PREFLIGHT_ORIGIN, 'access-control-request-method': 'GET' };
    const answer = await request(new URL(auto.url), 'OPTIONS', headers, options, !auto.verified);
    // That client keeps axios's default validateStatus: a non-2xx answer throws and the
    // preflight counts as unanswered (session.js `options`, retriever.js `cors_resp || null`),
    // whatever CORS headers it carried.
    const status = answer.response?.statusCode ?? 0;
    preflight = status >= 200 && status < 300 ? answer.response!.headers : {};
    if (answer.response && jarred) setCookies.push(...cookiesOf(answer.response.headers));
  }
  return {
    scan: {
      host: new URL(auto.url).hostname,
      ...(https?.final ? { https: https.final } : {}),
      httpChain: http?.chain ?? [],
      httpChainVerified: http?.verified ?? true,
      auto,
      setCookies,
      ...(preflight ? { preflight } : {}),
      httpChecked: httpUrl !== undefined,
    },
  };
}
