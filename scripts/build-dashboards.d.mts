// Types for what tests import from build-dashboards.mjs.
import type { ProberDefinition } from '../src/probers/definition.js';

/** Dashboard uid → panel title → the probe kinds the panel applies to (unlisted: every kind). */
export const APPLIES_TO: Record<string, Record<string, string[]>>;
export const DASHBOARDS: Record<string, unknown>;
/** The dashboards for a kinds table, and which kinds each kind-specific panel applies to. */
export function buildDashboards(kinds: readonly ProberDefinition[]): {
  dashboards: Record<string, unknown>;
  appliesTo: Record<string, Record<string, string[]>>;
};
