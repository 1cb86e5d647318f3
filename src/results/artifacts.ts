/**
 * Files probes leave for people — a failed page load's screenshot — kept in the data directory
 * (`artifacts/`), the newest few per probe, and served by the daemon at /artifacts/<file>.
 * Without a data directory they are kept in memory, as bounded. Names are made here from the
 * probe's name, a time and a counter, so a request can only ever name a file this store wrote:
 * a name it does not hold in its index is not found, and a file that is not a regular file (a
 * symbolic link someone put in the folder, which was once served with whatever it pointed to) is
 * neither indexed at start nor opened (O_NOFOLLOW).
 */
import {
  closeSync,
  constants,
  fstatSync,
  lstatSync,
  mkdirSync,
  openSync,
  readdirSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { join } from 'node:path';
import type { ArtifactStore } from '../model/probe.js';

const KEEP_PER_PROBE = 5;
const PREFIX = '/artifacts/';
const FILE_RE = /^[A-Za-z0-9_.:-]+\.[a-z0-9]{1,8}$/;

export class Artifacts implements ArtifactStore {
  private readonly memory = new Map<string, Buffer>();
  private readonly byProbe = new Map<string, string[]>();
  /** Every file this store holds (written, or found as a regular file at start). */
  private readonly known = new Set<string>();
  private counter = 0;

  constructor(
    private readonly dir: string | undefined,
    private readonly now: () => number = Date.now,
    private readonly onError: (error: unknown) => void = () => {},
  ) {
    if (!dir) return;
    try {
      mkdirSync(dir, { recursive: true });
      // Files from before a restart count against their probe's quota, oldest first.
      for (const file of readdirSync(dir).sort()) {
        if (!FILE_RE.test(file) || !lstatSync(join(dir, file)).isFile()) continue;
        const probe = file.slice(0, file.lastIndexOf('--'));
        this.byProbe.set(probe, [...(this.byProbe.get(probe) ?? []), file]);
        this.known.add(file);
      }
    } catch (error) {
      onError(error);
    }
  }

  save(probe: string, name: string, data: Buffer): string | undefined {
    const safeProbe = probe.replace(/[^A-Za-z0-9_.:-]/g, '_');
    const stamp = new Date(this.now())
      .toISOString()
      .replace(/[^0-9]/g, '')
      .slice(0, 17);
    const file = `${safeProbe}--${stamp}-${(this.counter++ % 1000).toString().padStart(3, '0')}-${name.replace(/[^A-Za-z0-9_.-]/g, '_')}`;
    if (!FILE_RE.test(file)) return undefined;
    try {
      if (this.dir) writeFileSync(join(this.dir, file), data);
      else this.memory.set(file, data);
    } catch (error) {
      this.onError(error);
      return undefined;
    }
    this.known.add(file);
    const kept = [...(this.byProbe.get(safeProbe) ?? []), file];
    while (kept.length > KEEP_PER_PROBE) this.remove(kept.shift()!);
    this.byProbe.set(safeProbe, kept);
    return `${PREFIX}${file}`;
  }

  /** The file a request path names, or undefined (unknown, removed, or not a name this store makes). */
  read(path: string): Buffer | undefined {
    if (!path.startsWith(PREFIX)) return undefined;
    const file = path.slice(PREFIX.length);
    if (!FILE_RE.test(file)) return undefined;
    if (!this.dir) return this.memory.get(file);
    if (!this.known.has(file)) return undefined;
    let fd: number | undefined;
    try {
      fd = openSync(join(this.dir, file), constants.O_RDONLY | constants.O_NOFOLLOW);
      if (!fstatSync(fd).isFile()) return undefined;
      return readFileSync(fd);
    } catch {
      return undefined;
    } finally {
      if (fd !== undefined) closeSync(fd);
    }
  }

  private remove(file: string): void {
    this.memory.delete(file);
    this.known.delete(file);
    if (this.dir) rmSync(join(this.dir, file), { force: true });
  }
}
