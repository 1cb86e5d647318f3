/**
 * `prismwatch probe <target>`: one probe now, with a readable report. The options are turned into
 * the same YAML-shaped mapping a config file holds and validated by the same schema.
 */

import { probeSchemaFor } from '../config/schema.js';
import { PrismwatchError } from '../errors.js';
import { createLogger } from '../log.js';
import type { ProbeSpec } from '../model/probe.js';
import { proberFor } from '../probers/index.js';
import { renderProbeReport } from '../probers/report.js';
import { runProbe } from '../probers/run-probe.js';

export interface ProbeCommandOptions {
  readonly kind: string;
  readonly timeout: string;
  readonly method?: string;
  readonly header?: string[];
  readonly body?: string;
  readonly insecure?: boolean;
  readonly caFile?: string;
  readonly status?: string[];
  readonly json?: boolean;
  readonly server?: string;
  readonly type?: string;
}

/** How the command line's one positional target maps onto each kind's config keys. */
function targetKeys(kind: string, target: string, options: ProbeCommandOptions): Record<string, unknown> {
  switch (kind) {
    case 'http':
    case 'rate_limit':
    case 'security_headers':
      return { url: /^https?:\/\//.test(target) ? target : `http://${target}` };
    case 'dns':
      return {
        query_name: target,
        ...(options.server ? { server: options.server } : {}),
        ...(options.type ? { query_type: options.type.toUpperCase() } : {}),
      };
    case 'postgres':
    case 'mysql':
    case 'redis':
      return { url: target };
    case 'host':
      return { mounts: [target] };
    default:
      return { target };
  }
}

export function buildAdHocSpec(target: string, options: ProbeCommandOptions): ProbeSpec {
  const prober = proberFor(options.kind);
  if (!prober) throw new PrismwatchError('PRISMWATCH_USAGE', `unknown probe kind "${options.kind}"`);
  const raw: Record<string, unknown> = {
    name: 'adhoc',
    kind: options.kind,
    timeout: options.timeout,
    ...targetKeys(options.kind, target, options),
  };
  if ((options.kind === 'tls' || options.kind === 'tcp') && (options.insecure || options.caFile)) {
    raw.tls = {
      insecure_skip_verify: options.insecure ?? false,
      ...(options.caFile ? { ca_file: options.caFile } : {}),
    };
  }
  if (options.kind === 'http') {
    if (options.method) raw.method = options.method.toUpperCase();
    if (options.body !== undefined) raw.body = options.body;
    if (options.header?.length) {
      raw.headers = Object.fromEntries(
        options.header.map((line) => {
          const colon = line.indexOf(':');
          if (colon <= 0)
            throw new PrismwatchError('PRISMWATCH_USAGE', `header "${line}" is not "Name: value"`);
          return [line.slice(0, colon).trim(), line.slice(colon + 1).trim()];
        }),
      );
    }
    if (options.status?.length) raw.valid_status_codes = options.status;
    if (options.insecure || options.caFile) {
      raw.tls = {
        insecure_skip_verify: options.insecure ?? false,
        ...(options.caFile ? { ca_file: options.caFile } : {}),
      };
    }
  }
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

export async function runProbeCommand(
  target: string,
  options: ProbeCommandOptions,
  out: NodeJS.WritableStream,
): Promise<number> {
  const spec = buildAdHocSpec(target, options);
  const log = createLogger({ level: 'warn', pretty: false, destination: process.stderr as never });
  const result = await runProbe(spec, { log });
  const described = proberFor(spec.kind)!.describeTarget(spec.settings);
  if (options.json) out.write(`${JSON.stringify({ target: described, ...result }, null, 2)}\n`);
  else out.write(renderProbeReport(described, result));
  return result.ok ? 0 : 1;
}
