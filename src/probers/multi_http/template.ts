/**
 * `${steps.NAME.VAR}`: a value an earlier step of a multi_http flow extracted, put into a later
 * step's URL, headers or body at run time. The config loader leaves these references as written
 * (config/interpolate.ts), so `${ENV}` and `${steps.…}` live side by side in one string.
 */

const REFERENCE_RE = /\$\{steps\.([^.}]*)\.([^}]*)\}/g;

export interface Reference {
  readonly step: string;
  readonly variable: string;
}

/** Every `${steps.…}` reference in a text, in order. */
export function referencesIn(text: string): Reference[] {
  return [...text.matchAll(REFERENCE_RE)].map((match) => ({ step: match[1]!, variable: match[2]! }));
}

/** The values extracted so far, keyed "step.variable". */
export type Extracted = ReadonlyMap<string, string>;

export function referenceKey(step: string, variable: string): string {
  return `${step}.${variable}`;
}

/**
 * The text with each reference replaced by its value, passed through `encode` (percent-encoding
 * in URLs). Config validation has made sure every reference names an earlier step's variable, so
 * a missing one is a bug; it is left as written rather than sent as "undefined".
 */
export function fill(text: string, values: Extracted, encode: (value: string) => string = (v) => v): string {
  if (!text.includes('${steps.')) return text;
  return text.replace(REFERENCE_RE, (whole, step: string, variable: string) => {
    const value = values.get(referenceKey(step, variable));
    return value === undefined ? whole : encode(value);
  });
}

/** Shorter values are left alone: replacing "1" or "ok" everywhere would garble every message. */
const SHORTEST_SECRET = 4;

/**
 * A message or URL with every extracted value replaced by its reference: tokens a flow extracted
 * are secrets, like configured ones, and no failure message, log line or status page may show
 * them. Longest first, so a value containing another is replaced whole; the percent-encoded form
 * too, as a URL in a message carries it.
 */
export function scrub(text: string, values: Extracted): string {
  let out = text;
  const entries = [...values].filter(([, value]) => value.length >= SHORTEST_SECRET);
  entries.sort(([, a], [, b]) => b.length - a.length);
  for (const [key, value] of entries) {
    const reference = `\${steps.${key}}`;
    out = out.replaceAll(value, reference);
    const encoded = encodeURIComponent(value);
    if (encoded !== value) out = out.replaceAll(encoded, reference);
  }
  return out;
}
