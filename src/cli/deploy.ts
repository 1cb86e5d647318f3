/**
 * `prismwatch deploy start|finish`: the checklist's deployment section as two commands around a
 * rollout. `start` runs verify as the baseline and saves it, and opens a maintenance window on
 * the running daemon that mutes only what a rollout is expected to trip (ProbeDown of the
 * services being deployed, by default): error rate, latency and security still page. `finish`
 * closes the window, watches the services for a while and compares them with the baseline (error
 * ratio, p95, security grade, certificate), then exits 0 or 1 with the checklist ticked.
 */
import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import type { Env } from '../config/interpolate.js';
import { loadConfig } from '../config/load.js';
import { PrismwatchError } from '../errors.js';
import { proberFor } from '../probers/index.js';
import type { VerifyReport } from '../verify/report.js';
import { describeStarted, endMaintenance, startMaintenance } from './maintenance.js';
import { checkFormat, checklistFor, verifyReport, writeReport } from './verify.js';

const STATE_VERSION = 1;

interface DeployState {
  readonly version: typeof STATE_VERSION;
  readonly startedAt: string;
  readonly daemonUrl: string;
  readonly windowId?: string;
  readonly probes: readonly string[];
  readonly configPaths: readonly string[];
  readonly baseline: VerifyReport;
}

interface Common {
  /** finish: empty to use the ones start used. */
  readonly configPaths: readonly string[];
  readonly env: Env;
  readonly daemonUrl: string;
  readonly token: string | undefined;
  readonly stateFile: string;
  readonly samples?: string;
}

export interface DeployStartOptions extends Common {
  readonly services: readonly string[];
  readonly matchers: readonly string[];
  readonly mute: readonly string[];
  readonly windowFor: string;
  readonly author: string;
  /** Only the baseline: no maintenance window (no daemon to talk to). */
  readonly noMaintenance: boolean;
}

export interface DeployFinishOptions extends Common {
  readonly watch: string;
  readonly format?: string;
  readonly output?: string;
  readonly checklist?: string;
  readonly maxLatencyIncrease?: string;
  readonly minLatencyIncrease?: string;
  readonly maxErrorIncrease?: string;
}

const usage = (message: string) => new PrismwatchError('PRISMWATCH_USAGE', message);
const regexAlternatives = (values: readonly string[]) =>
  values.map((value) => value.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')).join('|');

/** The probes a deploy of these services watches: theirs (label service), or every verifiable one. */
function deployedProbes(configPaths: readonly string[], env: Env, services: readonly string[]): string[] {
  const config = loadConfig(configPaths, env);
  const probes = config.probes.filter(
    (spec) =>
      spec.verify !== false &&
      !proberFor(spec.kind)?.inbox &&
      (services.length === 0 || services.includes(spec.labels.service ?? '')),
  );
  if (probes.length === 0)
    throw usage(
      `no probe to watch: none has the label service=${services.join('|')} (configured services: ${[...new Set(config.probes.map((spec) => spec.labels.service).filter(Boolean))].join(', ') || 'none'})`,
    );
  return probes.map((spec) => spec.name);
}

export async function deployStart(
  options: DeployStartOptions,
  out: NodeJS.WritableStream,
  err: NodeJS.WriteStream | NodeJS.WritableStream,
): Promise<number> {
  const probes = deployedProbes(options.configPaths, options.env, options.services);
  const baseline = await verifyReport(
    {
      configPaths: options.configPaths,
      env: options.env,
      probes,
      ...(options.samples ? { samples: options.samples } : {}),
    },
    err,
  );
  const { passed, failed } = baseline.summary;
  out.write(
    `Baseline: ${passed} gates passed, ${failed} failed over ${probes.length} probe(s): ${probes.join(', ')}\n`,
  );
  if (!baseline.ok)
    out.write(
      `warning: the current version already fails ${failed} gate(s) (${baseline.gates
        .filter((gate) => gate.status === 'fail')
        .map((gate) => gate.id)
        .join(', ')}); deploy finish holds the new version to the same gates\n`,
    );
  let windowId: string | undefined;
  if (!options.noMaintenance) {
    const matchers =
      options.matchers.length > 0
        ? options.matchers
        : options.services.length > 0
          ? [`service=~"${regexAlternatives(options.services)}"`]
          : [`probe=~"${regexAlternatives(probes)}"`];
    const window = await startMaintenance(
      options.daemonUrl,
      {
        matchers,
        mute: options.mute,
        duration: options.windowFor,
        author: options.author,
        comment: `deploy of ${options.services.join(', ') || 'every service'} (prismwatch deploy start)`,
        countsInUptime: false,
      },
      options.token,
    );
    windowId = window.id;
    out.write(describeStarted(window).split('\n').slice(1).join('\n'));
    out.write(
      `Still paging: every other alert of these probes (error rate, latency, security, certificates) and everything else. End it with: prismwatch deploy finish\n`,
    );
  }
  const state: DeployState = {
    version: STATE_VERSION,
    startedAt: new Date().toISOString(),
    daemonUrl: options.daemonUrl,
    ...(windowId ? { windowId } : {}),
    probes,
    configPaths: options.configPaths,
    baseline,
  };
  writeFileSync(options.stateFile, `${JSON.stringify(state, null, 2)}\n`);
  out.write(`Saved the baseline to ${options.stateFile}\n`);
  return 0;
}

function readState(file: string): DeployState {
  let state: DeployState;
  try {
    state = JSON.parse(readFileSync(file, 'utf8')) as DeployState;
  } catch (error) {
    throw usage(
      `--state ${file}: ${(error as NodeJS.ErrnoException).code === 'ENOENT' ? 'not found: run prismwatch deploy start first' : (error as Error).message}`,
    );
  }
  if (state?.version !== STATE_VERSION || !state.baseline || !Array.isArray(state.probes))
    throw usage(`--state ${file}: expected what prismwatch deploy start saved (version ${STATE_VERSION})`);
  return state;
}

export async function deployFinish(
  options: DeployFinishOptions,
  out: NodeJS.WritableStream,
  err: NodeJS.WriteStream | NodeJS.WritableStream,
): Promise<number> {
  const format = checkFormat(options.format);
  const checklist = checklistFor(format, options.checklist);
  const state = readState(options.stateFile);
  if (state.windowId) {
    // Closed before watching: from here on, the new version pages like any other.
    try {
      const ended = await endMaintenance(state.daemonUrl, state.windowId, options.token);
      err.write(`Maintenance window ${state.windowId} ${ended}\n`);
    } catch (error) {
      err.write(
        `warning: could not end maintenance window ${state.windowId} (${(error as Error).message}); it ends on its own\n`,
      );
    }
  }
  const report = await verifyReport(
    {
      configPaths: options.configPaths.length > 0 ? options.configPaths : state.configPaths,
      env: options.env,
      probes: state.probes,
      duration: options.watch,
      ...(options.samples ? { samples: options.samples } : {}),
      baselineReport: state.baseline,
      ...(options.maxLatencyIncrease ? { maxLatencyIncrease: options.maxLatencyIncrease } : {}),
      ...(options.minLatencyIncrease ? { minLatencyIncrease: options.minLatencyIncrease } : {}),
      ...(options.maxErrorIncrease ? { maxErrorIncrease: options.maxErrorIncrease } : {}),
    },
    err,
  );
  writeReport(report, format, checklist, options.output, out, err);
  rmSync(options.stateFile, { force: true });
  return report.ok ? 0 : 1;
}
