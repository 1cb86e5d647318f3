/**
 * `prismwatch agent`: a private location (agent/agent.ts), and `prismwatch agent token`, which
 * makes a token and the sha256 the control plane's config lists for it.
 */
import { createHash, randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import type { Command } from 'commander';
import { PrismwatchError } from '../errors.js';
import { collect } from './daemon-options.js';

export const AGENT_ENV = {
  controlPlane: 'PRISMWATCH_CONTROL_PLANE',
  token: 'PRISMWATCH_AGENT_TOKEN',
  location: 'PRISMWATCH_LOCATION',
  dataDir: 'PRISMWATCH_DATA_DIR',
} as const;

function usage(message: string): never {
  throw new PrismwatchError('PRISMWATCH_USAGE', message);
}

interface AgentFlags {
  controlPlane?: string[];
  location?: string;
  tokenFile?: string;
  dataDir?: string;
  caFile?: string;
  certFile?: string;
  keyFile?: string;
  outboxMaxResults?: string;
  logLevel?: string;
}

/** The token: from --token-file (first line), else PRISMWATCH_AGENT_TOKEN; never from a flag (it would show in `ps`). */
function readToken(flags: AgentFlags): string {
  if (flags.tokenFile) {
    let text: string;
    try {
      text = readFileSync(flags.tokenFile, 'utf8');
    } catch (error) {
      usage(
        `--token-file ${flags.tokenFile}: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}`,
      );
    }
    const token = text.split('\n')[0]!.trim();
    if (!token) usage(`--token-file ${flags.tokenFile} is empty`);
    return token;
  }
  const token = process.env[AGENT_ENV.token]?.trim();
  if (!token) usage(`an agent needs its token: --token-file <file> or env ${AGENT_ENV.token}`);
  return token;
}

function controlPlanes(flags: AgentFlags): string[] {
  const values = flags.controlPlane?.length
    ? flags.controlPlane
    : (process.env[AGENT_ENV.controlPlane]
        ?.split(',')
        .map((url) => url.trim())
        .filter(Boolean) ?? []);
  if (values.length === 0)
    usage(
      `an agent needs --control-plane <url> (repeatable; env ${AGENT_ENV.controlPlane}, comma-separated)`,
    );
  for (const value of values) {
    let url: URL | undefined;
    try {
      url = new URL(value);
    } catch {
      url = undefined;
    }
    if (!url || (url.protocol !== 'https:' && url.protocol !== 'http:'))
      usage(`--control-plane expects a URL like "https://prismwatch.example.com", got "${value}"`);
  }
  return values;
}

export function addAgentCommands(program: Command): void {
  const agent = program
    .command('agent')
    .description(
      "Run a private location: fetch this location's probes from a control plane, run them, and send the results back over one outbound HTTPS connection.",
    )
    .option(
      '--control-plane <url>',
      `the control plane's base URL (repeatable for an HA pair: tried in turn; env ${AGENT_ENV.controlPlane}, comma-separated)`,
      collect,
    )
    .option(
      '--location <name>',
      `this agent's location, as the control plane's agents: lists it (env ${AGENT_ENV.location}); informational: the token decides`,
    )
    .option('--token-file <file>', `a file holding the agent's token (else env ${AGENT_ENV.token})`)
    .option('--data-dir <path>', `where the outbox is kept (env ${AGENT_ENV.dataDir}, default ./data)`)
    .option('--ca-file <pem>', "CA certificate(s) to trust for the control plane (default: the system's)")
    .option('--cert-file <pem>', 'client certificate for mTLS')
    .option('--key-file <pem>', "client certificate's key")
    .option(
      '--outbox.max-results <n>',
      'results the outbox holds at most; the oldest go first (default 1000000)',
    )
    .option('--log.level <level>', 'log level (default info)')
    .action(async (flags: AgentFlags & Record<string, unknown>) => {
      const { runAgent } = await import('./run-agent.js');
      const max = flags['outbox.maxResults'] as string | undefined;
      const maxOutboxResults = max === undefined ? undefined : Number(max);
      if (
        maxOutboxResults !== undefined &&
        (!Number.isSafeInteger(maxOutboxResults) || maxOutboxResults < 1000)
      )
        usage(`--outbox.max-results expects a whole number of at least 1000, got "${max}"`);
      if ((flags.certFile === undefined) !== (flags.keyFile === undefined))
        usage('--cert-file and --key-file go together');
      process.exitCode = await runAgent({
        urls: controlPlanes(flags),
        token: readToken(flags),
        location: flags.location ?? process.env[AGENT_ENV.location] ?? '',
        dataDir: flags.dataDir ?? process.env[AGENT_ENV.dataDir] ?? 'data',
        ...(flags.caFile ? { caFile: flags.caFile } : {}),
        ...(flags.certFile ? { certFile: flags.certFile, keyFile: flags.keyFile! } : {}),
        ...(maxOutboxResults !== undefined ? { maxOutboxResults } : {}),
        logLevel: (flags['log.level'] as string | undefined) ?? process.env.PRISMWATCH_LOG_LEVEL ?? 'info',
      });
      process.exit(process.exitCode);
    });
  agent
    .command('token')
    .description(
      "Make a new agent token: prints the token (give it to the agent) and its sha256 (for the control plane's agents: entry).",
    )
    .action(() => {
      const token = randomBytes(32).toString('base64url');
      const hash = createHash('sha256').update(token).digest('hex');
      process.stdout.write(`token:        ${token}\ntoken_sha256: ${hash}\n`);
    });
}
