/**
 * Alertmanager's label matchers: `name="value"`, `name!="value"`, `name=~"regex"`, `name!~"regex"`.
 * Regexes are anchored at both ends, as in Alertmanager, so `severity=~"crit"` does not match
 * "critical". Values may be unquoted when they hold no spaces, commas or quotes.
 */
import { LinearRegExp } from '../util/linear-regex.js';

type MatchOp = '=' | '!=' | '=~' | '!~';

export interface Matcher {
  readonly name: string;
  readonly op: MatchOp;
  readonly value: string;
  /** Compiled once for =~ and !~; RE2, so a hostile silence cannot stall a flush. */
  readonly regex?: LinearRegExp;
}

const MATCHER_RE = /^\s*([a-zA-Z_][a-zA-Z0-9_]*)\s*(=~|!~|!=|=)\s*(.*?)\s*$/;

export function parseMatcher(text: string): Matcher | string {
  const found = MATCHER_RE.exec(text);
  if (!found) return `expected a matcher like severity="critical" (name, then =, !=, =~ or !~, then a value)`;
  const [, name, op, raw] = found as unknown as [string, string, MatchOp, string];
  let value = raw;
  if (raw.startsWith('"')) {
    if (!raw.endsWith('"') || raw.length < 2) return `expected a closing quote in ${text}`;
    try {
      value = JSON.parse(raw) as string;
    } catch {
      return `expected a double-quoted string with JSON escapes, got ${raw}`;
    }
  } else if (/[\s,"]/.test(raw)) {
    return `expected the value of ${name} in double quotes`;
  }
  if (op === '=~' || op === '!~') {
    try {
      return { name, op, value, regex: new LinearRegExp(value, { anchored: true }) };
    } catch (error) {
      return `expected a valid RE2 regular expression for ${name} (${(error as Error).message})`;
    }
  }
  return { name, op, value };
}

export function matches(matcher: Matcher, labels: Readonly<Record<string, string>>): boolean {
  // An absent label reads as "", as in Alertmanager: severity!="critical" matches an alert without one.
  const actual = labels[matcher.name] ?? '';
  switch (matcher.op) {
    case '=':
      return actual === matcher.value;
    case '!=':
      return actual !== matcher.value;
    case '=~':
      return matcher.regex!.test(actual);
    case '!~':
      return !matcher.regex!.test(actual);
  }
}

export function matchesAll(matchers: readonly Matcher[], labels: Readonly<Record<string, string>>): boolean {
  return matchers.every((matcher) => matches(matcher, labels));
}

export function formatMatcher(matcher: Matcher): string {
  return `${matcher.name}${matcher.op}${JSON.stringify(matcher.value)}`;
}

/** Label sets as Alertmanager prints them in group keys: {a="1", b="2"} in name order. */
export function formatLabels(labels: Readonly<Record<string, string>>): string {
  const parts = Object.keys(labels)
    .sort()
    .map((name) => `${name}=${JSON.stringify(labels[name])}`);
  return `{${parts.join(', ')}}`;
}
