/**
 * `file_sd`: target groups from files, read when they change (a watch on each directory, so a file
 * replaced by rename — how config management writes — is seen) and every refresh_interval as a
 * backstop for file systems that do not report changes. A file that cannot be read or parsed keeps
 * the targets it last gave, as Prometheus keeps them; a file that is gone gives none.
 */
import { type FSWatcher, readdirSync, readFileSync, statSync, watch } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { hasWildcard, matchesWildcard } from '../util/wildcard.js';
import { type DiscoverySource, MAX_DOCUMENT_BYTES, type SourceUpdate } from './source.js';
import { type DiscoveredTarget, parseTargetFile } from './target-groups.js';

/** Changes come in bursts (write, then rename): read once they settle. */
const SETTLE_MS = 100;

export class FileSdSource implements DiscoverySource {
  private readonly lastGood = new Map<string, readonly DiscoveredTarget[]>();
  private watchers: FSWatcher[] = [];
  private timer: NodeJS.Timeout | undefined;
  private settle: NodeJS.Timeout | undefined;
  private stopped = false;

  constructor(
    private readonly patterns: readonly string[],
    private readonly refreshIntervalMs: number,
    private readonly report: (update: SourceUpdate) => void,
  ) {}

  start(): void {
    for (const directory of new Set(this.patterns.map((pattern) => dirname(pattern)))) {
      try {
        const watcher = watch(directory, { persistent: false }, () => this.soon());
        watcher.on('error', () => {}); // A directory removed later: the refresh interval still reads.
        this.watchers.push(watcher);
      } catch {
        // A directory that does not exist yet: read on the refresh interval until it does.
      }
    }
    this.read();
    this.timer = setInterval(() => this.read(), this.refreshIntervalMs);
    this.timer.unref();
  }

  stop(): void {
    this.stopped = true;
    for (const watcher of this.watchers) watcher.close();
    this.watchers = [];
    clearInterval(this.timer);
    clearTimeout(this.settle);
  }

  private soon(): void {
    clearTimeout(this.settle);
    this.settle = setTimeout(() => this.read(), SETTLE_MS);
    this.settle.unref();
  }

  /** The files the patterns name now, sorted (so the targets' order, and probe names' precedence, is stable). */
  private files(): string[] {
    const files = new Set<string>();
    for (const pattern of this.patterns) {
      const name = basename(pattern);
      if (!hasWildcard(name)) {
        files.add(pattern);
        continue;
      }
      let entries: string[] = [];
      try {
        entries = readdirSync(dirname(pattern));
      } catch {
        continue;
      }
      for (const entry of entries) if (matchesWildcard(name, entry)) files.add(join(dirname(pattern), entry));
    }
    return [...files].sort();
  }

  private read(): void {
    if (this.stopped) return;
    const errors: string[] = [];
    const seen = new Set<string>();
    for (const file of this.files()) {
      let text: string;
      try {
        const stats = statSync(file);
        if (!stats.isFile()) continue;
        if (stats.size > MAX_DOCUMENT_BYTES) throw new Error(`larger than ${MAX_DOCUMENT_BYTES} bytes`);
        text = readFileSync(file, 'utf8');
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code === 'ENOENT') continue;
        seen.add(file);
        errors.push(`${file}: ${(error as Error).message}`);
        continue;
      }
      seen.add(file);
      try {
        this.lastGood.set(file, parseTargetFile(file, text));
      } catch (error) {
        errors.push(`${file}: ${(error as Error).message}`);
      }
    }
    for (const file of this.lastGood.keys()) if (!seen.has(file)) this.lastGood.delete(file);
    this.report({ targets: [...this.lastGood.values()].flat() });
    if (errors.length > 0) this.report({ error: errors.join('; ') });
  }
}
