/**
 * What an Observatory-style scan gathers (mdn/mdn-http-observatory retriever), and what each test
 * returns. The analyzers are pure functions of a Scan, so every rule is tested without a network.
 */

/** Header values as Node gives them: repeated headers as arrays. */
export type HeaderMap = Readonly<Record<string, string | string[] | undefined>>;

export interface ScanResponse {
  readonly url: string;
  readonly status: number;
  readonly headers: HeaderMap;
  /** Whether the certificate verified (always true for http). */
  readonly verified: boolean;
  readonly body?: string;
}

export interface Scan {
  readonly host: string;
  /** Final response of the https session; undefined when https is unreachable. */
  readonly https?: ScanResponse;
  /** URLs of the http session, from the first request to the final response; empty when http is unreachable. */
  readonly httpChain: readonly string[];
  /** Whether every https hop of the http session verified. */
  readonly httpChainVerified: boolean;
  /** The https final response if https worked, else the http one: what most tests read. */
  readonly auto: ScanResponse;
  /** Set-Cookie lines from every response gathered (including robots.txt when fetched). */
  readonly setCookies: readonly string[];
  /** The CORS preflight's response headers, or undefined when the preflight was not made. */
  readonly preflight?: HeaderMap;
  /** Whether the http session was attempted at all (it can be disabled). */
  readonly httpChecked: boolean;
}

export interface TestResult {
  /** The test, e.g. "strict-transport-security". */
  readonly test: string;
  /** The outcome, e.g. "hsts-implemented-max-age-less-than-six-months". */
  readonly result: string;
  readonly modifier: number;
  /** undefined when the test was not evaluated (its extra request was disabled). */
  readonly pass: boolean | undefined;
  /** What was looked at, for reports. */
  readonly data?: string;
}

export type AlgorithmVersion = 5 | 6;

/** Joined the way Node/axios (and WHATWG Headers.get) join repeated headers: ", ". */
export function headerValue(headers: HeaderMap, name: string, maxLength?: number): string | undefined {
  const raw = headers[name.toLowerCase()];
  if (raw === undefined) return undefined;
  const joined = Array.isArray(raw) ? raw.join(', ') : raw;
  return maxLength === undefined ? joined : joined.slice(0, maxLength);
}

export function result(
  test: string,
  outcome: string,
  modifier: number,
  pass: boolean | undefined,
  data?: string,
): TestResult {
  return data === undefined
    ? { test, result: outcome, modifier, pass }
    : { test, result: outcome, modifier, pass, data };
}
