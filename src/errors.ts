/**
 * Errors prismwatch itself raises, each with a stable `code`. Target failures are not here:
 * they are data (probers/failure.ts), never exceptions.
 */
const ERROR_CODES = {
  PRISMWATCH_CONFIG_INVALID: 'the configuration has errors; each issue names file, line, column and key',
  PRISMWATCH_CONFIG_NOT_FOUND: 'a configuration path given on the command line does not exist',
  PRISMWATCH_LISTEN_FAILED: 'the HTTP server could not bind its address',
  PRISMWATCH_USAGE: 'a command-line argument is malformed',
  PRISMWATCH_STATE: 'the state database (--state.url) cannot be reached, migrated or read',
} as const;

type ErrorCode = keyof typeof ERROR_CODES;

export class PrismwatchError extends Error {
  constructor(
    readonly code: ErrorCode,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.name = 'PrismwatchError';
  }
}

/** One problem in one config file, located for an editor jump: `file:line:column path: message`. */
export interface ConfigIssue {
  readonly file: string;
  readonly line: number;
  readonly column: number;
  /** Key path as written, e.g. `probes[2].timeout`; empty for file-level problems. */
  readonly path: string;
  readonly message: string;
}

function formatIssue(issue: ConfigIssue): string {
  const where = `${issue.file}:${issue.line}:${issue.column}`;
  return issue.path ? `${where} ${issue.path}: ${issue.message}` : `${where} ${issue.message}`;
}

export class ConfigError extends PrismwatchError {
  constructor(readonly issues: readonly ConfigIssue[]) {
    super('PRISMWATCH_CONFIG_INVALID', issues.map(formatIssue).join('\n'));
    this.name = 'ConfigError';
  }
}
