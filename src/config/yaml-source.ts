/**
 * A YAML file kept as a document so every value can be traced back to its line and column,
 * with `${ENV}` interpolation applied to string values (never to keys) before validation.
 */

import { isAbsolute, resolve } from 'node:path';
import { type Document, isMap, isScalar, isSeq, LineCounter, type Node, parseDocument, visit } from 'yaml';
import type { ConfigIssue } from '../errors.js';
import { type Env, hasReference, type Inserted, interpolate } from './interpolate.js';

export type PathSegment = string | number;

/** How many alias expansions (weighted by their nesting, as yaml counts them) one file may make. */
const MAX_ALIAS_EXPANSION = 100_000;

/**
 * How many aliases other than merge keys (`<<: *x`) one file may hold. yaml resolves each such
 * alias by scanning the document, so their cost grows with the square of the file: 4,000 took
 * 0.3 s here, 50,000 would block the daemon for most of a minute. Merge keys are cheap and only
 * bounded by MAX_ALIAS_EXPANSION.
 */
const MAX_PLAIN_ALIASES = 2_000;

export function formatPath(path: readonly PathSegment[]): string {
  let text = '';
  for (const segment of path) {
    if (typeof segment === 'number') text += `[${segment}]`;
    else if (/^[A-Za-z_][A-Za-z0-9_-]*$/.test(segment)) text += text === '' ? segment : `.${segment}`;
    else text += `[${JSON.stringify(segment)}]`;
  }
  return text;
}

export class YamlSource {
  private readonly lineCounter = new LineCounter();
  readonly document: Document.Parsed;
  /** Scalars whose value came from interpolation → the text as written (so errors never echo secrets). */
  private readonly templates = new WeakMap<Node, string>();
  readonly issues: ConfigIssue[] = [];
  /** Every value interpolated from the environment, so no error message can show one (scrub.ts). */
  readonly inserted: Inserted[] = [];
  /** Paths whose interpolation failed: validation problems there would only repeat the same cause. */
  readonly failedPaths = new Set<string>();
  readonly parsed: boolean;

  constructor(
    readonly file: string,
    text: string,
    env: Env,
  ) {
    this.document = parseDocument(text, {
      lineCounter: this.lineCounter,
      uniqueKeys: true,
      prettyErrors: false,
      // `<<: *defaults`, as go-yaml (and so Prometheus and Alertmanager configs) supports it.
      merge: true,
    });
    for (const error of this.document.errors) {
      const { line, col: column } = this.lineCounter.linePos(error.pos[0]);
      this.issues.push({
        file,
        line,
        column,
        path: '',
        message: `invalid YAML: ${error.message.split('\n')[0]}`,
      });
    }
    this.parsed = this.document.errors.length === 0;
    if (this.parsed) this.interpolate(env);
  }

  private interpolate(env: Env): void {
    visit(this.document, {
      Scalar: (key, node, path) => {
        if (key === 'key' || typeof node.value !== 'string' || !hasReference(node.value)) return;
        const template = node.value;
        const result = interpolate(template, env);
        this.templates.set(node, template);
        if (result.ok) {
          node.value = result.value;
          this.inserted.push(...result.inserted);
        } else {
          const at = pathOfVisit(path, node);
          this.failedPaths.add(formatPath(at));
          this.issues.push(this.issueAtNode(node, at, result.message));
        }
      },
    });
  }

  /**
   * Relative file paths under `keys` become absolute against `baseDir` (the config file's
   * directory), as Prometheus resolves them, so a config works from any working directory.
   */
  resolvePaths(keys: ReadonlySet<string>, baseDir: string): void {
    visit(this.document, {
      Pair: (_key, pair) => {
        if (!isScalar(pair.key) || !keys.has(String(pair.key.value)) || !isScalar(pair.value)) return;
        const value = pair.value.value;
        if (typeof value === 'string' && value !== '' && !isAbsolute(value))
          pair.value.value = resolve(baseDir, value);
      },
    });
  }

  /**
   * The document as plain values. Aliases are expanded, up to MAX_ALIAS_EXPANSION nodes: enough
   * for a config that merges `<<: *defaults` into thousands of probes, while a "billion laughs"
   * document (aliases of aliases, growing exponentially) is refused with a located error rather
   * than eating the heap. yaml's own default of 100 refused ordinary configs with a stack trace.
   */
  toJS(): { value: unknown } | { issue: ConfigIssue } {
    const tooMany = this.aliasBeyondLimit();
    if (tooMany) {
      return {
        issue: this.issueAtNode(
          tooMany,
          [],
          `expected at most ${MAX_PLAIN_ALIASES} aliases (*name) in one file besides merge keys (<<: *name); split the file or use merge keys`,
        ),
      };
    }
    try {
      return { value: this.document.toJS({ maxAliasCount: MAX_ALIAS_EXPANSION }) };
    } catch (error) {
      if (!(error instanceof ReferenceError)) throw error;
      let firstAlias: Node | undefined;
      visit(this.document, {
        Alias: (_key, node) => {
          firstAlias = node;
          return visit.BREAK;
        },
      });
      return {
        issue: this.issueAtNode(
          firstAlias,
          [],
          `expected aliases (*name) to expand to at most ${MAX_ALIAS_EXPANSION} nodes in all; this file's expand to more (aliases of aliases grow exponentially)`,
        ),
      };
    }
  }

  /** The first alias past MAX_PLAIN_ALIASES that is not the value of a merge key, if any. */
  private aliasBeyondLimit(): Node | undefined {
    let count = 0;
    let found: Node | undefined;
    visit(this.document, {
      Pair: (_key, pair) => {
        // A merge key's alias is cheap: skip the pair's value when it is `<<`.
        if (isScalar(pair.key) && isMergeKey(pair.key.value)) return visit.SKIP;
        return undefined;
      },
      Alias: (_key, node) => {
        count += 1;
        if (count <= MAX_PLAIN_ALIASES) return undefined;
        found = node;
        return visit.BREAK;
      },
    });
    return found;
  }

  /** The deepest node that exists along the path, and how many segments of the path it covers. */
  private nearest(path: readonly PathSegment[]): { node: Node | undefined; depth: number } {
    for (let depth = path.length; depth >= 0; depth--) {
      const node = depth === 0 ? this.document.contents : this.document.getIn(path.slice(0, depth), true);
      if (node && typeof node === 'object') return { node: node as Node, depth };
    }
    return { node: undefined, depth: 0 };
  }

  position(node: Node | undefined): { line: number; column: number } {
    const offset = node?.range?.[0] ?? 0;
    const { line, col } = this.lineCounter.linePos(offset);
    return { line, column: col };
  }

  issueAtNode(node: Node | undefined, path: readonly PathSegment[], message: string): ConfigIssue {
    return { file: this.file, ...this.position(node), path: formatPath(path), message };
  }

  /** An issue at `path`; `got` appends what was written there. */
  issueAt(path: readonly PathSegment[], message: string, options: { got?: boolean } = {}): ConfigIssue {
    const { node, depth } = this.nearest(path);
    if (depth < path.length) {
      // The key itself is missing: point at its parent mapping.
      const missing = path[depth];
      const text =
        typeof missing === 'string' && depth === path.length - 1
          ? `missing required key "${missing}": ${message}`
          : message;
      return this.issueAtNode(node, path, text);
    }
    return this.issueAtNode(node, path, options.got ? `${message}, got ${this.describe(node)}` : message);
  }

  /** An issue at a mapping's key (for unknown keys), so the editor lands on the typo. */
  issueAtKey(mapPath: readonly PathSegment[], key: string, message: string): ConfigIssue {
    const { node } = this.nearest(mapPath);
    if (isMap(node)) {
      const pair = node.items.find((item) => isScalar(item.key) && String(item.key.value) === key);
      if (pair && isScalar(pair.key)) return this.issueAtNode(pair.key, [...mapPath, key], message);
    }
    return this.issueAtNode(node, [...mapPath, key], message);
  }

  describe(node: Node | undefined): string {
    if (node === undefined) return 'nothing';
    const template = this.templates.get(node);
    if (template !== undefined) return JSON.stringify(template);
    if (isMap(node)) return 'a mapping';
    if (isSeq(node)) return 'a list';
    if (isScalar(node)) {
      if (node.value === null) return 'an empty value';
      return typeof node.value === 'string' ? JSON.stringify(node.value) : String(node.value);
    }
    return 'an alias';
  }

  keysAt(path: readonly PathSegment[]): string[] {
    const node = path.length === 0 ? this.document.contents : this.document.getIn(path, true);
    return isMap(node)
      ? node.items.map((item) => String(isScalar(item.key) ? item.key.value : item.key))
      : [];
  }
}

/** `<<`, which yaml represents as a symbol once merge keys are enabled. */
function isMergeKey(value: unknown): boolean {
  return value === '<<' || (typeof value === 'symbol' && value.description === '<<');
}

/** Reconstructs the key path of a node reached by `visit`. */
function pathOfVisit(ancestors: readonly unknown[], node: Node): PathSegment[] {
  const path: PathSegment[] = [];
  let child: unknown = node;
  for (let i = ancestors.length - 1; i >= 0; i--) {
    const parent = ancestors[i];
    if (isSeq(parent)) path.unshift(parent.items.indexOf(child as Node));
    else if (parent && typeof parent === 'object' && 'key' in parent && 'value' in parent) {
      const key = (parent as { key: unknown }).key;
      path.unshift(isScalar(key) ? String(key.value) : String(key));
    }
    child = parent;
  }
  return path;
}
