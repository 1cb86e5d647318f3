/**
 * Following a redirect the way the Fetch standard does (4.4 "HTTP-redirect fetch"): the Location
 * is resolved against the current URL; only http and https may be followed (anything else, such
 * as `file:`, `data:` or `ftp:`, ends the chain as a failure: before, `ftp://` was sent as plain
 * HTTP and reported success); and credentials are for the origin they were configured for, so
 * they are dropped as soon as the origin changes, which includes https → http on the same host.
 */
import type { Failure } from '../../model/failure.js';

/** Headers that carry credentials whatever the probe says (Fetch's "CORS non-wildcard request-header names" and cookies). */
const CREDENTIAL_HEADERS = new Set(['authorization', 'cookie', 'proxy-authorization']);

/**
 * Header names that say they carry a secret (`X-Api-Key`, `X-Auth-Token`, `X-Session-Id`…): a
 * probe's own API keys go no further than the configured origin either. Anchored on whole words
 * of the name so that `Keep-Alive` or `Accept` are not caught.
 */
const SECRET_HEADER_RE =
  /(^|-)(api-?key|key|token|secret|password|passwd|auth|authentication|session|signature|credentials?)(-|$)/i;

function isCredentialHeader(name: string, secretHeaders?: ReadonlySet<string>): boolean {
  const lower = name.toLowerCase();
  return CREDENTIAL_HEADERS.has(lower) || secretHeaders?.has(lower) === true || SECRET_HEADER_RE.test(lower);
}

type RedirectStep = { readonly url: URL } | { readonly failure: Failure };

/** Where a Location header leads, or why it cannot be followed. */
export function resolveRedirect(current: URL, location: string): RedirectStep {
  let url: URL;
  try {
    url = new URL(location, current);
  } catch {
    return {
      failure: {
        code: 'redirect_invalid',
        phase: 'processing',
        message: `redirect to an unparseable location ${JSON.stringify(truncate(location))}`,
      },
    };
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    return {
      failure: {
        code: 'redirect_invalid',
        phase: 'processing',
        message: `redirect to a URL with scheme "${url.protocol}", not followed (only http and https URLs are)`,
      },
    };
  }
  return { url };
}

/** The headers for the next hop: the same object when the origin stays, a copy without credentials when it changes. */
export function headersForHop(
  headers: Readonly<Record<string, string>>,
  from: URL,
  to: URL,
  secretHeaders?: ReadonlySet<string>,
): Readonly<Record<string, string>> {
  if (from.origin === to.origin) return headers;
  const kept: Record<string, string> = {};
  for (const [name, value] of Object.entries(headers)) {
    if (!isCredentialHeader(name, secretHeaders)) kept[name] = value;
  }
  return kept;
}

function truncate(text: string): string {
  return text.length > 100 ? `${text.slice(0, 100)}…` : text;
}
