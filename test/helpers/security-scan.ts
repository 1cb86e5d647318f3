/** A scan as the Observatory's retriever would gather it, for tests of the security grader. */
import { analyzeScan } from '../../src/probers/security_headers/analyze.js';
import type { Scan, TestResult } from '../../src/probers/security_headers/types.js';

const BODY = '<!doctype html><html><head><title>x</title></head><body>hello</body></html>';

/** The baseline every vector shares (A.7 b), with `headers` on the http, https and auto responses. */
export function scan(headers: Record<string, string | string[]> = {}, overrides: Partial<Scan> = {}): Scan {
  const all = {
    'content-type': 'text/html',
    ...Object.fromEntries(Object.entries(headers).map(([k, v]) => [k.toLowerCase(), v])),
  };
  const https = { url: 'https://example.com/', status: 200, headers: all, verified: true, body: BODY };
  return {
    host: 'example.com',
    https,
    httpChain: ['http://example.com/', 'https://example.com/'],
    httpChainVerified: true,
    auto: https,
    setCookies: [],
    preflight: {},
    httpChecked: true,
    ...overrides,
  };
}

export function outcome(s: Scan, test: string, version: 5 | 6 = 6): TestResult {
  return analyzeScan(s, version).results.find((r) => r.test === test)!;
}
