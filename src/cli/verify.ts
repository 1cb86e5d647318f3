/**
 * `prismwatch verify`: the configured probes, run now, judged by the same rules, as a go-live
 * gate. Exit 0 when every gate passes, 1 when any fails, 2 for a configuration or usage error.
 * Nothing of a running daemon is read or written.
 */

import { readFileSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { Env } from '../config/interpolate.js';
import { loadConfig } from '../config/load.js';
import { PrismwatchError } from '../errors.js';
import { createLogger } from '../log.js';
import type { ProbeSpec } from '../model/probe.js';
import { notifyTest } from '../notify/delivery/test-notification.js';
import { proberFor, shutdownProbers } from '../probers/index.js';
import { parseDuration } from '../util/duration.js';
import { type RegressionLimits, readBaseline, regressions } from '../verify/baseline.js';
import { collect } from '../verify/collect.js';
import { configGates } from '../verify/config-gates.js';
import {
  FORMATS,
  type Format,
  formatJson,
  formatJunit,
  formatMarkdown,
  formatText,
} from '../verify/formats.js';
import { evaluateGates } from '../verify/gates.js';
import { notifyGates } from '../verify/notify-gates.js';
import { buildReport, type VerifyReport } from '../verify/report.js';
import { parseLabelArgs } from './routes.js';

const SHIPPED_CHECKLIST = fileURLToPath(new URL('../../docs/deployment-checklist.md', import.meta.url));

interface VerifyOptions {
  readonly configPaths: readonly string[];
  readonly env: Env;
  readonly duration?: string;
  readonly samples?: string;
  readonly format?: string;
  readonly output?: string;
  readonly probes?: readonly string[];
  readonly labels?: readonly string[];
  readonly baseline?: string;
  readonly maxLatencyIncrease?: string;
  /** A p95 rise smaller than this is noise, whatever its share (default 100ms). */
  readonly minLatencyIncrease?: string;
  /** Allowed rise of the error ratio over the baseline's (default 1%). */
  readonly maxErrorIncrease?: string;
  readonly checklist?: string;
  /** Send a test notification through every integration and gate on the answers. */
  readonly notifyTest?: boolean;
}

function usage(message: string): PrismwatchError {
  return new PrismwatchError('PRISMWATCH_USAGE', message);
}

function selectProbes(
  all: readonly ProbeSpec[],
  names: readonly string[],
  labels: Record<string, string>,
): ProbeSpec[] {
  for (const name of names) {
    if (!all.some((spec) => spec.name === name))
      throw usage(`--probe ${name}: no such probe (configured: ${all.map((spec) => spec.name).join(', ')})`);
  }
  return all.filter(
    (spec) =>
      // Named explicitly, a probe runs even with verify: false. Pushed-to kinds (heartbeats) are
      // judged by what a running daemon received: verify has nothing to judge them by.
      (names.length === 0
        ? spec.verify !== false && !proberFor(spec.kind)?.inbox
        : names.includes(spec.name)) &&
      Object.entries(labels).every(([key, value]) => spec.labels[key] === value),
  );
}

/** Reads the options, runs the probes and judges them: the report, not yet formatted. */
export async function verifyReport(
  options: VerifyOptions & { readonly baselineReport?: VerifyReport },
  err: NodeJS.WriteStream | NodeJS.WritableStream,
): Promise<VerifyReport> {
  const samples = Number(options.samples ?? '20');
  if (!Number.isInteger(samples) || samples < 1 || samples > 2_000)
    throw usage(`--samples expects a whole number from 1 to 2000, got "${options.samples}"`);
  const durationMs = options.duration === undefined ? 0 : parseDuration(options.duration);
  if (durationMs === undefined)
    throw usage(`--duration expects a duration like "60s", got "${options.duration}"`);
  const limits = regressionLimits(options);
  const baseline = options.baselineReport ?? (options.baseline ? readBaseline(options.baseline) : undefined);

  const config = loadConfig(options.configPaths, options.env);
  const probes = selectProbes(config.probes, options.probes ?? [], parseLabelArgs(options.labels ?? []));
  if (probes.length === 0) throw usage('no probes selected: check --probe and --label');

  const tty = 'isTTY' in err && err.isTTY === true;
  const collected = await collect(probes, {
    samples,
    durationMs,
    log: createLogger({ level: 'silent' }),
    ...(tty ? { onRun: (done: number, total: number) => err.write(`\rverify: ${done}/${total} runs`) } : {}),
  }).finally(() => shutdownProbers());
  if (tty) err.write('\r\u001b[K');
  const gates = [...evaluateGates(config, probes, collected), ...configGates(config)];
  if (options.notifyTest) {
    const rows = await notifyTest(config, undefined, {
      log: createLogger({ level: 'silent' }),
      baseUrl: String(options.env.PRISMWATCH_URL ?? 'http://127.0.0.1:9797'),
    });
    gates.push(...notifyGates(rows));
  }
  if (baseline) gates.push(...regressions(gates, baseline, limits, collected.finishedAt));
  return buildReport(gates, { ...collected, samples, probes: probes.length });
}

/** --max-latency-increase, --min-latency-increase and --max-error-increase, checked. */
function regressionLimits(options: VerifyOptions): RegressionLimits {
  const percent = (flag: string, text: string) => {
    const value = Number(text.replace(/%$/, '')) / 100;
    if (!Number.isFinite(value) || value < 0)
      throw usage(`${flag} expects a percentage like 20%, got "${text}"`);
    return value;
  };
  const floor = parseDuration(options.minLatencyIncrease ?? '100ms');
  if (floor === undefined)
    throw usage(
      `--min-latency-increase expects a duration like "100ms", got "${options.minLatencyIncrease}"`,
    );
  return {
    p95Share: percent('--max-latency-increase', options.maxLatencyIncrease ?? '20%'),
    p95FloorMs: floor,
    errorRatio: percent('--max-error-increase', options.maxErrorIncrease ?? '1%'),
  };
}

/** Reads the checklist a markdown report ticks ('' for other formats). */
export function checklistFor(format: Format, file: string | undefined): string {
  if (format !== 'markdown') return '';
  const checklistFile = file ?? SHIPPED_CHECKLIST;
  try {
    return readFileSync(checklistFile, 'utf8');
  } catch (error) {
    throw usage(
      `--checklist ${checklistFile}: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}`,
    );
  }
}

export function checkFormat(text: string | undefined): Format {
  const format = (text ?? 'text') as Format;
  if (!FORMATS.includes(format)) throw usage(`--format expects one of ${FORMATS.join(', ')}, got "${text}"`);
  return format;
}

/** Prints (or writes to --output, with a text summary on stderr) the report in its format. */
export function writeReport(
  report: VerifyReport,
  format: Format,
  checklist: string,
  output: string | undefined,
  out: NodeJS.WritableStream,
  err: NodeJS.WritableStream,
): void {
  const text =
    format === 'json'
      ? formatJson(report)
      : format === 'junit'
        ? formatJunit(report)
        : format === 'markdown'
          ? formatMarkdown(report, checklist)
          : formatText(report);
  if (output) {
    writeFileSync(output, text);
    if (format !== 'text') err.write(formatText(report));
  } else out.write(text);
}

export async function runVerify(
  options: VerifyOptions,
  out: NodeJS.WritableStream,
  err: NodeJS.WriteStream | NodeJS.WritableStream,
): Promise<number> {
  const format = checkFormat(options.format);
  const checklist = checklistFor(format, options.checklist);
  const report = await verifyReport(options, err);
  writeReport(report, format, checklist, options.output, out, err);
  return report.ok ? 0 : 1;
}
