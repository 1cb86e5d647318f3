/**
 * The screenshot and trace Playwright left for a failed test, moved into the daemon's artifact
 * store. The report naming them was written by the run, and the run can write into its folder,
 * so a path is followed only when it is a regular file really inside the run's output folder (no
 * symbolic link out of it, at any level, no FIFO or device) and not larger than the store should hold.
 */
import { closeSync, constants, fstatSync, openSync, readSync, realpathSync } from 'node:fs';
import { join, relative, sep } from 'node:path';
import type { ArtifactStore } from '../../model/probe.js';

const MAX_ARTIFACT_BYTES = 50 * 1024 * 1024;

/** The file's bytes, when `inner` (as the run named it) is a regular file under `innerOut`. */
export function readRunFile(inner: string, innerOut: string, hostOut: string): Buffer | undefined {
  const under = relative(innerOut, inner);
  if (under === '' || under.startsWith('..') || under.startsWith(sep)) return undefined;
  let fd: number | undefined;
  try {
    const real = realpathSync(join(hostOut, under));
    const root = realpathSync(hostOut);
    if (!real.startsWith(root + sep)) return undefined;
    // O_NONBLOCK: a FIFO the run left under a screenshot's name must not hang the daemon on open.
    fd = openSync(real, constants.O_RDONLY | constants.O_NOFOLLOW | constants.O_NONBLOCK);
    const stat = fstatSync(fd);
    if (!stat.isFile() || stat.size > MAX_ARTIFACT_BYTES) return undefined;
    const data = Buffer.alloc(stat.size);
    let read = 0;
    while (read < stat.size) {
      const got = readSync(fd, data, read, stat.size - read, read);
      if (got === 0) break;
      read += got;
    }
    return data.subarray(0, read);
  } catch {
    return undefined;
  } finally {
    if (fd !== undefined) closeSync(fd);
  }
}

/** Saves the file into the store, returning where it is served, or undefined. */
export function keepArtifact(
  store: ArtifactStore | undefined,
  probe: string,
  name: string,
  file: { inner: string; innerOut: string; hostOut: string } | undefined,
): string | undefined {
  if (!store || !file) return undefined;
  const data = readRunFile(file.inner, file.innerOut, file.hostOut);
  return data ? store.save(probe, name, data) : undefined;
}
