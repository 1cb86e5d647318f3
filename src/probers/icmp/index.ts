/**
 * `kind: icmp`: an ICMP echo burst — loss, round trip (min, average, max) and jitter — to a host,
 * over IPv4 or IPv6. Node has no ICMP sockets, so the run hands the echo to iputils `ping`, as
 * Uptime Kuma does: ping uses the kernel's unprivileged ICMP sockets where
 * `net.ipv4.ping_group_range` allows them, and otherwise needs root or CAP_NET_RAW; either way a
 * refusal is a clear `icmp_unavailable`, never a crash. The name is resolved here first, so the
 * resolve phase is timed and a bad name is the `dns_error` every kind reports.
 */
import { isIP } from 'node:net';
import * as z from 'zod';
import type { Failure } from '../../model/failure.js';
import type { ProbeContext, ProbeResult, ProbeSpec } from '../../model/probe.js';
import { durationMs } from '../../util/fields.js';
import { type ProgramRun, runProgram } from '../../util/run-program.js';
import { defineProber } from '../definition.js';
import { IP_CLI_OPTIONS, type IpSettings, ipCliKeys, ipShape, toIpSettings } from '../net/config.js';
import { resolveAddress } from '../net/connect.js';
import { type IcmpFacts, icmpFacts } from './facts.js';
import { parsePingOutput, rttSummary } from './ping-output.js';

declare module '../../model/failure.js' {
  interface KindFailureCodes {
    /** No echo reply came back: the host (or the path to it) is down, or drops ICMP. */
    icmp_no_reply: true;
    /** Some replies came, but more were lost than `max_loss` allows. */
    icmp_loss: true;
    /** prismwatch cannot send ICMP here: ping is missing or not permitted (see the message). */
    icmp_unavailable: true;
  }
}

interface IcmpSettings extends IpSettings {
  readonly target: string;
  readonly count: number;
  readonly packetIntervalMs: number;
  /** Fail when more than this share is lost (a run with no reply at all always fails). */
  readonly maxLoss?: number;
}

const HOST_MESSAGE = 'expected a host name or an IP address, without a port';
const host = z
  .string({ error: HOST_MESSAGE })
  .min(1, { message: HOST_MESSAGE })
  .max(253)
  .refine((text) => isIP(text) !== 0 || /^[a-zA-Z0-9]([a-zA-Z0-9.-]*[a-zA-Z0-9])?\.?$/.test(text), {
    message: HOST_MESSAGE,
  });

const icmpSettingsShape = {
  target: host,
  count: z.number().int().min(1).max(20).default(3),
  /** Between echo requests; ping refuses under 200 ms unless run as root. */
  packet_interval: durationMs({ minMs: 200, maxMs: 10_000 }).default(200),
  max_loss: z.number().min(0).max(1).optional(),
  ...ipShape,
};

type ParsedIcmp = z.infer<z.ZodObject<typeof icmpSettingsShape>>;

function toIcmpSettings(raw: Record<string, unknown>): IcmpSettings {
  const parsed = raw as ParsedIcmp;
  return {
    target: parsed.target,
    count: parsed.count,
    packetIntervalMs: parsed.packet_interval,
    ...(parsed.max_loss !== undefined ? { maxLoss: parsed.max_loss } : {}),
    ...toIpSettings(parsed),
  };
}

/** The ping binary; PRISMWATCH_PING points elsewhere (a test, an unusual install). */
const PING = process.env.PRISMWATCH_PING ?? 'ping';

async function resolveTarget(settings: IcmpSettings): Promise<{ address: string; family: 4 | 6 }> {
  const address = await resolveAddress(settings.target, settings);
  return { address, family: isIP(address) === 6 ? 6 : 4 };
}

function unavailable(run: ProgramRun): Failure | undefined {
  if (run.code === 'EMFILE' || run.code === 'ENFILE')
    return { code: 'fd_exhausted', message: `no file descriptor left to run ping (${run.code})` };
  if (run.missing)
    return {
      code: 'icmp_unavailable',
      message: `ping is not installed (${PING}): apt-get install iputils-ping`,
    };
  if (/not permitted|permission denied|socket:/i.test(run.errors))
    return {
      code: 'icmp_unavailable',
      message:
        "ICMP is not permitted here: run as root, give ping CAP_NET_RAW, or allow unprivileged ICMP sockets (sysctl net.ipv4.ping_group_range='0 2147483647')",
    };
  return undefined;
}

async function probeIcmp(ctx: ProbeContext, spec: ProbeSpec<IcmpSettings>): Promise<ProbeResult> {
  const { settings } = spec;
  const startedAt = ctx.now();
  const result = (
    failure: Failure | undefined,
    facts: IcmpFacts | undefined,
    resolveMs: number,
  ): ProbeResult => ({
    ok: failure === undefined,
    startedAt,
    durationMs: ctx.now() - startedAt,
    phases: { resolve: resolveMs, ...(facts?.rttAvgMs !== undefined ? { processing: facts.rttAvgMs } : {}) },
    ...(failure ? { failure } : {}),
    facts: facts ? { icmp: facts } : {},
  });
  let target: { address: string; family: 4 | 6 };
  try {
    target = await resolveTarget(settings);
  } catch (error) {
    return result(
      {
        code: 'dns_error',
        phase: 'resolve',
        message: `cannot resolve ${settings.target}: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}`,
      },
      undefined,
      ctx.now() - startedAt,
    );
  }
  const resolveMs = ctx.now() - startedAt;
  // Whole seconds for -w, the run's budget less what resolving took; ping prints its summary then.
  const leftMs = Math.max(1_000, ctx.deadline - ctx.now() - 100);
  const args = [
    '-n',
    `-${target.family}`,
    '-c',
    String(settings.count),
    '-i',
    (settings.packetIntervalMs / 1000).toFixed(3),
    '-w',
    String(Math.max(1, Math.floor(leftMs / 1000))),
    target.address,
  ];
  const run = await runProgram(PING, args, ctx.signal);
  const refused = unavailable(run);
  if (refused) return result(refused, undefined, resolveMs);
  const stats = parsePingOutput(run.output);
  if (!stats) {
    const why = run.errors.trim().split('\n')[0]?.slice(0, 200) || 'no summary (stopped at the deadline)';
    return result(
      ctx.signal.aborted
        ? { code: 'timeout', phase: 'processing', message: `no ping summary within ${spec.timeoutMs} ms` }
        : { code: 'icmp_unavailable', message: `ping failed: ${why}` },
      undefined,
      resolveMs,
    );
  }
  const rtt = rttSummary(stats.rttsMs);
  const lossRatio = stats.sent === 0 ? 1 : 1 - stats.received / stats.sent;
  const facts: IcmpFacts = {
    address: target.address,
    sent: stats.sent,
    received: stats.received,
    lossRatio,
    ...(rtt ? { rttMinMs: rtt.minMs, rttAvgMs: rtt.avgMs, rttMaxMs: rtt.maxMs, jitterMs: rtt.jitterMs } : {}),
    ...(stats.hopLimit !== undefined ? { hopLimit: stats.hopLimit } : {}),
  };
  let failure: Failure | undefined;
  if (stats.received === 0)
    failure = { code: 'icmp_no_reply', message: `no echo reply from ${target.address} (${stats.sent} sent)` };
  else if (settings.maxLoss !== undefined && lossRatio > settings.maxLoss)
    failure = {
      code: 'icmp_loss',
      message: `${Math.round(lossRatio * 100)} % of echo requests to ${target.address} lost (${stats.received} of ${stats.sent} answered), above max_loss ${Math.round(settings.maxLoss * 100)} %`,
    };
  return result(failure, facts, resolveMs);
}

export const icmpProber = defineProber<IcmpSettings>({
  kind: 'icmp',
  summary: 'ICMP echo burst: loss, round trip min/avg/max and jitter, IPv4 or IPv6 (iputils ping)',
  settingsShape: icmpSettingsShape,
  toSettings: toIcmpSettings,
  pathTarget: (settings) => settings.target,
  describeTarget: (settings) =>
    `icmp://${isIP(settings.target) === 6 ? `[${settings.target}]` : settings.target}`,
  probe: probeIcmp,
  facts: [icmpFacts],
  failureCodes: ['icmp_no_reply', 'icmp_loss', 'icmp_unavailable'],
  cli: {
    target: 'host',
    options: [{ flags: '--count <n>', description: 'echo requests to send (default 3)' }, ...IP_CLI_OPTIONS],
    keys: (target, options) => ({
      target,
      ...(options.count !== undefined ? { count: Number(options.count) } : {}),
      ...ipCliKeys(options),
    }),
  },
  dashboard: {
    phases: false,
    panels: [
      {
        title: 'ICMP round trip',
        type: 'timeseries',
        queries: [{ expr: 'prismwatch_icmp_rtt_seconds{probe="$probe"}', legend: '{{stat}}' }],
        unit: 's',
        description: 'Round trip of the last burst of echo requests: min, average, max and jitter.',
        emptyBecause: 'No echo replies: not an icmp probe, or nothing answered',
      },
      {
        title: 'ICMP loss',
        type: 'timeseries',
        queries: [{ expr: 'prismwatch_icmp_packet_loss_ratio{probe="$probe"}', legend: 'loss' }],
        unit: 'percentunit',
        max: 1,
        description: "Share of the last burst's echo requests that got no reply.",
        emptyBecause: 'No bursts: not an icmp probe',
      },
    ],
  },
  example: `- name: gateway
  kind: icmp
  target: 10.0.0.1
  count: 5
  max_loss: 0.2`,
});
