/**
 * `kind: host`: the machine prismwatch runs on — memory used (from MemAvailable), free space per
 * mount (statfs, as df's "Avail"), load averages and file handles — so "high memory usage" and
 * "disk space low" from the checklist are watched out of the box. Optional limits turn the probe
 * into a failing check; alert rules read the same figures.
 */
import { readdir, readFile, statfs } from 'node:fs/promises';
import * as z from 'zod';
import type { Failure } from '../../model/failure.js';
import type { ProbeContext, ProbeResult, ProbeSpec } from '../../model/probe.js';
import { defineProber } from '../definition.js';
import { type HostFacts, hostFacts } from './facts.js';
import { parseFileNr, parseLoadavg, parseMeminfo } from './proc.js';

interface HostSettings {
  readonly mounts: readonly string[];
  readonly maxMemoryUsedRatio?: number;
  readonly minDiskFreeRatio?: number;
  /** Where /proc is; only tests of the parsers need another. */
  readonly procRoot: string;
}

const ratio = z.number({ error: 'expected a ratio between 0 and 1, like 0.8' }).min(0).max(1);

const hostSettingsShape = {
  mounts: z
    .array(z.string().startsWith('/', { message: 'expected an absolute path' }))
    .min(1)
    .default(['/']),
  max_memory_used_ratio: ratio.optional(),
  min_disk_free_ratio: ratio.optional(),
};

type ParsedHost = z.infer<z.ZodObject<typeof hostSettingsShape>>;

function toHostSettings(raw: Record<string, unknown>): HostSettings {
  const parsed = raw as ParsedHost;
  return {
    mounts: parsed.mounts,
    maxMemoryUsedRatio: parsed.max_memory_used_ratio,
    minDiskFreeRatio: parsed.min_disk_free_ratio,
    procRoot: '/proc',
  };
}

const percent = (value: number) => `${(value * 100).toFixed(1)}%`;

async function readDisks(mounts: readonly string[]): Promise<HostFacts['disks']> {
  return Promise.all(
    mounts.map(async (mount) => {
      const stats = await statfs(mount);
      const total = stats.blocks * stats.bsize;
      const free = stats.bavail * stats.bsize;
      return { mount, totalBytes: total, freeBytes: free, freeRatio: total > 0 ? free / total : 0 };
    }),
  );
}

async function probeHost(ctx: ProbeContext, spec: ProbeSpec<HostSettings>): Promise<ProbeResult> {
  const settings = spec.settings;
  const startedAt = ctx.now();
  const proc = settings.procRoot;
  let facts: HostFacts;
  try {
    const [meminfo, loadavg, fileNr, ownFds, disks] = await Promise.all([
      readFile(`${proc}/meminfo`, 'utf8'),
      readFile(`${proc}/loadavg`, 'utf8'),
      readFile(`${proc}/sys/fs/file-nr`, 'utf8'),
      readdir(`${proc}/self/fd`),
      readDisks(settings.mounts),
    ]);
    const memory = parseMeminfo(meminfo);
    const load = parseLoadavg(loadavg);
    const files = parseFileNr(fileNr);
    if (!memory || !load || !files) {
      const which = !memory ? 'meminfo' : !load ? 'loadavg' : 'sys/fs/file-nr';
      return failed(startedAt, ctx, { code: 'read_error', message: `could not parse ${proc}/${which}` });
    }
    facts = { memory, load, files, openFds: ownFds.length, disks };
  } catch (error) {
    const err = error as NodeJS.ErrnoException;
    return failed(startedAt, ctx, {
      code: 'read_error',
      message: `could not read ${err.path ?? 'host figures'}: ${err.code ?? err.message}`,
    });
  }
  let failure: Failure | undefined;
  if (settings.maxMemoryUsedRatio !== undefined && facts.memory.usedRatio > settings.maxMemoryUsedRatio) {
    failure = {
      code: 'threshold_exceeded',
      message: `memory used ${percent(facts.memory.usedRatio)}, above the limit of ${percent(settings.maxMemoryUsedRatio)}`,
    };
  }
  const low = facts.disks.find(
    (disk) => settings.minDiskFreeRatio !== undefined && disk.freeRatio < settings.minDiskFreeRatio,
  );
  if (!failure && low) {
    failure = {
      code: 'threshold_exceeded',
      message: `disk ${low.mount} has ${percent(low.freeRatio)} free, below the limit of ${percent(settings.minDiskFreeRatio!)}`,
    };
  }
  return {
    ok: failure === undefined,
    startedAt,
    durationMs: ctx.now() - startedAt,
    phases: {},
    failure,
    facts: { host: facts },
  };
}

function failed(startedAt: number, ctx: ProbeContext, failure: Failure): ProbeResult {
  return { ok: false, startedAt, durationMs: ctx.now() - startedAt, phases: {}, failure, facts: {} };
}

export const hostProber = defineProber<HostSettings>({
  kind: 'host',
  summary: 'The local machine: memory used, free disk per mount, load averages, file handles',
  settingsShape: hostSettingsShape,
  toSettings: toHostSettings,
  describeTarget: (settings) => `host (${settings.mounts.join(', ')})`,
  probe: probeHost,
  facts: [hostFacts],
  failureCodes: ['read_error', 'threshold_exceeded'],
  cli: {
    target: 'mount point',
    keys: (target) => ({ mounts: [target] }),
  },
  dashboard: {
    phases: false,
    panels: [
      {
        title: 'Host memory used and disk free',
        type: 'timeseries',
        queries: [
          { expr: 'prismwatch_host_memory_used_ratio{probe="$probe"}', legend: 'memory used' },
          { expr: 'prismwatch_host_disk_free_ratio{probe="$probe"}', legend: 'free {{mount}}' },
        ],
        unit: 'percentunit',
        max: 1,
        emptyBecause: 'No memory or disk figures: not a host probe',
      },
    ],
  },
  example: `- name: this-machine
  kind: host
  interval: 30s
  mounts: [/]`,
});

declare module '../../model/failure.js' {
  interface KindFailureCodes {
    /** A host probe could not read what it measures (missing mount, unreadable /proc file). */
    read_error: true;
    /** A measured value is past the limit the probe sets (memory, disk). */
    threshold_exceeded: true;
  }
}
