/**
 * Pure parsers over /proc text (prom-client's structureOutput, node_exporter's meminfo): tested on
 * fixture text, while the prober reads the real files.
 */

interface MemoryInfo {
  readonly totalBytes: number;
  readonly availableBytes: number;
  /** 1 − MemAvailable / MemTotal: what node_exporter users compute as "memory used". */
  readonly usedRatio: number;
}

/** /proc/meminfo → memory figures, or undefined when MemTotal or MemAvailable is missing. */
export function parseMeminfo(text: string): MemoryInfo | undefined {
  const values = new Map<string, number>();
  for (const line of text.split('\n')) {
    const match = /^(\w+):\s+(\d+)(?:\s+kB)?$/.exec(line.trim());
    if (match) values.set(match[1]!, Number(match[2]) * (line.includes('kB') ? 1024 : 1));
  }
  const total = values.get('MemTotal');
  // Kernels before 3.14 lack MemAvailable; approximate it the way free(1) did then.
  const available =
    values.get('MemAvailable') ??
    (values.has('MemFree')
      ? (values.get('MemFree') ?? 0) + (values.get('Buffers') ?? 0) + (values.get('Cached') ?? 0)
      : undefined);
  if (!total || available === undefined) return undefined;
  return { totalBytes: total, availableBytes: available, usedRatio: 1 - available / total };
}

interface LoadAverage {
  readonly load1: number;
  readonly load5: number;
  readonly load15: number;
}

/** /proc/loadavg → the three load averages. */
export function parseLoadavg(text: string): LoadAverage | undefined {
  const [load1, load5, load15] = text.trim().split(/\s+/).map(Number);
  if (![load1, load5, load15].every((value) => Number.isFinite(value))) return undefined;
  return { load1: load1!, load5: load5!, load15: load15! };
}

interface FileHandles {
  readonly allocated: number;
  readonly maximum: number;
}

/** /proc/sys/fs/file-nr ("allocated  unused  maximum") → system-wide file handles. */
export function parseFileNr(text: string): FileHandles | undefined {
  const [allocated, , maximum] = text.trim().split(/\s+/).map(Number);
  if (!Number.isFinite(allocated) || !Number.isFinite(maximum)) return undefined;
  return { allocated: allocated!, maximum: maximum! };
}
