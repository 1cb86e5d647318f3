/**
 * URLs as every display surface shows them (API, status page, logs, errors, CLI, metrics): no
 * userinfo, and the value of every query parameter replaced by "<redacted>", whatever its name.
 * Names cannot tell a secret: `?access_code=`, `?k=`, `?x-amz-credential=` all carried one, and a
 * list of suspicious names missed each of them in turn. Keys stay, so an operator can still tell
 * two targets apart; the full URL is only ever in the config file.
 */

const REDACTED = '<redacted>';

export function redactUrl(input: string | URL): string {
  let url: URL;
  try {
    url = new URL(input.toString());
  } catch {
    return '<invalid url>';
  }
  url.username = '';
  url.password = '';
  // An "@" in the path is a password with an unencoded "/" that ended the authority early
  // (`postgres://u:p@ss/word@host/db`): the path holds the rest of it.
  if (url.pathname.includes('@')) url.pathname = `/${REDACTED}`;
  for (const name of new Set(url.searchParams.keys())) url.searchParams.set(name, REDACTED);
  // The fragment never reaches the server but may hold a token (OAuth implicit flows).
  if (url.hash) url.hash = REDACTED;
  // URLSearchParams percent-encodes "<" and ">"; put them back so the marker reads well.
  return url.toString().replaceAll('%3Credacted%3E', REDACTED);
}

const SCHEME_CHAR = /[A-Za-z0-9+.-]/;
/** Only whitespace ends a URL here: a quote may be part of its query, and the secret after it. */
const URL_END = /\s/;
/** A scheme longer than this is not one ("…aaaa://" in a body is not a URL worth a rescan). */
const MAX_SCHEME = 32;

/**
 * Every URL inside a text (a failure message, a target description) redacted as above. A plain
 * scan rather than a regular expression: the text may come from a target, and the scan is linear
 * in its length whatever it holds.
 */
export function redactUrlsIn(text: string): string {
  let out = '';
  let copied = 0;
  let at = text.indexOf('://');
  while (at !== -1) {
    let start = at;
    while (start > copied && at - start < MAX_SCHEME && SCHEME_CHAR.test(text[start - 1]!)) start--;
    let end = at + 3;
    while (end < text.length && !URL_END.test(text[end]!)) end++;
    if (start < at && end > at + 3 && /[A-Za-z]/.test(text[start]!)) {
      const found = text.slice(start, end);
      const shown = redactUrl(found);
      // An unparsable URL may still hold credentials anywhere after its scheme: only the scheme stays.
      out +=
        text.slice(copied, start) +
        (shown === '<invalid url>' ? `${text.slice(start, at)}://<unreadable>` : shown);
      copied = end;
    }
    at = text.indexOf('://', Math.max(end, at + 3));
  }
  return copied === 0 ? text : out + text.slice(copied);
}
