/**
 * Runs a program prismwatch reads the output of (ping, traceroute): C locale, the caller's PATH
 * only, stdout and stderr each kept to 64 KiB, killed when the signal fires. Never rejects, never
 * throws: a program that is not installed is `missing`; any other failure to start — spawn throws
 * at once when the process is out of descriptors (EMFILE) — is in `errors`, with its `code`.
 */
import { spawn } from 'node:child_process';

const MAX_OUTPUT = 64 * 1024;

export interface ProgramRun {
  readonly output: string;
  readonly errors: string;
  readonly missing: boolean;
  /** The error code when it could not be started (EMFILE, EACCES…). */
  readonly code?: string;
}

export function runProgram(
  command: string,
  args: readonly string[],
  signal: AbortSignal,
): Promise<ProgramRun> {
  return new Promise((resolve) => {
    let output = '';
    let errors = '';
    let child: ReturnType<typeof spawn>;
    try {
      child = spawn(command, args, {
        stdio: ['ignore', 'pipe', 'pipe'],
        env: { LC_ALL: 'C', PATH: process.env.PATH },
      });
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code;
      resolve({ output: '', errors: (error as Error).message, missing: false, ...(code ? { code } : {}) });
      return;
    }
    const kill = () => child.kill('SIGKILL');
    signal.addEventListener('abort', kill, { once: true });
    child.stdout!.on('data', (chunk: Buffer) => {
      if (output.length < MAX_OUTPUT) output += chunk.toString('utf8');
    });
    child.stderr!.on('data', (chunk: Buffer) => {
      if (errors.length < MAX_OUTPUT) errors += chunk.toString('utf8');
    });
    child.once('error', (error: NodeJS.ErrnoException) => {
      signal.removeEventListener('abort', kill);
      resolve({
        output,
        errors: error.message,
        missing: error.code === 'ENOENT',
        ...(error.code ? { code: error.code } : {}),
      });
    });
    child.once('close', () => {
      signal.removeEventListener('abort', kill);
      resolve({ output, errors, missing: false });
    });
  });
}
