#!/usr/bin/env node
/**
 * prismwatch's command line: run (the default) | check | probe | alerts [ack] | routes test | notify test |
 * silences list/add/expire | verify | rules export | schema.
 */
import { Command, Option } from 'commander';
import { PrismwatchError } from '../errors.js';
import { DEFAULT_EVALUATION_INTERVAL_MS } from '../rules/rule-loop.js';
import { VERSION } from '../version.js';
import { addAgentCommands } from './agent.js';
import { collect, daemonOptions, daemonUrl } from './daemon-options.js';
import { addOperationsCommands } from './operations-commands.js';
import { configEnvFor, ENV, resolveConfigPaths, resolveListenAddress } from './options.js';
import { addStateCommands } from './state-commands.js';

// Each command loads what it uses when it runs (dynamic imports in the actions): every command
// importing the whole daemon made `prismwatch --version` take 1.6 s of CPU, and 6 to 13 s on a
// busy machine. The probe kinds are loaded up front only when `probe`'s options or help need them.
const args = process.argv.slice(2);
const needsKinds =
  args.includes('probe') || args.includes('help') || args.includes('-h') || args.includes('--help');
const PROBERS: typeof import('../probers/index.js').PROBERS | Record<string, never> = needsKinds
  ? (await import('../probers/index.js')).PROBERS
  : {};
const loadConfigLazily = async () => (await import('../config/load.js')).loadConfig;

const program = new Command('prismwatch')
  .description(
    'Synthetic monitoring and alerting daemon: probes, Prometheus metrics, alerts, configured as code.',
  )
  .version(VERSION)
  .showHelpAfterError();

program
  .command('run', { isDefault: true })
  .description('Run the daemon: schedule probes and serve /metrics, /-/healthy, /-/ready and /-/reload.')
  .addOption(
    new Option(
      '-c, --config <path>',
      `config file or directory (repeatable; env ${ENV.config}, default ./probes and ./alerts)`,
    ).argParser(collect),
  )
  .addOption(
    new Option(
      '--web.listen-address <host:port>',
      `address to serve on (env ${ENV.listen}, default 127.0.0.1:9797)`,
    ),
  )
  .addOption(
    new Option('--log.level <level>', `log level (env ${ENV.logLevel})`).choices([
      'trace',
      'debug',
      'info',
      'warn',
      'error',
      'fatal',
    ]),
  )
  .option('--max-concurrency <n>', 'probe runs in flight at most (default 2000)')
  .option(
    '--probe-workers <n>',
    'worker threads that run probes; 1 runs them on the main thread (env PRISMWATCH_PROBE_WORKERS, default 1)',
  )
  .option(
    '--web.max-connections <n>',
    `client connections the server holds open at most; more are closed on accept (env ${ENV.maxConnections}, default 512)`,
  )
  .option(
    '--web.public-rate <n>',
    'requests a second one source may make to pings, the status page and artifacts (burst: 3×; more get 429) (default 20)',
  )
  .option(
    '--web.public-max-in-flight <n>',
    'unauthenticated requests answered at once, from all sources (more get 429) (default 64)',
  )
  .option(
    '--memory.heap-growth-percent <n>',
    `heap growth past the last full GC before the next, e.g. 50 for a smaller footprint (env ${ENV.heapGrowth}, default 0: V8 decides)`,
  )
  .option(
    '--metrics.exemplars',
    "answer scrapes that accept OpenMetrics (Prometheus does) in it, with each probe's last trace id as an exemplar on prismwatch_probe_duration_seconds (Prometheus stores them with --enable-feature=exemplar-storage)",
  )
  .option(
    '--tracing.otlp-endpoint <url>',
    'export each traced run (http, multi_http, browser) as an OTLP span with its phases, to this collector traces URL, e.g. http://collector:4318/v1/traces (env OTEL_EXPORTER_OTLP_TRACES_ENDPOINT; headers from OTEL_EXPORTER_OTLP_HEADERS)',
  )
  .option('--shard <i/n>', 'run only shard i of n of the probes (stable hash of the name), e.g. 1/3')
  .option(
    '--web.external-url <url>',
    `the URL prismwatch is reached under, for links in notifications and Alertmanager's generatorURL (env ${ENV.externalUrl}; the config's global.external_url wins; default: the listen address)`,
  )
  .option('--web.tls-cert-file <pem>', `serve HTTPS with this certificate chain (env ${ENV.tlsCertFile})`)
  .option('--web.tls-key-file <pem>', `and this private key (env ${ENV.tlsKeyFile})`)
  .option('--shutdown-grace <duration>', 'how long in-flight probes may finish on shutdown (default 10s)')
  .addOption(
    new Option('--rules.evaluation-interval <duration>', 'how often alert rules are evaluated (default 10s)'),
  )
  .option(
    '--data-dir <path>',
    `where alert state is kept across restarts (env ${ENV.dataDir}, default ./data)`,
  )
  .option(
    '--state.url <url>',
    `keep state in PostgreSQL, shared by several instances with one leader (env ${ENV.stateUrl}; default: SQLite in --data-dir)`,
  )
  .option(
    '--state.lease <duration>',
    'how long the leader holds its lease without renewing it: a dead leader is replaced within about 4/3 of it (default 8s)',
  )
  .option('--incidents.retention <duration>', 'how long incident history is kept (default 90d)')
  .option(
    '--history.retention <duration>',
    'how far back each probe keeps its samples in memory (default 30m; at least the longest rule window; 15 bytes a sample)',
  )
  .option(
    '--peer <url>',
    `another location's prismwatch whose probes the status page shows beside these (repeatable; env ${ENV.peers}, comma-separated)`,
    collect,
  )
  .option(
    '--location <name>',
    `where this instance probes from: a location label on every probe (env ${ENV.location})`,
  )
  .addOption(
    new Option(
      '--notify.mode <mode>',
      `which integrations send: all, forward-only (alertmanager_configs only: HA pairs), off (env ${ENV.notifyMode})`,
    ).choices(['all', 'forward-only', 'off']),
  )
  .action(async (options: Record<string, unknown>) => {
    const { runDaemon } = await import('./run.js');
    process.exitCode = await runDaemon({
      config: options.config as string[] | undefined,
      listenAddress: options['web.listenAddress'] as string | undefined,
      logLevel: options['log.level'] as string | undefined,
      maxConcurrency: options.maxConcurrency as string | undefined,
      probeWorkers: options.probeWorkers as string | undefined,
      maxConnections: options['web.maxConnections'] as string | undefined,
      publicRate: options['web.publicRate'] as string | undefined,
      publicMaxInFlight: options['web.publicMaxInFlight'] as string | undefined,
      heapGrowthPercent: options['memory.heapGrowthPercent'] as string | undefined,
      exemplars: options['metrics.exemplars'] === true,
      otlpEndpoint: options['tracing.otlpEndpoint'] as string | undefined,
      shutdownGrace: options.shutdownGrace as string | undefined,
      evaluationInterval: options['rules.evaluationInterval'] as string | undefined,
      dataDir: options.dataDir as string | undefined,
      stateUrl: options['state.url'] as string | undefined,
      stateLease: options['state.lease'] as string | undefined,
      shard: options.shard as string | undefined,
      tlsCertFile: options['web.tlsCertFile'] as string | undefined,
      tlsKeyFile: options['web.tlsKeyFile'] as string | undefined,
      externalUrl: options['web.externalUrl'] as string | undefined,
      incidentRetention: options['incidents.retention'] as string | undefined,
      location: options.location as string | undefined,
      notifyMode: options['notify.mode'] as string | undefined,
      peers: options.peer as string[] | undefined,
      historyRetention: options['history.retention'] as string | undefined,
    });
    // Open handles (keep-alive sockets of scrapers) must not hold a stopped daemon.
    process.exit(process.exitCode);
  });

program
  .command('check')
  .description('Validate configuration files; print every problem with file:line:column; exit 1 on any.')
  .argument('[paths...]', 'files or directories (default: ./probes and ./alerts)')
  .addOption(
    new Option(
      '--web.listen-address <host:port>',
      'the address the daemon will serve on, for ${PRISMWATCH_URL}',
    ),
  )
  .action(async (paths: string[], options: Record<string, unknown>) => {
    const { runCheck } = await import('./check.js');
    const env = configEnvFor(resolveListenAddress(options['web.listenAddress'] as string | undefined));
    process.exitCode = runCheck(resolveConfigPaths(paths), env, process.stdout, process.stderr);
  });

const probeCommand = program
  .command('probe')
  .description('Run one probe now and print a readable report (exit 1 if it fails).')
  .argument('<target>', probeTargetHelp())
  .option('-k, --kind <kind>', 'probe kind', 'http')
  .option('-t, --timeout <duration>', 'deadline for the whole probe', '10s');
// Each kind's own options, from its definition; kinds that share one (--insecure) list it once.
const probeFlags = new Set<string>();
/** Each kind's option, by commander's attribute name: its flag, and the kinds that take it. */
const kindOptions = new Map<string, { flag: string; kinds: string[] }>();
for (const prober of Object.values(PROBERS)) {
  for (const option of prober.cli.options ?? []) {
    const parsed = new Option(option.flags);
    const entry = kindOptions.get(parsed.attributeName()) ?? { flag: parsed.long ?? option.flags, kinds: [] };
    entry.kinds.push(prober.kind);
    kindOptions.set(parsed.attributeName(), entry);
    if (probeFlags.has(option.flags)) continue;
    probeFlags.add(option.flags);
    if (option.repeatable) probeCommand.option(option.flags, option.description, collect);
    else probeCommand.option(option.flags, option.description);
  }
}
probeCommand.option('--json', 'print the result as JSON').action(async (target: string, options) => {
  // A flag the chosen kind does not take would be ignored, and the probe would run without it
  // (--ca-file with security_headers once did): refuse instead, naming the kinds that take it.
  const kind = String(options.kind);
  for (const [name, { flag, kinds }] of kindOptions) {
    if (probeCommand.getOptionValueSource(name) === 'cli' && !kinds.includes(kind))
      throw new PrismwatchError(
        'PRISMWATCH_USAGE',
        `${flag} applies to ${kinds.join(', ')} probes, not ${kind}`,
      );
  }
  const { runProbeCommand } = await import('./probe.js');
  process.exitCode = await runProbeCommand(target, options, process.stdout);
});

/** "http, rate_limit: URL …; tcp, tls: host:port; …", from each kind's `cli.target`. */
function probeTargetHelp(): string {
  const kindsByText = new Map<string, string[]>();
  for (const prober of Object.values(PROBERS))
    kindsByText.set(prober.cli.target, [...(kindsByText.get(prober.cli.target) ?? []), prober.kind]);
  return [...kindsByText].map(([text, kinds]) => `${kinds.join(', ')}: ${text}`).join('; ');
}

const alerts = daemonOptions(
  program.command('alerts').description("List the running daemon's alerts (exit 1 while any is firing)."),
)
  .option('--json', 'print the alerts as JSON')
  .action(async (options: Record<string, unknown>) => {
    const { runAlertsCommand } = await import('./alerts.js');
    process.exitCode = await runAlertsCommand(
      daemonUrl(options),
      { json: options.json === true },
      process.stdout,
    );
  });
daemonOptions(
  alerts
    .command('ack')
    .description(
      'Acknowledge firing alerts (by fingerprint, or every one matching the matchers): their reminders and escalation stop, and the others paged are told who has them.',
    )
    .argument(
      '<fingerprint-or-matchers...>',
      'a fingerprint (prismwatch alerts --json), or matchers like alertname="ProbeDown" probe=api',
    ),
)
  .requiredOption('-a, --author <name>', 'who acknowledges')
  .option('--comment <text>', 'what you are doing about it', '')
  .action(async (selectors: string[], own: Record<string, unknown>, command: Command) => {
    const { alertsAck } = await import('./alerts-ack.js');
    // `--url` after `ack` is taken by `alerts` (which has it too): read both levels.
    const options = { ...command.optsWithGlobals(), ...own };
    process.exitCode = await alertsAck(
      daemonUrl(options),
      {
        selectors,
        author: options.author as string,
        comment: options.comment as string,
        token: process.env[ENV.apiToken],
      },
      process.stdout,
    );
  });

const routes = program.command('routes').description('Alert routing.');
routes
  .command('test')
  .description('Print the receivers an alert with these labels reaches (like amtool config routes test).')
  .argument('<labels...>', 'labels as name=value, e.g. severity=warning probe=api')
  .addOption(
    new Option(
      '-c, --config <path>',
      'config file or directory (repeatable; default ./probes and ./alerts)',
    ).argParser(collect),
  )
  .option('-v, --verbose', "show each route's grouping and timers and each receiver's integrations")
  .action(async (labels: string[], options: Record<string, unknown>) => {
    const { parseLabelArgs, routesTest } = await import('./routes.js');
    const config = (await loadConfigLazily())(
      resolveConfigPaths(options.config as string[] | undefined),
      configEnvFor(resolveListenAddress(undefined)),
    );
    process.stdout.write(routesTest(config, parseLabelArgs(labels), options.verbose === true));
  });

program
  .command('notify')
  .description('Notification channels.')
  .command('test')
  .description(
    'Send a marked test notification (then its resolution) through every integration of RECEIVER, or of all; exit 1 if any rejected it.',
  )
  .argument('[receiver]', 'the receiver to test (default: all)')
  .addOption(
    new Option(
      '-c, --config <path>',
      'config file or directory (repeatable; default ./probes and ./alerts)',
    ).argParser(collect),
  )
  .action(async (receiver: string | undefined, options: Record<string, unknown>) => {
    const { createLogger } = await import('../log.js');
    const { notifyTest } = await import('../notify/delivery/test-notification.js');
    const { notifyTestTable } = await import('./notify-test.js');
    const listen = resolveListenAddress(undefined);
    const config = (await loadConfigLazily())(
      resolveConfigPaths(options.config as string[] | undefined),
      configEnvFor(listen),
    );
    const log = createLogger({ level: 'error', pretty: false, destination: process.stderr as never });
    const rows = await notifyTest(config, receiver, { log, baseUrl: configEnvFor(listen).PRISMWATCH_URL! });
    process.stdout.write(notifyTestTable(rows));
    process.exitCode = rows.some((row) => row.outcome === 'rejected') ? 1 : 0;
  });

const silences = program
  .command('silences')
  .description(`Silences of the running daemon (writes need the token in env ${ENV.apiToken}).`);
daemonOptions(silences.command('list').description('List silences.'))
  .option('--json', 'print as JSON')
  .action(async (options: Record<string, unknown>) => {
    const { silencesList } = await import('./silences.js');
    process.exitCode = await silencesList(daemonUrl(options), options.json === true, process.stdout);
  });
daemonOptions(
  silences
    .command('add')
    .description('Silence alerts matching every matcher; prints the new silence id.')
    .argument('<matchers...>', 'matchers like severity="warning" probe=~"api.*"'),
)
  .requiredOption('-a, --author <name>', 'who creates the silence')
  .requiredOption('--comment <text>', 'why')
  .option('-d, --duration <duration>', 'how long it lasts', '1h')
  .action(async (matchers: string[], options: Record<string, unknown>) => {
    const { silencesAdd } = await import('./silences.js');
    process.exitCode = await silencesAdd(
      daemonUrl(options),
      {
        matchers,
        duration: options.duration as string,
        author: options.author as string,
        comment: options.comment as string,
        token: process.env[ENV.apiToken],
      },
      process.stdout,
    );
  });
daemonOptions(
  silences.command('expire').description('End a silence now.').argument('<id>', 'silence id'),
).action(async (id: string, options: Record<string, unknown>) => {
  const { silencesExpire } = await import('./silences.js');
  process.exitCode = await silencesExpire(daemonUrl(options), id, process.env[ENV.apiToken], process.stdout);
});

program
  .command('verify')
  .description(
    'Run the probes now, judge them by the alert rules, and exit 0 when every gate passes (1: a gate failed; 2: config error).',
  )
  .addOption(
    new Option(
      '-c, --config <path>',
      'config file or directory (repeatable; default ./probes and ./alerts)',
    ).argParser(collect),
  )
  .option('--samples <n>', 'runs of each HTTP probe, for error rate and p95 (default 20)')
  .option('--duration <duration>', 'spread the HTTP runs over this long (default: back to back)')
  .option('--probe <name>', 'only this probe (repeatable)', collect)
  .option('--label <name=value>', 'only probes with this label (repeatable)', collect)
  .addOption(new Option('--format <format>', 'output format').choices(['text', 'json', 'junit', 'markdown']))
  .option('-o, --output <file>', 'write the report here (a text summary still goes to stderr)')
  .option(
    '--baseline <file>',
    'a JSON report of an earlier run: fail on a lower security grade or slower p95',
  )
  .option('--max-latency-increase <percent>', 'with --baseline: allowed p95 increase (default 20%)')
  .option('--min-latency-increase <duration>', 'with --baseline: a smaller p95 rise is noise (default 100ms)')
  .option(
    '--max-error-increase <percent>',
    'with --baseline: allowed error ratio rise, in points (default 1%)',
  )
  .option('--checklist <file>', 'markdown checklist to tick (default: the shipped PrismAI checklist)')
  .option(
    '--notify-test',
    'also send a marked test notification through every integration; ticks "Email/SMS services configured" and "Webhook endpoints registered"',
  )
  .addOption(
    new Option('--web.listen-address <host:port>', 'the address for ${PRISMWATCH_URL} in config files'),
  )
  .action(async (options: Record<string, unknown>) => {
    const { runVerify } = await import('./verify.js');
    process.exitCode = await runVerify(
      {
        configPaths: resolveConfigPaths(options.config as string[] | undefined),
        env: configEnvFor(resolveListenAddress(options['web.listenAddress'] as string | undefined)),
        duration: options.duration as string | undefined,
        samples: options.samples as string | undefined,
        format: options.format as string | undefined,
        output: options.output as string | undefined,
        probes: options.probe as string[] | undefined,
        labels: options.label as string[] | undefined,
        baseline: options.baseline as string | undefined,
        maxLatencyIncrease: options.maxLatencyIncrease as string | undefined,
        minLatencyIncrease: options.minLatencyIncrease as string | undefined,
        maxErrorIncrease: options.maxErrorIncrease as string | undefined,
        checklist: options.checklist as string | undefined,
        notifyTest: options.notifyTest === true,
      },
      process.stdout,
      process.stderr,
    );
  });

addStateCommands(program);
addAgentCommands(program);

const rules = program.command('rules').description('Alert rules.');
rules
  .command('export')
  .description("Print the rules as Prometheus alerting rules over prismwatch's series (notes on stderr).")
  .argument('[paths...]', 'config files or directories (default: ./probes and ./alerts)')
  .option(
    '--quorum <k>',
    'several locations: critical rules fire when at least K locations see them, ProbeLocationDegraded (warning) when fewer do',
  )
  .action(async (paths: string[], options: Record<string, unknown>) => {
    const { exportPrometheusRules } = await import('../rules/export.js');
    const { exportSloRuleGroups } = await import('../slo/export.js');
    const config = (await loadConfigLazily())(
      resolveConfigPaths(paths),
      configEnvFor(resolveListenAddress(undefined)),
    );
    const quorum = options.quorum === undefined ? undefined : Number(options.quorum);
    if (quorum !== undefined && (!Number.isSafeInteger(quorum) || quorum < 1))
      throw new PrismwatchError(
        'PRISMWATCH_USAGE',
        `--quorum expects a whole number of at least 1, got "${options.quorum}"`,
      );
    const { yaml, notes } = exportPrometheusRules(
      config.rules,
      config.probes,
      exportSloRuleGroups(config.slos),
      quorum === undefined ? {} : { quorum },
    );
    process.stdout.write(yaml);
    for (const note of notes) process.stderr.write(`note: ${note}\n`);
  });

rules
  .command('pages')
  .description(
    'Print what pages when: for each rule and probe, the incident that notifies, how fast, and when it resolves (Markdown).',
  )
  .argument('[paths...]', 'config files or directories (default: ./probes and ./alerts)')
  .addOption(
    new Option('--rules.evaluation-interval <duration>', 'the evaluation interval to assume (default 10s)'),
  )
  .action(async (paths: string[], options: Record<string, unknown>) => {
    const { evaluationIntervalFlag } = await import('./run.js');
    const { whatPagesWhen } = await import('../verify/paging.js');
    const { pagingAssumptions, pagingTable } = await import('../verify/paging-table.js');
    const config = (await loadConfigLazily())(
      resolveConfigPaths(paths),
      configEnvFor(resolveListenAddress(undefined)),
    );
    const evaluation = options['rules.evaluationInterval'] as string | undefined;
    const evaluationMs =
      evaluation === undefined ? DEFAULT_EVALUATION_INTERVAL_MS : evaluationIntervalFlag(evaluation);
    process.stdout.write(pagingTable(whatPagesWhen(config, evaluationMs)));
    process.stdout.write(`\n${pagingAssumptions(evaluationMs)}\n`);
  });

addOperationsCommands(program);

program
  .command('schema')
  .description('Print the JSON Schema of config files (for yaml-language-server and other editors).')
  .action(async () => {
    const { buildJsonSchema } = await import('../config/schema.js');
    process.stdout.write(`${JSON.stringify(buildJsonSchema(), null, 2)}\n`);
  });

program.parseAsync(process.argv).catch((error: unknown) => {
  if (error instanceof PrismwatchError) {
    process.stderr.write(`prismwatch: ${error.message}\n`);
    process.exit(2);
  }
  process.stderr.write(`prismwatch: ${(error as Error)?.stack ?? String(error)}\n`);
  process.exit(1);
});
