/** Spawns the built CLI (dist/), as an operator would run it. */
import { type ChildProcessWithoutNullStreams, spawn } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { onTestFinished } from 'vitest';

export const CLI = 'dist/cli/main.js';

/** Runs a command to completion. Asynchronous on purpose: a test's own servers must keep answering. */
export async function runCli(args: string[], env: Record<string, string> = {}) {
  const child = spawn(process.execPath, [CLI, ...args], { env: { ...process.env, ...env } });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (chunk) => {
    stdout += chunk;
  });
  child.stderr.on('data', (chunk) => {
    stderr += chunk;
  });
  const code = await new Promise<number | null>((resolve) =>
    child.once('close', (exitCode) => resolve(exitCode)),
  );
  return { code, stdout, stderr };
}

export interface Daemon {
  readonly child: ChildProcessWithoutNullStreams;
  readonly baseUrl: string;
  readonly logs: Array<Record<string, unknown>>;
  exited(): Promise<number | null>;
}

/**
 * Starts `prismwatch run` on a free port and resolves once it logs that it started. With
 * `fdLimit`, under `ulimit -n` of that many descriptors (through sh, which then execs node); with
 * `netns`, inside that network namespace (`ip netns exec`).
 */
export async function startCli(
  args: string[],
  env: Record<string, string> = {},
  options: { readonly fdLimit?: number; readonly netns?: string } = {},
): Promise<Daemon> {
  // Each daemon keeps its alert state in its own directory, so tests never share a database.
  const dataDir = args.includes('--data-dir')
    ? []
    : ['--data-dir', mkdtempSync(join(tmpdir(), 'prismwatch-data-'))];
  const argv = [CLI, 'run', '--web.listen-address', '127.0.0.1:0', ...dataDir, ...args];
  const child =
    options.netns !== undefined
      ? spawn('ip', ['netns', 'exec', options.netns, process.execPath, ...argv], {
          env: { ...process.env, ...env },
        })
      : options.fdLimit === undefined
        ? spawn(process.execPath, argv, { env: { ...process.env, ...env } })
        : spawn('sh', ['-c', `ulimit -n ${options.fdLimit} && exec "$0" "$@"`, process.execPath, ...argv], {
            env: { ...process.env, ...env },
          });
  const { logs, exit, started } = followLog(child, 'prismwatch started');
  const baseUrl = String((await started).address);
  return { child, baseUrl, logs, exited: () => exit };
}

/**
 * Follows a prismwatch child's JSON log: every line into `logs`; `started` resolves with the first
 * line whose message starts with `startedPrefix` (rejects if the process exits first, with its
 * stderr). The child is killed when the test finishes.
 */
export function followLog(child: ChildProcessWithoutNullStreams, startedPrefix: string) {
  const logs: Array<Record<string, unknown>> = [];
  const exit = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  onTestFinished(async () => {
    if (child.exitCode === null) child.kill('SIGKILL');
    await exit;
  });
  let stderr = '';
  child.stderr.on('data', (chunk) => {
    stderr += chunk;
  });
  const started = new Promise<Record<string, unknown>>((resolve, reject) => {
    let buffered = '';
    child.stdout.on('data', (chunk) => {
      buffered += chunk;
      let newline = buffered.indexOf('\n');
      while (newline !== -1) {
        const line = JSON.parse(buffered.slice(0, newline)) as Record<string, unknown>;
        buffered = buffered.slice(newline + 1);
        logs.push(line);
        if (String(line.msg).startsWith(startedPrefix)) resolve(line);
        newline = buffered.indexOf('\n');
      }
    });
    void exit.then((code) =>
      reject(new Error(`${startedPrefix.split(' ')[0]} exited with ${code} before starting: ${stderr}`)),
    );
  });
  return { logs, exit, started };
}
