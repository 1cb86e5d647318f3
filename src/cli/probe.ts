/**
 * `prismwatch probe <target>`: one probe now, with a readable report. The options are turned into
 * the same YAML-shaped mapping a config file holds and validated by the same schema.
 */

import { join } from 'node:path';
import { interpolate } from '../config/interpolate.js';
import { probeSchemaFor } from '../config/schema.js';
import { PrismwatchError } from '../errors.js';
import { createLogger } from '../log.js';
import type { ProbeResult, ProbeSpec } from '../model/probe.js';
import type { AdHocOptions, KindInbox } from '../probers/definition.js';
import { displayTarget, proberFor, shutdownProbers } from '../probers/index.js';
import { renderProbeReport } from '../probers/report.js';
import { runProbe } from '../probers/run-probe.js';
import { Artifacts } from '../results/artifacts.js';
import { readKindStore } from '../state/kind-store.js';

/** `prismwatch probe` options: the common ones, and each kind's own (commander's option bag). */
interface ProbeCommandOptions extends AdHocOptions {
  readonly kind: string;
  readonly timeout: string;
  readonly json?: boolean;
}

export function buildAdHocSpec(target: string, options: ProbeCommandOptions): ProbeSpec {
  const prober = proberFor(options.kind);
  if (!prober) throw new PrismwatchError('PRISMWATCH_USAGE', `unknown probe kind "${options.kind}"`);
  const raw: Record<string, unknown> = {
    // A pushed-to kind reads a probe's stored state, which is kept by the probe's name.
    name: prober.inbox ? target : 'adhoc',
    kind: options.kind,
    timeout: options.timeout,
    ...(interpolateStrings(prober.cli.keys(target, options)) as Record<string, unknown>),
  };
  const parsed = probeSchemaFor(options.kind)!.safeParse(raw);
  if (!parsed.success) {
    const problems = parsed.error.issues.map(
      (issue) => `${issue.path.join('.') || 'target'}: ${issue.message}`,
    );
    throw new PrismwatchError('PRISMWATCH_USAGE', problems.join('\n'));
  }
  const { name, kind, timeout, ...rest } = parsed.data as Record<string, unknown> & { timeout: number };
  const settings = prober.toSettings(rest);
  const problems = prober.validate?.(settings, { timeoutMs: timeout }) ?? [];
  if (problems.length > 0)
    throw new PrismwatchError(
      'PRISMWATCH_USAGE',
      problems.map(([path, m]) => `${path.join('.')}: ${m}`).join('\n'),
    );
  return {
    name: String(name),
    kind: String(kind),
    timeoutMs: timeout,
    labels: {},
    settings,
    source: { file: '<command line>', line: 0 },
  };
}

/**
 * `${NAME}` in what the command line or a steps file gave, as a config file would have it, so a
 * password can stay in the environment here too.
 */
function interpolateStrings(value: unknown): unknown {
  if (typeof value === 'string') {
    const result = interpolate(value, process.env);
    if (!result.ok) throw new PrismwatchError('PRISMWATCH_USAGE', result.message);
    return result.value;
  }
  if (Array.isArray(value)) return value.map(interpolateStrings);
  if (value !== null && typeof value === 'object' && !(value instanceof RegExp))
    return Object.fromEntries(Object.entries(value).map(([key, item]) => [key, interpolateStrings(item)]));
  return value;
}

/** A pushed-to kind's inbox over a daemon's store, read-only (`--data-dir`); undefined without one. */
function readInbox(kind: string, dataDir: unknown): KindInbox | undefined {
  const inbox = proberFor(kind)?.inbox;
  if (!inbox || typeof dataDir !== 'string') return undefined;
  const store = readKindStore(dataDir, kind);
  if (!store)
    throw new PrismwatchError('PRISMWATCH_USAGE', `${dataDir} holds no prismwatch state (prismwatch.db)`);
  return inbox.create({ store, now: Date.now, receiving: false });
}

export async function runProbeCommand(
  target: string,
  options: ProbeCommandOptions,
  out: NodeJS.WritableStream,
): Promise<number> {
  const spec = buildAdHocSpec(target, options);
  const log = createLogger({ level: 'warn', pretty: false, destination: process.stderr as never });
  const result = await runProbe(spec, {
    log,
    inbox: readInbox(spec.kind, options.dataDir),
    artifacts: typeof options.screenshotDir === 'string' ? new Artifacts(options.screenshotDir) : undefined,
  }).finally(() => shutdownProbers());
  const described = displayTarget(spec);
  // The daemon serves a screenshot under /artifacts/…; here it is a file the user opens.
  const shot = result.facts.browser?.screenshot;
  if (shot?.startsWith('/artifacts/') && typeof options.screenshotDir === 'string') {
    const file = join(options.screenshotDir, shot.slice('/artifacts/'.length));
    (result as { facts: ProbeResult['facts'] }).facts = {
      ...result.facts,
      browser: { ...result.facts.browser!, screenshot: file },
    };
  }
  if (options.json) out.write(`${JSON.stringify({ target: described, ...result }, null, 2)}\n`);
  else out.write(renderProbeReport(described, result));
  return result.ok ? 0 : 1;
}
