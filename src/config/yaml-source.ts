/**
 * A YAML file kept as a document so every value can be traced back to its line and column,
 * with `${ENV}` interpolation applied to string values (never to keys) before validation.
 */

import { isAbsolute, resolve } from 'node:path';
import { type Document, isMap, isScalar, isSeq, LineCounter, type Node, parseDocument, visit } from 'yaml';
import type { ConfigIssue } from '../errors.js';
import { type Env, hasReference, interpolate } from './interpolate.js';

export type PathSegment = string | number;

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

  toJS(): unknown {
    return this.document.toJS({ maxAliasCount: 100 });
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
