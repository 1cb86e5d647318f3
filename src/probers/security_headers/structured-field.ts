/**
 * COOP and COEP as the Observatory reads them (src/analyzer/utils.js parseStructuredFieldToken,
 * called from tests/cross-origin-{opener,embedder}-policy.js with the value cut to 1,024
 * characters and trimmed): an RFC 8941 item whose bare item is a token, parsed by the same
 * library the Observatory uses (structured-headers). Strict, as the RFC is: whitespace before a
 * ";" makes the header invalid. A hand-written parser here once allowed it and scored
 * `require-corp ;report-to="e"` +10 where the Observatory says coep-header-invalid (−5).
 */
import { parseItem, Token } from 'structured-headers';

/** The item's token, or undefined when the text is not a token item. */
export function parseTokenItem(text: string): string | undefined {
  try {
    const [bare] = parseItem(text.slice(0, 1024).trim());
    return bare instanceof Token ? bare.toString() : undefined;
  } catch {
    return undefined;
  }
}
