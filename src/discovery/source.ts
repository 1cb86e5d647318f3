/** What every discovery source tells its owner: the full set of targets, or why it could not read them. */
import type { DiscoveredTarget } from './target-groups.js';

export type SourceUpdate =
  | { readonly targets: readonly DiscoveredTarget[] }
  /** The source keeps the targets it last read; this says why they are not fresher. */
  | { readonly error: string };

export interface DiscoverySource {
  start(): void;
  stop(): void;
}

/** The most bytes a target file or an HTTP SD answer may have: 5,000 targets are about 0.5 MB. */
export const MAX_DOCUMENT_BYTES = 32 * 1024 * 1024;
