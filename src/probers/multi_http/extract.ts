/** Values a step takes from its response for later steps: a JSON path, a header, or a regex's first group. */
import type { HopResponse } from '../http-client/exchange.js';
import { lookupJsonPath } from '../http-client/json-path.js';
import type { Extraction } from './config.js';

type Extracted = { ok: true; value: string } | { ok: false; problem: string };

function fromJson(body: string, path: string): Extracted {
  let document: unknown;
  try {
    document = JSON.parse(body);
  } catch {
    return { ok: false, problem: `the body is not JSON, so ${path} cannot be read` };
  }
  const lookup = lookupJsonPath(document, path);
  if (!lookup.found || lookup.value === null)
    return { ok: false, problem: `JSON path ${path} is not in the body` };
  const value = lookup.value;
  return { ok: true, value: typeof value === 'string' ? value : JSON.stringify(value) };
}

export function extractValue(response: HopResponse, extraction: Extraction): Extracted {
  switch (extraction.from) {
    case 'header': {
      const raw = response.headers[extraction.name];
      if (raw === undefined)
        return { ok: false, problem: `header ${extraction.name} is not in the response` };
      return { ok: true, value: Array.isArray(raw) ? raw[0]! : raw };
    }
    case 'json':
      return fromJson(response.body?.toString('utf8') ?? '', extraction.path);
    case 'regex': {
      const match = extraction.pattern.exec(response.body?.toString('utf8') ?? '');
      if (!match) return { ok: false, problem: `/${extraction.pattern.source}/ does not match the body` };
      return { ok: true, value: match.groups[0] ?? match.text };
    }
  }
}

/** Whether a step must keep its response body in memory to extract from it. */
export function needsBodyFor(extract: ReadonlyMap<string, Extraction>): boolean {
  for (const extraction of extract.values()) if (extraction.from !== 'header') return true;
  return false;
}
