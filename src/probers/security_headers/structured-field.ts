/**
 * Just enough of RFC 8941 to read COOP and COEP the way the Observatory does (structured-headers
 * parseItem): a bare token with optional parameters. Tokens are case-sensitive; a quoted string,
 * a bad parameter or trailing text makes the header invalid.
 */
const TOKEN_RE = /^[A-Za-z*][A-Za-z0-9!#$%&'*+\-.^_`|~:/]*/;
const KEY_RE = /^[a-z*][a-z0-9_\-.*]*/;
const BARE_VALUE_RE =
  /^(?:"(?:[^"\\]|\\["\\])*"|\?[01]|-?\d+(?:\.\d+)?|:[A-Za-z0-9+/=]*:|[A-Za-z*][A-Za-z0-9!#$%&'*+\-.^_`|~:/]*)/;

/** The item's token, or undefined when the text is not a token item. */
export function parseTokenItem(text: string): string | undefined {
  let rest = text.trim();
  const token = TOKEN_RE.exec(rest);
  if (!token) return undefined;
  rest = rest.slice(token[0].length);
  while (rest.length > 0) {
    const separator = /^\s*;\s*/.exec(rest);
    if (!separator) return undefined;
    rest = rest.slice(separator[0].length);
    const key = KEY_RE.exec(rest);
    if (!key) return undefined;
    rest = rest.slice(key[0].length);
    if (rest.startsWith('=')) {
      const value = BARE_VALUE_RE.exec(rest.slice(1));
      if (!value) return undefined;
      rest = rest.slice(1 + value[0].length);
    }
  }
  return token[0];
}
