/**
 * `prismwatch incidents open|update|resolve`: incidents written for the status pages, through the
 * daemon's API (/api/v1/status-incidents). Each prints the incident's id and state; writes need
 * the API token from the environment.
 */
import { readFileSync } from 'node:fs';
import { type Command, Option } from 'commander';
import { PrismwatchError } from '../errors.js';
import { callDaemon, expectStatus } from './api-client.js';
import { daemonOptions, daemonUrl } from './daemon-options.js';
import { ENV } from './options.js';

const whoAmI = () => process.env.USER ?? process.env.LOGNAME ?? 'prismwatch-cli';

/** The command's options with its parent's: `--url` after the subcommand is taken by `incidents`. */
const allOptions = (own: Record<string, unknown>, command: Command) => ({
  ...command.optsWithGlobals(),
  ...own,
});

function printed(body: Record<string, unknown>): string {
  return `${String(body.id)} ${String(body.state)}\n`;
}

function postmortemText(file: string | undefined): string | undefined {
  if (file === undefined) return undefined;
  try {
    return readFileSync(file, 'utf8');
  } catch (error) {
    throw new PrismwatchError('PRISMWATCH_USAGE', `could not read ${file}: ${(error as Error).message}`);
  }
}

export function addWrittenIncidentCommands(incidents: Command): void {
  daemonOptions(
    incidents
      .command('open')
      .description(
        `Open an incident on the status pages; prints its id (needs the token in env ${ENV.apiToken}).`,
      )
      .argument('<title>', 'the headline people see'),
  )
    .requiredOption(
      '--component <name...>',
      "the affected components (as the status pages' config names them)",
    )
    .addOption(
      new Option('--impact <impact>', 'how bad it is')
        .choices(['degraded', 'partial_outage', 'major_outage', 'maintenance'])
        .default('partial_outage'),
    )
    .addOption(
      new Option('--state <state>', 'where the work is')
        .choices(['investigating', 'identified', 'monitoring'])
        .default('investigating'),
    )
    .requiredOption('-m, --message <text>', 'what people should know now')
    .option(
      '--from-incident <id>',
      'promote this alert-made incident (prismwatch incidents --json shows ids)',
    )
    .option('-a, --author <name>', 'who writes it (default: $USER)')
    .action(async (title: string, own: Record<string, unknown>, command: Command) => {
      const options = allOptions(own, command);
      const answer = await callDaemon(daemonUrl(options), '/api/v1/status-incidents', {
        method: 'POST',
        token: process.env[ENV.apiToken],
        body: {
          title,
          impact: options.impact,
          components: options.component,
          state: options.state,
          message: options.message,
          createdBy: (options.author as string | undefined) ?? whoAmI(),
          ...(options.fromIncident ? { fromIncident: options.fromIncident } : {}),
        },
      });
      process.stdout.write(printed(expectStatus(answer, 201)));
    });

  const update = (name: 'update' | 'resolve') =>
    daemonOptions(
      incidents
        .command(name)
        .description(
          name === 'update'
            ? 'Add an update to a written incident.'
            : 'Resolve a written incident, with a last update and optionally its post-mortem.',
        )
        .argument('<id>', 'the id `incidents open` printed'),
    )
      .requiredOption('-m, --message <text>', 'what people should know now')
      .option('--postmortem-file <file>', 'a post-mortem to show under the incident (plain text)')
      .option('-a, --author <name>', 'who writes it (default: $USER)');
  update('update')
    .addOption(
      new Option('--state <state>', 'where the work is')
        .choices(['investigating', 'identified', 'monitoring', 'resolved'])
        .makeOptionMandatory(),
    )
    .action(async (id: string, own: Record<string, unknown>, command: Command) => {
      await sendUpdate(id, allOptions(own, command), String(own.state));
    });
  update('resolve').action(async (id: string, own: Record<string, unknown>, command: Command) => {
    await sendUpdate(id, allOptions(own, command), 'resolved');
  });
}

async function sendUpdate(id: string, options: Record<string, unknown>, state: string): Promise<void> {
  const postmortem = postmortemText(options.postmortemFile as string | undefined);
  const answer = await callDaemon(
    daemonUrl(options),
    `/api/v1/status-incidents/${encodeURIComponent(id)}/updates`,
    {
      method: 'POST',
      token: process.env[ENV.apiToken],
      body: {
        state,
        message: options.message,
        createdBy: (options.author as string | undefined) ?? whoAmI(),
        ...(postmortem !== undefined ? { postmortem } : {}),
      },
    },
  );
  process.stdout.write(printed(expectStatus(answer, 200)));
}
