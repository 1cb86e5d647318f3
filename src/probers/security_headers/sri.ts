/** Subresource Integrity on <script src> (Observatory subresource-integrity.js); the worst script wins. */
import { getDomain } from 'tldts';
import { isHtml } from './html.js';
import { headerValue, result, type ScanResponse, type TestResult } from './types.js';

/** Best to worst. */
const OUTCOMES: ReadonlyArray<[string, number, boolean]> = [
  ['sri-implemented-and-all-scripts-loaded-securely', 5, true],
  ['sri-implemented-and-external-scripts-loaded-securely', 5, true],
  ['sri-not-implemented-but-all-scripts-loaded-from-secure-origin', 0, true],
  ['sri-not-implemented-but-external-scripts-loaded-securely', -5, false],
  ['sri-implemented-but-external-scripts-not-loaded-securely', -20, false],
  ['sri-not-implemented-and-external-scripts-not-loaded-securely', -50, false],
];

export function testSri(
  response: ScanResponse,
  scripts: ReadonlyArray<{ src: string; integrity?: string }>,
): TestResult {
  const test = 'subresource-integrity';
  if (!isHtml(headerValue(response.headers, 'content-type')))
    return result(test, 'sri-not-implemented-response-not-html', 0, true);
  if (scripts.length === 0) return result(test, 'sri-not-implemented-but-no-scripts-loaded', 0, true);
  const page = new URL(response.url);
  const pageDomain = getDomain(page.hostname) ?? page.hostname;
  let worst = 0;
  for (const script of scripts) {
    const src = script.src.trim();
    const protocolRelative = src.startsWith('//');
    let url: URL;
    try {
      url = new URL(src, page);
    } catch {
      continue;
    }
    const absolute = /^[a-z][a-z0-9+.-]*:/i.test(src) || protocolRelative;
    const sameOrigin =
      !absolute || (!protocolRelative && (getDomain(url.hostname) ?? url.hostname) === pageDomain);
    const secure = !protocolRelative && url.protocol === 'https:';
    const integrity = script.integrity !== undefined && script.integrity.trim() !== '';
    let index: number;
    if (sameOrigin) index = integrity && secure ? 0 : 2;
    else if (integrity) index = secure ? 1 : 4;
    else index = secure ? 3 : 5;
    worst = Math.max(worst, index);
  }
  const [outcome, modifier, pass] = OUTCOMES[worst]!;
  return result(test, outcome, modifier, pass, scripts.map((s) => s.src).join(', '));
}
