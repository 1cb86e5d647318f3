/**
 * A deliberately small JSON path: `$.a.b[0].c`, `a.b`, `$['key with dots']`. No filters or
 * wildcards, so a probe assertion reads like the path it checks and can never run code.
 */
type PathLookup = { found: true; value: unknown } | { found: false };

const SEGMENT_RE = /\.([^.[\]]+)|\[(\d+)\]|\['([^']*)'\]|\["([^"]*)"\]/g;

export function parseJsonPath(path: string): Array<string | number> | undefined {
  let rest = path.trim();
  if (rest.startsWith('$')) rest = rest.slice(1);
  else if (!rest.startsWith('[') && !rest.startsWith('.')) rest = `.${rest}`;
  const segments: Array<string | number> = [];
  let consumed = 0;
  for (const match of rest.matchAll(SEGMENT_RE)) {
    if (match.index !== consumed) return undefined;
    consumed += match[0].length;
    if (match[2] !== undefined) segments.push(Number(match[2]));
    else segments.push((match[1] ?? match[3] ?? match[4])!);
  }
  return consumed === rest.length ? segments : undefined;
}

export function lookupJsonPath(document: unknown, path: string): PathLookup {
  const segments = parseJsonPath(path);
  if (!segments) return { found: false };
  let current: unknown = document;
  for (const segment of segments) {
    if (typeof segment === 'number') {
      if (!Array.isArray(current) || segment >= current.length) return { found: false };
      current = current[segment];
    } else {
      if (current === null || typeof current !== 'object' || !Object.hasOwn(current, segment))
        return { found: false };
      current = (current as Record<string, unknown>)[segment];
    }
  }
  return { found: true, value: current };
}
