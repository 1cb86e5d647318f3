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
import { notifyTest } from '../notify/test-notification.js';
import { proberFor, shutdownProbers } from '../probers/index.js';
import { parseDuration } from '../util/duration.js';
import { readBaseline, regressions } from '../verify/baseline.js';
import { collect } from '../verify/collect.js';
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
import { buildReport } from '../verify/report.js';
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

export async function runVerify(
  options: VerifyOptions,
  out: NodeJS.WritableStream,
  err: NodeJS.WriteStream | NodeJS.WritableStream,
): Promise<number> {
  const format = (options.format ?? 'text') as Format;
  if (!FORMATS.includes(format))
    throw usage(`--format expects one of ${FORMATS.join(', ')}, got "${options.format}"`);
  const samples = Number(options.samples ?? '20');
  if (!Number.isInteger(samples) || samples < 1 || samples > 2_000)
    throw usage(`--samples expects a whole number from 1 to 2000, got "${options.samples}"`);
  const durationMs = options.duration === undefined ? 0 : parseDuration(options.duration);
  if (durationMs === undefined)
    throw usage(`--duration expects a duration like "60s", got "${options.duration}"`);
  const maxIncrease = Number((options.maxLatencyIncrease ?? '20%').replace(/%$/, '')) / 100;
  if (!Number.isFinite(maxIncrease) || maxIncrease < 0)
    throw usage(`--max-latency-increase expects a percentage like 20%, got "${options.maxLatencyIncrease}"`);
  const checklistFile = options.checklist ?? SHIPPED_CHECKLIST;
  let checklist = '';
  if (format === 'markdown') {
    try {
      checklist = readFileSync(checklistFile, 'utf8');
    } catch (error) {
      throw usage(
        `--checklist ${checklistFile}: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}`,
      );
    }
  }
  const baseline = options.baseline ? readBaseline(options.baseline) : undefined;

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
  const gates = evaluateGates(config, probes, collected);
  if (options.notifyTest) {
    const rows = await notifyTest(config, undefined, {
      log: createLogger({ level: 'silent' }),
      baseUrl: String(options.env.PRISMWATCH_URL ?? 'http://127.0.0.1:9797'),
    });
    gates.push(...notifyGates(rows));
  }
  if (baseline) gates.push(...regressions(gates, baseline, maxIncrease));
  const report = buildReport(gates, { ...collected, samples, probes: probes.length });
  const text =
    format === 'json'
      ? formatJson(report)
      : format === 'junit'
        ? formatJunit(report)
        : format === 'markdown'
          ? formatMarkdown(report, checklist)
          : formatText(report);
  if (options.output) {
    writeFileSync(options.output, text);
    if (format !== 'text') err.write(formatText(report));
  } else out.write(text);
  return report.ok ? 0 : 1;
}
