/** The `host` facts section: memory, disks, load and file handles of the machine prismwatch runs on. */
import { defineFacts } from '../definition.js';
import { gauge, gaugePer } from '../families.js';

export interface HostFacts {
  readonly memory: {
    readonly totalBytes: number;
    readonly availableBytes: number;
    readonly usedRatio: number;
  };
  readonly load: { readonly load1: number; readonly load5: number; readonly load15: number };
  /** System-wide file handles (allocated of maximum). */
  readonly files: { readonly allocated: number; readonly maximum: number };
  /** File descriptors prismwatch itself holds. */
  readonly openFds: number;
  readonly disks: ReadonlyArray<{
    readonly mount: string;
    readonly totalBytes: number;
    readonly freeBytes: number;
    readonly freeRatio: number;
  }>;
}

declare module '../../model/probe.js' {
  interface ProbeFacts {
    host?: HostFacts;
  }
}

type Disk = HostFacts['disks'][number];
/** One line per mounted disk, labelled `mount`. */
const diskGauge = (name: string, help: string, value: (disk: Disk) => number) =>
  gaugePer<HostFacts, Disk>(
    name,
    help,
    (host) => host.disks,
    (disk) => ['mount', disk.mount],
    value,
  );
const percent = (ratio: number) => `${(ratio * 100).toFixed(1)}%`;
const gib = (bytes: number) => `${(bytes / 2 ** 30).toFixed(1)} GiB`;

export const hostFacts = defineFacts({
  key: 'host',
  families: [
    gauge<HostFacts>(
      'prismwatch_host_memory_used_ratio',
      'Memory in use: 1 − MemAvailable / MemTotal.',
      (host) => host.memory.usedRatio,
    ),
    gauge<HostFacts>(
      'prismwatch_host_memory_total_bytes',
      'MemTotal of the host.',
      (host) => host.memory.totalBytes,
    ),
    gauge<HostFacts>(
      'prismwatch_host_memory_available_bytes',
      'MemAvailable of the host.',
      (host) => host.memory.availableBytes,
    ),
    diskGauge(
      'prismwatch_host_disk_free_ratio',
      'Share of the file system available to unprivileged users.',
      (disk) => disk.freeRatio,
    ),
    diskGauge(
      'prismwatch_host_disk_free_bytes',
      'Bytes available to unprivileged users.',
      (disk) => disk.freeBytes,
    ),
    diskGauge('prismwatch_host_disk_size_bytes', 'Size of the file system.', (disk) => disk.totalBytes),
    gauge<HostFacts>('prismwatch_host_load1', 'Load average over 1 minute.', (host) => host.load.load1),
    gauge<HostFacts>('prismwatch_host_load5', 'Load average over 5 minutes.', (host) => host.load.load5),
    gauge<HostFacts>('prismwatch_host_load15', 'Load average over 15 minutes.', (host) => host.load.load15),
    gauge<HostFacts>(
      'prismwatch_host_file_handles_allocated',
      'File handles allocated system-wide.',
      (host) => host.files.allocated,
    ),
    gauge<HostFacts>(
      'prismwatch_host_file_handles_max',
      'Maximum file handles system-wide.',
      (host) => host.files.maximum,
    ),
  ],
  signals: [
    {
      name: 'memory_used_ratio',
      read: (host) => host.memory.usedRatio,
      promql: (selector) => `prismwatch_host_memory_used_ratio${selector}`,
    },
    {
      name: 'disk_free_ratio',
      read: (host) =>
        host.disks.length === 0 ? undefined : Math.min(...host.disks.map((disk) => disk.freeRatio)),
      promql: (selector) => `min without (mount) (prismwatch_host_disk_free_ratio${selector})`,
    },
  ],
  evidence: (host) => {
    const memory = `memory ${(host.memory.usedRatio * 100).toFixed(0)} % used`;
    const lowest = Math.min(...host.disks.map((disk) => disk.freeRatio));
    return Number.isFinite(lowest) ? `${memory}, lowest disk ${(lowest * 100).toFixed(0)} % free` : memory;
  },
  report: (host, out) => {
    out.row('memory', `${percent(host.memory.usedRatio)} used of ${gib(host.memory.totalBytes)}`);
    for (const disk of host.disks)
      out.row('disk', `${disk.mount}: ${percent(disk.freeRatio)} free of ${gib(disk.totalBytes)}`);
    out.row('load', `${host.load.load1} ${host.load.load5} ${host.load.load15}`);
    out.row(
      'files',
      `${host.files.allocated} handles allocated system-wide; prismwatch holds ${host.openFds}`,
    );
  },
});
