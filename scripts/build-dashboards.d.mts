// Types for what tests import from build-dashboards.mjs.

/** Dashboard uid → panel title → the probe kinds the panel applies to (unlisted: every kind). */
export const APPLIES_TO: Record<string, Record<string, string[]>>;
export const DASHBOARDS: Record<string, unknown>;
