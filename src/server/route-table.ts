/**
 * The route table's vocabulary. A route says what it needs (a token, a body and how large, the
 * content types it reads, whether it is budgeted as public) and answers from a parsed request;
 * the server (http.ts) does the rest for every route alike. The table is also what the route
 * fuzz and the OpenAPI test walk, so a route added here is covered without anyone remembering.
 */
import type { IncomingHttpHeaders } from 'node:http';
import type { Answer } from './answer.js';

export interface RouteRequest {
  readonly method: string;
  /** The path as sent (still percent-encoded). */
  readonly path: string;
  /** The path's `:name` segments (and a `*` tail), percent-decoded. */
  readonly params: Readonly<Record<string, string>>;
  readonly query: URLSearchParams;
  readonly headers: IncomingHttpHeaders;
  /** The body as text; '' for routes that take none. */
  readonly body: string;
  /** For 'agent' routes: the agent the bearer token belongs to. */
  readonly agent?: string;
}

export interface Route {
  /** GET routes answer HEAD too. */
  readonly method: 'GET' | 'POST' | 'PUT' | 'DELETE' | 'ANY';
  /**
   * `/exact`, `/with/:param/segments`, or `/prefix/*` (the rest of the path as param `*`).
   * Params match one non-empty segment.
   */
  readonly path: string;
  /**
   * 'token' routes need the API's bearer token; 'agent' routes an agent's own token (checked
   * before the body is read); 'public' routes are open and budgeted per source.
   */
  readonly access: 'open' | 'public' | 'token' | 'agent';
  /** The largest body read; routes without it take none (a small one is read and discarded). */
  readonly maxBodyBytes?: number;
  /** Content types the body may have (an absent Content-Type is accepted); others get 415. */
  readonly accepts?: readonly string[];
  /** One line for logs and the route listing. */
  readonly summary: string;
  readonly handle: (request: RouteRequest) => Answer | Promise<Answer>;
}

/** What a route without a body still reads (and drops) before answering: a stray `-d ''` is fine. */
export const STRAY_BODY_BYTES = 1024;

/**
 * The route's params when `path` matches its pattern, undefined otherwise. A param whose
 * percent-encoding is invalid still matches (so the route's access rules apply first) and is
 * reported as `badEscape`, to be answered 400.
 */
export function matchRoute(
  pattern: string,
  path: string,
): { readonly params: Readonly<Record<string, string>>; readonly badEscape: boolean } | undefined {
  if (pattern.endsWith('/*')) {
    const prefix = pattern.slice(0, -1);
    if (!path.startsWith(prefix)) return undefined;
    return { params: { '*': path.slice(prefix.length) }, badEscape: false };
  }
  const want = pattern.split('/');
  const have = path.split('/');
  if (want.length !== have.length) return undefined;
  const params: Record<string, string> = {};
  let badEscape = false;
  for (let i = 0; i < want.length; i++) {
    const segment = want[i]!;
    if (segment.startsWith(':')) {
      if (have[i] === '') return undefined;
      const decoded = decode(have[i]!);
      if (decoded === undefined) badEscape = true;
      params[segment.slice(1)] = decoded ?? '';
    } else if (segment !== have[i]) return undefined;
  }
  return { params, badEscape };
}

function decode(segment: string): string | undefined {
  try {
    return decodeURIComponent(segment);
  } catch {
    return undefined;
  }
}

/** The methods a route answers (GET brings HEAD). */
export function routeMethods(route: Route): string[] {
  if (route.method === 'ANY') return ['GET', 'HEAD', 'POST', 'PUT', 'DELETE'];
  return route.method === 'GET' ? ['GET', 'HEAD'] : [route.method];
}

/** A path that reaches the route, for the fuzz and the OpenAPI test: params become `example`. */
export function examplePath(route: Route, example = 'example'): string {
  const path = route.path.replace(/:[a-z]+/gi, example);
  return path.endsWith('/*') ? `${path.slice(0, -1)}${example}` : path;
}
