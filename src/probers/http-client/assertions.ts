/** Pure checks of a final response against the probe's expectations; the first failure is reported. */
import type { Failure } from '../../model/failure.js';
import type { LinearRegExp } from '../../util/linear-regex.js';
import type { HttpExpectations, JsonAssertion } from './config.js';
import type { HopResponse } from './exchange.js';
import { lookupJsonPath } from './json-path.js';

export function formatStatusRanges(ranges: ReadonlyArray<readonly [number, number]>): string {
  return ranges.map(([low, high]) => (low === high ? String(low) : `${low}-${high}`)).join(', ');
}

export function isValidStatus(status: number, ranges: ReadonlyArray<readonly [number, number]>): boolean {
  return ranges.some(([low, high]) => status >= low && status <= high);
}

export function needsBody(expect: HttpExpectations): boolean {
  return (
    expect.contains.length +
      expect.notContains.length +
      expect.regex.length +
      expect.notRegex.length +
      expect.json.length >
    0
  );
}

function quote(text: string, max = 60): string {
  return JSON.stringify(text.length > max ? `${text.slice(0, max)}…` : text);
}

function checkJson(document: unknown, assertion: JsonAssertion): string | undefined {
  const lookup = lookupJsonPath(document, assertion.path);
  if (assertion.exists !== undefined) {
    if (lookup.found !== assertion.exists) {
      return `expected JSON path ${assertion.path} to ${assertion.exists ? 'exist' : 'be absent'}`;
    }
    return undefined;
  }
  if (!lookup.found) return `expected JSON path ${assertion.path} to exist`;
  if (assertion.equals !== undefined && lookup.value !== assertion.equals) {
    return `expected ${assertion.path} to equal ${JSON.stringify(assertion.equals)}, got ${JSON.stringify(lookup.value)?.slice(0, 80)}`;
  }
  if (
    assertion.matches &&
    !assertion.matches.test(typeof lookup.value === 'string' ? lookup.value : JSON.stringify(lookup.value))
  ) {
    return `expected ${assertion.path} to match /${assertion.matches.source}/, got ${JSON.stringify(lookup.value)?.slice(0, 80)}`;
  }
  return undefined;
}

export function checkHeaders(
  headers: Readonly<Record<string, string | string[]>>,
  expected: ReadonlyMap<string, LinearRegExp>,
): string | undefined {
  for (const [name, pattern] of expected) {
    const raw = headers[name];
    if (raw === undefined) return `expected header ${name} matching /${pattern.source}/, but it is missing`;
    const value = Array.isArray(raw) ? raw.join(', ') : raw;
    if (!pattern.test(value))
      return `expected header ${name} to match /${pattern.source}/, got ${quote(value)}`;
  }
  return undefined;
}

export function checkBody(body: Buffer, expect: HttpExpectations): string | undefined {
  const text = body.toString('utf8');
  for (const needle of expect.contains) {
    if (!text.includes(needle)) return `expected body to contain ${quote(needle)}`;
  }
  for (const needle of expect.notContains) {
    if (text.includes(needle)) return `expected body not to contain ${quote(needle)}`;
  }
  for (const pattern of expect.regex) {
    if (!pattern.test(text)) return `expected body to match /${pattern.source}/`;
  }
  for (const pattern of expect.notRegex) {
    if (pattern.test(text)) return `expected body not to match /${pattern.source}/`;
  }
  if (expect.json.length > 0) {
    let document: unknown;
    try {
      document = JSON.parse(text);
    } catch {
      return `expected a JSON body, got ${quote(text)}`;
    }
    for (const assertion of expect.json) {
      const problem = checkJson(document, assertion);
      if (problem) return problem;
    }
  }
  return undefined;
}

/** The status, then the header and body assertions, of a final response (an http probe's, a step's). */
export function checkResponse(
  response: HopResponse,
  wanted: { validStatusCodes: ReadonlyArray<readonly [number, number]>; expect: HttpExpectations },
): Failure | undefined {
  if (!isValidStatus(response.statusCode, wanted.validStatusCodes)) {
    return {
      code: 'status_mismatch',
      message: `expected status ${formatStatusRanges(wanted.validStatusCodes)}, got ${response.statusCode}`,
    };
  }
  const problem =
    checkHeaders(response.headers, wanted.expect.headers) ??
    (response.body ? checkBody(response.body, wanted.expect) : undefined);
  return problem ? { code: 'assertion_failed', message: problem } : undefined;
}
