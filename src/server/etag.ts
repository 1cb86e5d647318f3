/**
 * Conditional GET for bodies made on every request (badges, feeds): the ETag is a digest of the
 * body, so an unchanged badge costs a README's image proxy or a feed reader a 304 and no body.
 * A digest rather than a version counter: the body is made anyway (it is small), and a digest
 * stays right across restarts and between the instances of an HA pair behind one name.
 */
import { createHash } from 'node:crypto';
import type { IncomingHttpHeaders } from 'node:http';
import type { Answer } from './answer.js';

export function etagOf(body: string | Buffer): string {
  return `"${createHash('sha256').update(body).digest('base64url').slice(0, 22)}"`;
}

/** Whether If-None-Match names this ETag (a list, `*`, or weak forms: RFC 9110 13.1.2 compares weakly). */
export function matchesEtag(ifNoneMatch: string | undefined, etag: string): boolean {
  if (ifNoneMatch === undefined) return false;
  if (ifNoneMatch.trim() === '*') return true;
  return ifNoneMatch.split(',').some((tag) => tag.trim().replace(/^W\//, '') === etag);
}

/**
 * The answer with its ETag, or a 304 carrying the same validators and caching headers when the
 * client already holds it. Only for 200s: an error is not something to revalidate.
 */
export function conditional(headers: IncomingHttpHeaders, answer: Answer): Answer {
  if (answer.status !== 200 || answer.body === undefined) return answer;
  const etag = etagOf(answer.body);
  const withTag = { ...answer.headers, etag };
  if (!matchesEtag(headers['if-none-match'], etag)) return { ...answer, headers: withTag };
  return {
    status: 304,
    headers: withTag,
    ...(answer.contentType ? { contentType: answer.contentType } : {}),
  };
}
