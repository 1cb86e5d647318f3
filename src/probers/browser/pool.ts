/**
 * One shared headless Chromium for every browser check in the process, at most N pages at once
 * (PRISMWATCH_BROWSER_MAX_PAGES, default 2), each check in its own context (no shared cookies or
 * cache). The browser is launched on first use; relaunched when it dies, and retired (after its
 * open pages finish) when its process tree's memory (PSS) grows past
 * PRISMWATCH_BROWSER_MAX_MEMORY_MB (default 1024): a long-running Chromium grows, and a monitor must not.
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import type { Browser } from 'playwright-core';

export const CHROMIUM_PATH = process.env.PRISMWATCH_CHROMIUM ?? '/usr/bin/chromium';
const MAX_PAGES = Math.max(1, Number(process.env.PRISMWATCH_BROWSER_MAX_PAGES ?? 2) || 2);
const MAX_MEMORY_BYTES =
  Math.max(64, Number(process.env.PRISMWATCH_BROWSER_MAX_MEMORY_MB ?? 1024) || 1024) * 1024 * 1024;
/** How often the browser's memory is read (a /proc walk: 11.5 ms for 21 processes, measured). */
const MEMORY_CHECK_EVERY_MS = 30_000;
/** A browser with no page open for this long is closed: its memory is back until the next check. */
const IDLE_CLOSE_MS = 60_000;

/** Flags for a headless browser on a server: no GPU, no sandbox (containers, root), no phoning home. */
export const CHROMIUM_SERVER_ARGS: readonly string[] = [
  '--headless=new',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-dev-shm-usage',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--disable-default-apps',
  '--disable-extensions',
  '--mute-audio',
];

export class BrowserUnavailableError extends Error {}

interface Slot {
  release(): void;
}

class BrowserPool {
  private browser: Promise<Browser> | undefined;
  private inUse = 0;
  private readonly waiting: Array<() => void> = [];
  private retiring = false;
  private idleTimer: NodeJS.Timeout | undefined;
  private memoryCheckedAt = 0;
  /** How many times a browser was launched (benchmarks and tests read it). */
  launches = 0;

  /** A page slot: waits while MAX_PAGES are open. */
  private async acquire(signal: AbortSignal): Promise<Slot> {
    while (this.inUse >= MAX_PAGES) {
      await new Promise<void>((resolve, reject) => {
        const onAbort = () => reject(signal.reason);
        signal.addEventListener('abort', onAbort, { once: true });
        this.waiting.push(() => {
          signal.removeEventListener('abort', onAbort);
          resolve();
        });
      });
    }
    this.inUse += 1;
    clearTimeout(this.idleTimer);
    let released = false;
    return {
      release: () => {
        if (released) return;
        released = true;
        this.inUse -= 1;
        this.waiting.shift()?.();
        if (this.inUse === 0) {
          this.idleTimer = setTimeout(() => void this.retire(), IDLE_CLOSE_MS);
          this.idleTimer.unref();
        }
      },
    };
  }

  private launch(): Promise<Browser> {
    if (!existsSync(CHROMIUM_PATH)) {
      throw new BrowserUnavailableError(
        `Chromium is not installed at ${CHROMIUM_PATH}: apt-get install chromium (Debian), or set PRISMWATCH_CHROMIUM to its path`,
      );
    }
    this.launches += 1;
    // Loaded on the first browser check: a daemon without one never pays for playwright-core.
    const launched = import('playwright-core').then(({ chromium }) =>
      chromium.launch({ executablePath: CHROMIUM_PATH, args: [...CHROMIUM_SERVER_ARGS], headless: true }),
    );
    launched.then(
      (browser) =>
        browser.on('disconnected', () => {
          if (this.browser === launched) this.browser = undefined;
        }),
      () => {
        if (this.browser === launched) this.browser = undefined;
      },
    );
    return launched;
  }

  /** Runs `use` with a browser and a free page slot; the slot is released however it ends. */
  async withBrowser<T>(signal: AbortSignal, use: (browser: Browser) => Promise<T>): Promise<T> {
    const slot = await this.acquire(signal);
    try {
      this.browser ??= this.launch();
      return await use(await this.browser);
    } finally {
      slot.release();
      // At most every MEMORY_CHECK_EVERY_MS: the /proc walk costs milliseconds, and checking
      // after every run (as a refactor had left it) spent them on every browser check.
      const now = Date.now();
      if (!this.retiring && this.browser && now - this.memoryCheckedAt >= MEMORY_CHECK_EVERY_MS) {
        this.memoryCheckedAt = now;
        if (memoryOfTree(await this.pid()) > MAX_MEMORY_BYTES) this.retiring = true;
      }
      if (this.retiring && this.inUse === 0) await this.retire();
    }
  }

  /** The browser process's pid, when one runs. */
  async pid(): Promise<number | undefined> {
    const browser = await this.browser?.catch(() => undefined);
    return (
      (browser as unknown as { _process?: { pid?: number } } | undefined)?._process?.pid ?? findChromiumPid()
    );
  }

  private async retire(): Promise<void> {
    const current = this.browser;
    this.browser = undefined;
    this.retiring = false;
    await (await current?.catch(() => undefined))?.close().catch(() => {});
  }

  async close(): Promise<void> {
    clearTimeout(this.idleTimer);
    await this.retire();
  }
}

/** The newest Chromium browser process (the one without a --type= flag), by /proc. */
function findChromiumPid(): number | undefined {
  let found: number | undefined;
  for (const entry of safeReaddir('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    const cmdline = safeRead(`/proc/${entry}/cmdline`);
    if (cmdline.startsWith(CHROMIUM_PATH) || cmdline.includes('/chromium\u0000')) {
      if (!cmdline.includes('--type=')) found = Math.max(found ?? 0, Number(entry));
    }
  }
  return found;
}

function safeReaddir(path: string): string[] {
  try {
    return readdirSync(path);
  } catch {
    return [];
  }
}

function safeRead(path: string): string {
  try {
    return readFileSync(path, 'utf8');
  } catch {
    return '';
  }
}

/** Every process under `pid` (children, their children…), `pid` included. */
export function processTree(pid: number | undefined): number[] {
  if (pid === undefined) return [];
  const parents = new Map<number, number[]>();
  for (const entry of safeReaddir('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    const stat = safeRead(`/proc/${entry}/stat`);
    const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
    if (Number.isFinite(ppid)) parents.set(ppid, [...(parents.get(ppid) ?? []), Number(entry)]);
  }
  const tree: number[] = [];
  const queue = [pid];
  while (queue.length > 0) {
    const next = queue.shift()!;
    tree.push(next);
    queue.push(...(parents.get(next) ?? []));
  }
  return tree;
}

/**
 * Memory of a process tree, in bytes (0 when it cannot be read): the proportional set size, which
 * shares pages used by several processes among them. Chromium's processes share most of their
 * code and fonts; summing their RSS counted that several times (1.1 GiB for two pages, measured,
 * against about half that in PSS).
 */
export function memoryOfTree(pid: number | undefined): number {
  let total = 0;
  for (const member of processTree(pid)) {
    const pss = /^Pss:\s+(\d+) kB/m.exec(safeRead(`/proc/${member}/smaps_rollup`));
    const rss = pss ?? /VmRSS:\s+(\d+) kB/.exec(safeRead(`/proc/${member}/status`));
    if (rss) total += Number(rss[1]) * 1024;
  }
  return total;
}

/** CPU time of a process tree (user + system), in seconds. */
export function cpuOfTree(pid: number | undefined): number {
  let ticks = 0;
  for (const member of processTree(pid)) {
    const stat = safeRead(`/proc/${member}/stat`);
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    ticks += Number(fields[11] ?? 0) + Number(fields[12] ?? 0);
  }
  return ticks / 100; // USER_HZ is 100 on Linux
}

export const browserPool = new BrowserPool();
