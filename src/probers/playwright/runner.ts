/**
 * One Playwright run as a child process: started in its own process group, its output kept to the
 * last 64 KiB, its process tree's memory read every second and the whole tree killed when it
 * passes the probe's limit or when the run's signal fires (the deadline). Never rejects.
 */
import { spawn } from 'node:child_process';
import { readFileSync, statSync } from 'node:fs';
import { memoryOfTree, processTree } from '../browser/pool.js';
import type { RunCommand } from './sandbox.js';

const MAX_OUTPUT = 64 * 1024;
const MAX_REPORT_BYTES = 32 * 1024 * 1024;
const MEMORY_EVERY_MS = 1_000;

export interface RunOutcome {
  readonly exitCode: number | null;
  /** The JSON report as parsed, undefined when none was written (or it was too big to read). */
  readonly report?: unknown;
  /** The end of what the runner printed (stdout and stderr together). */
  readonly output: string;
  readonly killedFor?: 'deadline' | 'memory';
  readonly peakMemoryBytes: number;
  /** Why it did not start at all. */
  readonly startError?: string;
}

function killTree(pid: number | undefined): void {
  if (pid === undefined) return;
  // Chromium runs in process groups of its own: each process of the tree, then the group.
  for (const member of processTree(pid).reverse()) {
    try {
      process.kill(member, 'SIGKILL');
    } catch {
      // already gone
    }
  }
  try {
    process.kill(-pid, 'SIGKILL');
  } catch {
    // already gone
  }
}

export function readReport(path: string): unknown {
  try {
    if (statSync(path).size > MAX_REPORT_BYTES) return undefined;
    return JSON.parse(readFileSync(path, 'utf8'));
  } catch {
    return undefined;
  }
}

export function runPlaywright(
  command: RunCommand,
  reportPath: string,
  maxMemoryBytes: number,
  signal: AbortSignal,
): Promise<RunOutcome> {
  return new Promise((resolve) => {
    let output = '';
    let peak = 0;
    let killedFor: RunOutcome['killedFor'];
    let child: ReturnType<typeof spawn>;
    try {
      child = spawn(command.command, [...command.args], {
        env: command.env,
        detached: true,
        stdio: ['ignore', 'pipe', 'pipe'],
      });
    } catch (error) {
      resolve({ exitCode: null, output: '', peakMemoryBytes: 0, startError: (error as Error).message });
      return;
    }
    const keep = (chunk: Buffer) => {
      output += chunk.toString('utf8');
      if (output.length > MAX_OUTPUT) output = output.slice(-MAX_OUTPUT);
    };
    child.stdout!.on('data', keep);
    child.stderr!.on('data', keep);
    const stop = (why: NonNullable<RunOutcome['killedFor']>) => {
      killedFor ??= why;
      killTree(child.pid);
    };
    const onAbort = () => stop('deadline');
    if (signal.aborted) onAbort();
    else signal.addEventListener('abort', onAbort, { once: true });
    const watch = setInterval(() => {
      const used = memoryOfTree(child.pid);
      peak = Math.max(peak, used);
      if (used > maxMemoryBytes) stop('memory');
    }, MEMORY_EVERY_MS);
    let startError: string | undefined;
    child.on('error', (error) => {
      startError = error.message;
    });
    child.on('close', (code) => {
      clearInterval(watch);
      signal.removeEventListener('abort', onAbort);
      // The runner is gone; whatever it started (a Chromium in its own group) goes with it.
      killTree(child.pid);
      resolve({
        exitCode: code,
        ...(killedFor ? {} : { report: readReport(reportPath) }),
        output,
        ...(killedFor ? { killedFor } : {}),
        peakMemoryBytes: peak,
        ...(startError ? { startError } : {}),
      });
    });
  });
}
