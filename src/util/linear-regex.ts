/**
 * Regular expressions that config, the API or a target can influence run here, in RE2's
 * semantics and in time linear in the input, as Prometheus and Alertmanager do (Go's regexp is
 * RE2). V8's backtracking engine took 48 s on `(a+)+$` against 30 bytes of a body; a saved
 * silence `(.*.*)*X` stalled every notification flush. RE2 has no backreferences or lookaround,
 * and a pattern that uses them is refused when the config loads, with its file and line.
 *
 * The engine is `re2js`, a pure-JavaScript port of RE2/J: no native addon to build (`re2` needs
 * node-gyp and a C++ toolchain at install, and a prebuilt binary download this workplace cannot
 * make) and no WebAssembly module to load and keep in step (`re2-wasm`, whose last release is
 * 1.0.2). Its cost is measured in docs/benchmarks.md.
 */
import { RE2JS } from 're2js';

export class RegexSyntaxError extends Error {}

interface LinearMatch {
  /** Where the match starts, in UTF-16 code units like String.prototype.indexOf. */
  readonly index: number;
  /** The matched text. */
  readonly text: string;
  /** The text of each capture group, undefined where a group took no part in the match. */
  readonly groups: ReadonlyArray<string | undefined>;
}

export class LinearRegExp {
  private readonly compiled: RE2JS;
  /** Whether the whole text must match (label matchers), rather than a part of it. */
  readonly anchored: boolean;

  /** Throws RegexSyntaxError with RE2's explanation when the pattern is not valid RE2. */
  constructor(
    /** The pattern as written, for messages and fingerprints. */
    readonly source: string,
    options: { readonly anchored?: boolean } = {},
  ) {
    this.anchored = options.anchored === true;
    try {
      this.compiled = RE2JS.compile(this.anchored ? `^(?:${source})$` : source);
    } catch (error) {
      throw new RegexSyntaxError(describeSyntaxError(error));
    }
  }

  /** Whether the pattern matches anywhere in `text` (or all of it, when anchored). */
  test(text: string): boolean {
    return this.compiled.test(text);
  }

  /** The leftmost match, or undefined. */
  exec(text: string): LinearMatch | undefined {
    const found = this.compiled.exec(text) as (Array<string | undefined> & { index: number }) | null;
    return found ? { index: found.index, text: found[0] ?? '', groups: found.slice(1) } : undefined;
  }

  toString(): string {
    return `/${this.source}/`;
  }

  /** Fingerprints and JSON dumps see the pattern, not the compiled program. */
  toJSON(): string {
    return this.toString();
  }
}

/** RE2's message, with a hint for the constructs people reach for that RE2 leaves out on purpose. */
function describeSyntaxError(error: unknown): string {
  const message = error instanceof Error ? error.message : String(error);
  const hint = /\(\?[=!<]|\\[1-9]/.test(message)
    ? ' (RE2 has no lookahead, lookbehind or backreferences: they are what makes matching take exponential time)'
    : '';
  return `${message.replace(/^error parsing regexp: /, '')}${hint}`;
}
