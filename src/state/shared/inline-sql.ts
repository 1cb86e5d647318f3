/**
 * Statements with their values written in as literals, so a batch of them travels in one round
 * trip (PostgreSQL's simple query protocol runs several statements per message; node-postgres
 * sends parameterized statements one round trip each). Strings are quoted by the driver's own
 * escapeLiteral; numbers, NULL and booleans are written as PostgreSQL reads them. Placeholders are
 * replaced in one pass over the statement's text, so a value is never scanned for placeholders.
 */
import type { MirroredStatement } from './mirror.js';

export type EscapeLiteral = (text: string) => string;

function literal(value: unknown, quote: EscapeLiteral): string {
  if (value === null || value === undefined) return 'NULL';
  if (typeof value === 'number')
    return Number.isFinite(value)
      ? String(value)
      : `'${Number.isNaN(value) ? 'NaN' : value > 0 ? 'Infinity' : '-Infinity'}'::float8`;
  if (typeof value === 'bigint') return value.toString();
  if (typeof value === 'boolean') return value ? 'TRUE' : 'FALSE';
  return quote(String(value));
}

export function inlineStatement(statement: MirroredStatement, quote: EscapeLiteral): string {
  return statement.text.replace(/\$(\d+)/g, (_, index: string) =>
    literal(statement.params[Number(index) - 1], quote),
  );
}

/** Statements in groups of at most `maxBytes` of text (one query each); a larger one alone. */
export function inlineChunks(
  statements: readonly MirroredStatement[],
  quote: EscapeLiteral,
  maxBytes = 512 * 1024,
): string[] {
  const chunks: string[] = [];
  let current: string[] = [];
  let size = 0;
  for (const statement of statements) {
    const text = inlineStatement(statement, quote);
    if (current.length > 0 && size + text.length > maxBytes) {
      chunks.push(current.join(';\n'));
      current = [];
      size = 0;
    }
    current.push(text);
    size += text.length + 2;
  }
  if (current.length > 0) chunks.push(current.join(';\n'));
  return chunks;
}
