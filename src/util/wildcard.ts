/**
 * `*` (any run of characters) and `?` (one character) against a file name, as Prometheus's file_sd
 * patterns use them. Greedy with one backtrack point, so a hostile pattern costs at most
 * pattern × name steps — no regular expression is built from what a user wrote.
 */
export function matchesWildcard(pattern: string, name: string): boolean {
  let p = 0;
  let n = 0;
  let star = -1;
  let resume = 0;
  while (n < name.length) {
    // A `*` in the pattern is always the wildcard, even facing a `*` in the name.
    if (p < pattern.length && pattern[p] === '*') {
      star = p++;
      resume = n;
    } else if (p < pattern.length && (pattern[p] === '?' || pattern[p] === name[n])) {
      p++;
      n++;
    } else if (star !== -1) {
      p = star + 1;
      n = ++resume;
    } else {
      return false;
    }
  }
  while (p < pattern.length && pattern[p] === '*') p++;
  return p === pattern.length;
}

export function hasWildcard(text: string): boolean {
  return text.includes('*') || text.includes('?');
}
