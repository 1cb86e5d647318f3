/**
 * The Content-Security-Policy test (Observatory src/analyzer/tests/csp.js and cspParser.js):
 * header and <meta http-equiv> policies, combined by keeping only what every policy allows, then
 * checked in the Observatory's order, the first outcome that applies winning.
 */
import { headerValue, result, type Scan, type TestResult } from './types.js';

type Policy = Map<string, string[]>;

const DANGEROUSLY_BROAD = new Set([
  'ftp:',
  'http:',
  'https:',
  '*',
  'http://*',
  'http://*.*',
  'https://*',
  'https://*.*',
]);
const REPEATABLE = new Set(['report-uri', 'report-to']);
const IGNORED_IN_META = new Set(['frame-ancestors', 'report-uri', 'sandbox']);
const PASSIVE = new Set(['img-src', 'media-src']);

const isNonceOrHash = (source: string) => /^'(nonce-|sha256-|sha384-|sha512-)/.test(source);

interface ParsedCsp {
  readonly policies: Policy[];
  readonly duplicateReports: boolean;
  readonly invalid: boolean;
}

/** One header value (possibly several policies separated by commas) or one meta policy. */
export function parseCsp(texts: readonly string[], fromMeta = false): ParsedCsp {
  const policies: Policy[] = [];
  let duplicateReports = false;
  let invalid = false;
  for (const text of texts) {
    for (const raw of text.split(',')) {
      const policyText = raw.trim();
      if (policyText.length < 6) {
        invalid = true;
        continue;
      }
      const policy: Policy = new Map();
      for (const part of policyText.split(';')) {
        const [name, ...sources] = part.trim().toLowerCase().split(/\s+/).filter(Boolean);
        if (!name) continue;
        if (fromMeta && IGNORED_IN_META.has(name)) continue;
        if (policy.has(name)) {
          if (REPEATABLE.has(name)) duplicateReports = true;
          else invalid = true;
          continue;
        }
        policy.set(name, sources);
      }
      policies.push(policy);
    }
  }
  return { policies, duplicateReports, invalid };
}

/**
 * A directive's sources, falling back to default-src without the sources `pruned` from it. In
 * csp.js, `script_src` and `style_src` are the default-src Set itself when they fall back to it,
 * and the nonce and 'strict-dynamic' steps delete from them: default-src loses those sources for
 * every directive read after, img-src and media-src included.
 */
function effective(policy: Policy, directive: string, pruned: ReadonlySet<string>): string[] {
  const own = policy.get(directive);
  if (own) return own;
  const fallback = policy.get('default-src');
  return fallback ? fallback.filter((source) => !pruned.has(source)) : ['*'];
}

/** A directive's effective sources across policies: only what every policy allows. */
function combined(
  policies: readonly Policy[],
  directive: string,
  pruned: ReadonlySet<string> = new Set(),
): string[] {
  const lists = policies.map((policy) => effective(policy, directive, pruned));
  return lists.reduce((kept, list) => kept.filter((source) => list.includes(source)));
}

function withoutUnsafeInlineIfNonced(sources: string[]): string[] {
  return sources.some(isNonceOrHash) ? sources.filter((s) => s !== "'unsafe-inline'") : sources;
}

function isUnsafeSource(source: string): boolean {
  return source === "'unsafe-inline'" || source === 'data:' || DANGEROUSLY_BROAD.has(source);
}

interface CspOutcome {
  readonly result: TestResult;
  /** Whether the header policies carry frame-ancestors (X-Frame-Options is then satisfied via CSP). */
  readonly headerHasFrameAncestors: boolean;
}

export function testCsp(scan: Scan, metaPolicies: readonly string[]): CspOutcome {
  const test = 'content-security-policy';
  const header = headerValue(scan.auto.headers, 'content-security-policy');
  const reportOnly = headerValue(scan.auto.headers, 'content-security-policy-report-only');
  const fromHeader = header === undefined ? undefined : parseCsp([header]);
  const fromMeta = metaPolicies.length > 0 ? parseCsp(metaPolicies, true) : undefined;
  const headerHasFrameAncestors =
    !!fromHeader && !fromHeader.invalid && fromHeader.policies.some((p) => p.has('frame-ancestors'));
  const outcome = (...args: Parameters<typeof result>) => ({
    result: result(...args),
    headerHasFrameAncestors,
  });

  if (!fromHeader && !fromMeta) {
    return reportOnly !== undefined
      ? outcome(test, 'csp-not-implemented-but-reporting-enabled', -25, false, reportOnly)
      : outcome(test, 'csp-not-implemented', -25, false);
  }
  const data = [header, ...metaPolicies].filter(Boolean).join(' | ');
  const policies = [...(fromHeader?.policies ?? []), ...(fromMeta?.policies ?? [])];
  const invalid = !!fromHeader?.invalid || !!fromMeta?.invalid || policies.length === 0;
  if (policies.length === 0) return outcome(test, 'csp-header-invalid', -25, false, data);
  // What csp.js deletes from the default-src Set through script_src or style_src (above).
  const scriptFromDefault = !policies.some((policy) => policy.has('script-src'));
  const styleFromDefault = !policies.some((policy) => policy.has('style-src'));
  const pruned = new Set<string>();
  const scriptBefore = combined(policies, 'script-src');
  let script = withoutUnsafeInlineIfNonced(scriptBefore);
  if (scriptFromDefault && script.length < scriptBefore.length) pruned.add("'unsafe-inline'");
  const nonced = script.some(isNonceOrHash);
  if (script.includes("'strict-dynamic'")) {
    if (!nonced) return outcome(test, 'csp-header-invalid', -25, false, data);
    // As csp.js drops them under strict-dynamic (tests/csp.js, "If a script-src uses
    // 'strict-dynamic'"): sources starting with a dangerously broad scheme or wildcard (so
    // http://cdn… and https://cdn… too), 'self' and 'unsafe-inline'. Bare hosts and data: stay,
    // and data: still counts as unsafe inline there.
    const dropped = script.filter(
      (source) =>
        [...DANGEROUSLY_BROAD].some((broad) => source.startsWith(broad)) ||
        source === "'self'" ||
        source === "'unsafe-inline'",
    );
    script = script.filter((source) => !dropped.includes(source));
    if (scriptFromDefault) for (const source of dropped) pruned.add(source);
  }
  const styleBefore = combined(policies, 'style-src', styleFromDefault ? pruned : new Set());
  const style = withoutUnsafeInlineIfNonced(styleBefore);
  if (styleFromDefault && style.length < styleBefore.length) pruned.add("'unsafe-inline'");
  const object = combined(policies, 'object-src', pruned);
  if (invalid) return outcome(test, 'csp-header-invalid', -25, false, data);
  if (script.some(isUnsafeSource) || object.some((source) => DANGEROUSLY_BROAD.has(source))) {
    return outcome(test, 'csp-implemented-with-unsafe-inline', -20, false, data);
  }
  const https = scan.auto.url.startsWith('https:');
  // csp.js's active sources: every directive but the passive ones and script-src (report-uri
  // and report-to included: an http: report endpoint counts), plus script-src as filtered
  // above. Where script-src falls back to default-src, csp.js filters that very set, so
  // default-src is read as filtered too.
  const insecure = (sources: readonly string[]) =>
    sources.some((s) => s.startsWith('http:') || s.startsWith('ftp:'));
  const insecureActive =
    insecure(script) ||
    policies.some((policy) =>
      [...policy].some(
        ([directive, sources]) =>
          !PASSIVE.has(directive) &&
          directive !== 'script-src' &&
          !(scriptFromDefault && directive === 'default-src') &&
          insecure(sources),
      ),
    );
  if (https && insecureActive) return outcome(test, 'csp-implemented-with-insecure-scheme', -20, false, data);
  if (script.includes("'unsafe-eval'") || style.includes("'unsafe-eval'")) {
    return outcome(test, 'csp-implemented-with-unsafe-eval', -10, false, data);
  }
  const passive = [...combined(policies, 'img-src', pruned), ...combined(policies, 'media-src', pruned)];
  let passed: [string, number];
  // tests/csp.js checks passive content, like active content, only on an https site.
  if (https && passive.some((s) => s.startsWith('http:') || s.startsWith('ftp:'))) {
    passed = ['csp-implemented-with-insecure-scheme-in-passive-content-only', -10];
  } else if (style.some(isUnsafeSource)) {
    passed = ['csp-implemented-with-unsafe-inline-in-style-src-only', 0];
  } else if (policies.every((policy) => policy.get('default-src')?.join(' ') === "'none'")) {
    passed = ['csp-implemented-with-no-unsafe-default-src-none', 10];
  } else {
    passed = ['csp-implemented-with-no-unsafe', 5];
  }
  if (fromHeader?.duplicateReports || fromMeta?.duplicateReports) {
    return outcome(test, 'csp-implemented-but-duplicate-directives', 0, true, data);
  }
  return outcome(test, passed[0], passed[1], true, data);
}
