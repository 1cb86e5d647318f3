/** Zod's issues rewritten in prismwatch's voice: what was expected, and what the file says. */
import type * as z from 'zod';
import type { ConfigIssue } from '../errors.js';
import type { PathSegment, YamlSource } from './yaml-source.js';

function closest(word: string, candidates: readonly string[]): string | undefined {
  let best: string | undefined;
  let bestDistance = Math.max(2, Math.floor(word.length / 3)) + 1;
  for (const candidate of candidates) {
    const distance = editDistance(word, candidate);
    if (distance < bestDistance) {
      best = candidate;
      bestDistance = distance;
    }
  }
  return best;
}

function editDistance(a: string, b: string): number {
  const previous = Array.from({ length: b.length + 1 }, (_, i) => i);
  for (let i = 1; i <= a.length; i++) {
    let diagonal = previous[0]!;
    previous[0] = i;
    for (let j = 1; j <= b.length; j++) {
      const above = previous[j]!;
      previous[j] = Math.min(above + 1, previous[j - 1]! + 1, diagonal + (a[i - 1] === b[j - 1] ? 0 : 1));
      diagonal = above;
    }
  }
  return previous[b.length]!;
}

function article(type: string): string {
  return /^[aeiou]/.test(type) ? `an ${type}` : `a ${type}`;
}

/** Messages written by our own fields already start with "expected"; zod's defaults are replaced. */
function expectation(issue: z.core.$ZodIssue): string {
  if (issue.message.startsWith('expected') || issue.message.startsWith('missing')) return issue.message;
  switch (issue.code) {
    case 'invalid_type':
      return `expected ${issue.expected === 'object' ? 'a mapping' : issue.expected === 'array' ? 'a list' : article(issue.expected)}`;
    case 'invalid_value':
      return `expected one of ${issue.values.map((value) => JSON.stringify(value)).join(', ')}`;
    case 'too_small':
      return issue.origin === 'array'
        ? `expected at least ${issue.minimum} item${issue.minimum === 1 ? '' : 's'}`
        : `expected ${issue.origin === 'string' ? 'a length' : 'a value'} of at least ${issue.minimum}`;
    case 'too_big':
      return issue.origin === 'array'
        ? `expected at most ${issue.maximum} items`
        : `expected ${issue.origin === 'string' ? 'a length' : 'a value'} of at most ${issue.maximum}`;
    case 'invalid_format':
      return `expected ${issue.format === 'regex' ? 'text matching the required pattern' : issue.format}`;
    default:
      return `expected a valid value (${issue.message})`;
  }
}

export function toConfigIssues(
  source: YamlSource,
  base: readonly PathSegment[],
  issues: readonly z.core.$ZodIssue[],
  knownKeys: (path: readonly PathSegment[]) => readonly string[],
): ConfigIssue[] {
  const result: ConfigIssue[] = [];
  for (const issue of issues) {
    const path = [...base, ...(issue.path as PathSegment[])];
    if (issue.code === 'unrecognized_keys') {
      for (const key of issue.keys) {
        const suggestion = closest(key, knownKeys(path));
        const hint = suggestion
          ? ` (did you mean "${suggestion}"?)`
          : `; known keys: ${knownKeys(path).join(', ')}`;
        result.push(source.issueAtKey(path, key, `unknown key "${key}"${hint}`));
      }
      continue;
    }
    if (issue.code === 'invalid_key') {
      // A mapping key is wrong (a label name): point at the key and quote it.
      const key = String(path[path.length - 1]);
      const inner = issue.issues[0];
      const message = inner ? expectation(inner as z.core.$ZodIssue) : 'expected a valid key';
      result.push(source.issueAtKey(path.slice(0, -1), key, `${message}, got ${JSON.stringify(key)}`));
      continue;
    }
    result.push(source.issueAt(path, expectation(issue), { got: true }));
  }
  return result;
}

export { closest };
