/**
 * No config error shows a value that came from the environment. Messages quote `${NAME}` as
 * written wherever they can (yaml-source.ts describes interpolated scalars by their template),
 * but a message built from the value itself (a regex's syntax error quoting part of the pattern,
 * a matcher echoing its text) could still carry a secret. This is the last pass over every issue:
 * the value is replaced by its reference, and a message still holding a fragment of it (four
 * characters or more in a row) keeps only its first clause.
 */
import type { ConfigIssue } from '../errors.js';
import { redactUrlsIn } from '../util/redact.js';
import type { Inserted } from './interpolate.js';

/** Shorter values are compared whole: any shorter window would match innocent text. */
const FRAGMENT = 4;

function holdsFragment(text: string, value: string): boolean {
  if (value.length <= FRAGMENT) return text.includes(value);
  for (let i = 0; i + FRAGMENT <= value.length; i++) {
    if (text.includes(value.slice(i, i + FRAGMENT))) return true;
  }
  return false;
}

/** The message up to its first detail: " (", ", got " or ": ". */
function firstClause(message: string): string {
  const cuts = [' (', ', got ', ': '].map((cut) => message.indexOf(cut)).filter((at) => at > 0);
  return cuts.length === 0 ? message : message.slice(0, Math.min(...cuts));
}

function scrubMessage(message: string, inserted: readonly Inserted[]): string {
  let text = message;
  // Longest first, so a value containing another is replaced whole. (Empty values are never
  // inserted: interpolate() takes the default for an empty variable.)
  for (const { name, value } of [...inserted].sort((a, b) => b.value.length - a.value.length)) {
    if (value.length > FRAGMENT) text = text.replaceAll(value, `\${${name}}`);
  }
  const leaking = inserted.filter(({ value }) => holdsFragment(text, value));
  if (leaking.length === 0) return text;
  const names = [...new Set(leaking.map(({ name }) => `\${${name}}`))].join(', ');
  const clause = firstClause(text);
  const safe = leaking.every(({ value }) => !holdsFragment(clause, value)) ? clause : 'invalid value';
  return `${safe} (details withheld: they would show the value of ${names})`;
}

export function scrubIssues(issues: readonly ConfigIssue[], inserted: readonly Inserted[]): ConfigIssue[] {
  // Paths are keys, which are never interpolated: only messages can hold a value.
  return issues.map((issue) => ({
    ...issue,
    message: redactQuoted(inserted.length === 0 ? issue.message : scrubMessage(issue.message, inserted)),
  }));
}

/**
 * The value a message quotes (after ", got ") with its URLs shown as every surface shows URLs
 * (util/redact.ts), even a value written in the file: the message may reach a log or a CI report
 * that the file never does. The expectation before it (an example URL) stays as written.
 */
function redactQuoted(message: string): string {
  const at = message.indexOf(', got ');
  return at === -1 ? message : message.slice(0, at) + redactUrlsIn(message.slice(at));
}
