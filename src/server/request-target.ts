/**
 * The request target (RFC 9112 3.2) of an incoming request, parsed without throwing. Node hands
 * the raw target to the handler; `new URL` throws on `//`, `http://%zz/` and other forms a client
 * may send, and `decodeURIComponent` throws on a truncated escape such as `%E0%A4%A`. Each of
 * those once reached the process as an uncaught exception. Here they become `undefined`, which
 * the server answers with 400 for that request only, as Go's net/http does.
 */

interface RequestTarget {
  /** The path as sent (still percent-encoded), always starting with "/". */
  readonly path: string;
  readonly query: URLSearchParams;
}

/** origin-form (`/path?query`) or absolute-form (`http://host/path`); anything else is undefined. */
export function parseRequestTarget(raw: string | undefined): RequestTarget | undefined {
  if (raw === undefined || raw === '') return undefined;
  if (raw.startsWith('/')) {
    const queryAt = raw.indexOf('?');
    const path = queryAt === -1 ? raw : raw.slice(0, queryAt);
    const search = queryAt === -1 ? '' : raw.slice(queryAt + 1);
    return { path, query: new URLSearchParams(search) };
  }
  if (!/^https?:\/\//i.test(raw)) return undefined; // authority-form (CONNECT), asterisk-form, garbage
  try {
    const url = new URL(raw);
    return { path: url.pathname, query: url.searchParams };
  } catch {
    return undefined;
  }
}
