/**
 * The commands an operator runs against a live daemon around changes and incidents:
 * `maintenance start|list|end`, `incidents [open|update|resolve]`, `announcements add|list|end`. Writes need the API token from the environment.
 */
import { type Command, Option } from 'commander';
import { collect, daemonOptions, daemonUrl } from './daemon-options.js';
import {
  addAnnouncement,
  endAnnouncement,
  listAnnouncements,
  listIncidents,
  renderAnnouncements,
  renderIncidents,
} from './history.js';
import {
  describeStarted,
  endMaintenance,
  listMaintenance,
  renderMaintenance,
  startMaintenance,
} from './maintenance.js';
import { configEnvFor, ENV, resolveConfigPaths, resolveListenAddress } from './options.js';
import { addWrittenIncidentCommands } from './written-incidents.js';

const token = () => process.env[ENV.apiToken];
const whoAmI = () => process.env.USER ?? process.env.LOGNAME ?? 'prismwatch-cli';

export function addOperationsCommands(program: Command): void {
  const maintenance = program
    .command('maintenance')
    .description(
      `Ad-hoc maintenance windows of the running daemon (writes need the token in env ${ENV.apiToken}).`,
    );
  daemonOptions(
    maintenance
      .command('start')
      .description(
        'Open a window: probes matching every --matcher show "maintenance", their runs leave uptime, and the --mute alerts (default: all of theirs) do not notify. Prints the window id.',
      ),
  )
    .requiredOption('--matcher <matcher>', 'probes in scope, like service=api (repeatable)', collect)
    .option(
      '--mute <alertname>',
      'mute only this alert (repeatable); without it every alert in scope is muted',
      collect,
    )
    .option('--for <duration>', 'how long the window lasts', '1h')
    .option('-a, --author <name>', 'who opens it (default: $USER)')
    .option('--comment <text>', 'what the maintenance is', 'maintenance (prismwatch maintenance start)')
    .option('--counts-in-uptime', 'count runs in the window towards uptime and SLOs as usual')
    .action(async (options: Record<string, unknown>) => {
      const window = await startMaintenance(
        daemonUrl(options),
        {
          matchers: options.matcher as string[],
          mute: (options.mute as string[] | undefined) ?? [],
          duration: options.for as string,
          author: (options.author as string | undefined) ?? whoAmI(),
          comment: options.comment as string,
          countsInUptime: options.countsInUptime === true,
        },
        token(),
      );
      for (const warning of window.warnings ?? []) process.stderr.write(`warning: ${warning}\n`);
      process.stdout.write(describeStarted(window));
    });
  daemonOptions(maintenance.command('list').description('List pending, active and recently ended windows.'))
    .option('--json', 'print as JSON')
    .action(async (options: Record<string, unknown>) => {
      const windows = await listMaintenance(daemonUrl(options));
      process.stdout.write(
        options.json ? `${JSON.stringify(windows, null, 2)}\n` : renderMaintenance(windows),
      );
    });
  daemonOptions(
    maintenance
      .command('end')
      .description('End a window now (or cancel a pending one).')
      .argument('<id>', 'window id'),
  ).action(async (id: string, options: Record<string, unknown>) => {
    process.stdout.write(`${id} ${await endMaintenance(daemonUrl(options), id, token())}\n`);
  });

  const incidents = daemonOptions(
    program
      .command('incidents')
      .description(
        'List the incident history: every alert that fired, newest first, with what was sent. `open`, `update` and `resolve` write incidents for the status pages.',
      ),
  )
    .option('--since <time>', 'only incidents still open or ended after this RFC 3339 time')
    .option('--probe <name>', "only this probe's incidents")
    .option('--limit <n>', 'at most this many (default 1000)')
    .option('--json', 'print as JSON')
    .action(async (options: Record<string, unknown>) => {
      const list = await listIncidents(daemonUrl(options), {
        since: options.since as string | undefined,
        probe: options.probe as string | undefined,
        limit: options.limit as string | undefined,
      });
      process.stdout.write(options.json ? `${JSON.stringify(list, null, 2)}\n` : renderIncidents(list));
    });
  addWrittenIncidentCommands(incidents);

  const announcements = program
    .command('announcements')
    .description(`What the status page says at its top (writes need the token in env ${ENV.apiToken}).`);
  daemonOptions(
    announcements
      .command('add')
      .description('Announce; prints the id.')
      .argument('<text>', 'the announcement'),
  )
    .addOption(
      new Option('--severity <severity>', 'how it is shown')
        .choices(['info', 'warning', 'critical'])
        .default('info'),
    )
    .option('--for <duration>', 'how long it is shown', '4h')
    .option('-a, --author <name>', 'who announces (default: $USER)')
    .action(async (textArg: string, options: Record<string, unknown>) => {
      const created = await addAnnouncement(
        daemonUrl(options),
        {
          text: textArg,
          severity: options.severity as string,
          duration: options.for as string,
          author: (options.author as string | undefined) ?? whoAmI(),
        },
        token(),
      );
      process.stdout.write(`${created.id}\n`);
    });
  daemonOptions(announcements.command('list').description('List the active announcements.'))
    .option('--json', 'print as JSON')
    .action(async (options: Record<string, unknown>) => {
      const list = await listAnnouncements(daemonUrl(options));
      process.stdout.write(options.json ? `${JSON.stringify(list, null, 2)}\n` : renderAnnouncements(list));
    });
  daemonOptions(
    announcements
      .command('end')
      .description('Take an announcement down now.')
      .argument('<id>', 'announcement id'),
  ).action(async (id: string, options: Record<string, unknown>) => {
    process.stdout.write(`${id} ${await endAnnouncement(daemonUrl(options), id, token())}\n`);
  });

  addDeployCommands(program);
}

const DEFAULT_STATE_FILE = '.prismwatch-deploy.json';

function addDeployCommands(program: Command): void {
  const deploy = program
    .command('deploy')
    .description(
      "The checklist's deployment section around a rollout: `start` before it, `finish` after (the window needs the token in env " +
        `${ENV.apiToken}).`,
    );
  const common = (command: Command) =>
    daemonOptions(command)
      .addOption(
        new Option(
          '-c, --config <path>',
          'config file or directory (repeatable; default ./probes and ./alerts)',
        ).argParser(collect),
      )
      .option('--state <file>', 'where start saves the baseline and finish reads it', DEFAULT_STATE_FILE)
      .option('--samples <n>', 'runs of each HTTP probe (default 20)');
  common(
    deploy
      .command('start')
      .description(
        'Run verify as the baseline and save it; open a maintenance window muting only ProbeDown (or --mute) of the services deployed, and print what it muted.',
      ),
  )
    .option(
      '--service <name>',
      'a service being deployed: probes with label service=NAME (repeatable; default: every probe)',
      collect,
    )
    .option('--matcher <matcher>', 'the window scope instead of the services (repeatable)', collect)
    .option(
      '--mute <alertname>',
      'alerts the rollout is expected to trip (repeatable; default ProbeDown)',
      collect,
    )
    .option('--for <duration>', 'the window ends on its own after this, if finish never runs', '30m')
    .option('-a, --author <name>', 'who deploys (default: $USER)')
    .option('--no-maintenance', 'only the baseline, no window (no daemon to talk to)')
    .action(async (options: Record<string, unknown>) => {
      const { deployStart } = await import('./deploy.js');
      process.exitCode = await deployStart(
        {
          configPaths: resolveConfigPaths(options.config as string[] | undefined),
          env: configEnvFor(resolveListenAddress(options['web.listenAddress'] as string | undefined)),
          daemonUrl: daemonUrl(options),
          token: token(),
          stateFile: options.state as string,
          ...(options.samples ? { samples: options.samples as string } : {}),
          services: (options.service as string[] | undefined) ?? [],
          matchers: (options.matcher as string[] | undefined) ?? [],
          mute: (options.mute as string[] | undefined) ?? ['ProbeDown'],
          windowFor: options.for as string,
          author: (options.author as string | undefined) ?? whoAmI(),
          noMaintenance: options.maintenance === false,
        },
        process.stdout,
        process.stderr,
      );
    });
  common(
    deploy
      .command('finish')
      .description(
        'End the window, watch the deployed probes and compare them with the baseline (error ratio, p95, security grade, certificate); exit 0 or 1.',
      ),
  )
    .option('--watch <duration>', 'spread the runs over this long', '2m')
    .addOption(
      new Option('--format <format>', 'output format').choices(['text', 'json', 'junit', 'markdown']),
    )
    .option('-o, --output <file>', 'write the report here (a text summary still goes to stderr)')
    .option('--checklist <file>', 'markdown checklist to tick (default: the shipped PrismAI checklist)')
    .option('--max-latency-increase <percent>', 'allowed p95 increase (default 20%)')
    .option('--min-latency-increase <duration>', 'a smaller p95 rise is noise (default 100ms)')
    .option('--max-error-increase <percent>', 'allowed error ratio rise, in points (default 1%)')
    .action(async (options: Record<string, unknown>) => {
      const { deployFinish } = await import('./deploy.js');
      process.exitCode = await deployFinish(
        {
          configPaths: options.config ? resolveConfigPaths(options.config as string[]) : [],
          env: configEnvFor(resolveListenAddress(options['web.listenAddress'] as string | undefined)),
          daemonUrl: daemonUrl(options),
          token: token(),
          stateFile: options.state as string,
          ...(options.samples ? { samples: options.samples as string } : {}),
          watch: options.watch as string,
          ...(options.format ? { format: options.format as string } : {}),
          ...(options.output ? { output: options.output as string } : {}),
          ...(options.checklist ? { checklist: options.checklist as string } : {}),
          ...(options.maxLatencyIncrease ? { maxLatencyIncrease: options.maxLatencyIncrease as string } : {}),
          ...(options.minLatencyIncrease ? { minLatencyIncrease: options.minLatencyIncrease as string } : {}),
          ...(options.maxErrorIncrease ? { maxErrorIncrease: options.maxErrorIncrease as string } : {}),
        },
        process.stdout,
        process.stderr,
      );
    });
}
