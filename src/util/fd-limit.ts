/**
 * The process's file-descriptor limit, and whether the server's cap and probing both fit under it.
 * Client connections are capped (--web.max-connections), and each probe run in flight holds about
 * one descriptor (two while a redirect is followed); the rest of the process needs some too. When
 * they cannot all fit, probes fail as fd_exhausted under load: better said once at start.
 */
import { readFileSync } from 'node:fs';

/** Descriptors the process uses besides client connections and probe runs: files, SQLite, DNS, workers. */
export const FD_RESERVE = 128;

/** The soft "Max open files" of /proc/self/limits, or undefined where there is none (not Linux) or it is unlimited. */
export function parseOpenFilesLimit(limits: string): number | undefined {
  const line = limits.split('\n').find((text) => text.startsWith('Max open files'));
  const soft = line?.slice('Max open files'.length).trim().split(/\s+/)[0];
  const value = Number(soft);
  return Number.isSafeInteger(value) && value > 0 ? value : undefined;
}

export function openFilesLimit(): number | undefined {
  try {
    return parseOpenFilesLimit(readFileSync('/proc/self/limits', 'utf8'));
  } catch {
    return undefined;
  }
}

/** What is missing for the cap and probing to fit, or undefined when they fit (or the limit is unknown). */
export function descriptorShortfall(
  limit: number | undefined,
  maxConnections: number,
  maxConcurrency: number,
): { needed: number; limit: number } | undefined {
  if (limit === undefined) return undefined;
  const needed = maxConnections + maxConcurrency + FD_RESERVE;
  return needed > limit ? { needed, limit } : undefined;
}
