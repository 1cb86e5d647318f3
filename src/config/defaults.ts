/**
 * Defaults the command line needs before it knows which command runs. Kept apart from schema.ts,
 * which loads every probe kind: `prismwatch --version` and `alerts` should not pay for that.
 */
export const DEFAULT_LISTEN_ADDRESS = '127.0.0.1:9797';
export const DEFAULT_CONFIG_DIRS = ['probes', 'alerts'] as const;
