/**
 * Percent-decoding that cannot throw: `decodeURIComponent` throws on a truncated or non-UTF-8
 * escape (`%E0%A4%A`, `%ff`), and a request path or a configured URL may hold one.
 */
export function decodeComponent(text: string): string | undefined {
  try {
    return decodeURIComponent(text);
  } catch {
    return undefined;
  }
}
