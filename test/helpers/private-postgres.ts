/**
 * A PostgreSQL server of the test's own (initdb into a temporary directory, on a free port of
 * 127.0.0.1), so a test can stop and restart it without disturbing the machine's server that
 * other tests use. Run as the `postgres` user when the test runs as root (postgres refuses root).
 * Fails, never skips, when the binaries are missing: CI installs PostgreSQL.
 */
import { execFileSync, spawn } from 'node:child_process';
import { chmodSync, chownSync, existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { onTestFinished } from 'vitest';
import { quietPort } from './quiet-port.js';

function binDir(): string {
  const root = '/usr/lib/postgresql';
  const versions = existsSync(root) ? readdirSync(root).sort() : [];
  const latest = versions.at(-1);
  if (!latest)
    throw new Error(
      'PostgreSQL server binaries not found under /usr/lib/postgresql (apt-get install postgresql)',
    );
  return join(root, latest, 'bin');
}

export interface PrivatePostgres {
  readonly url: string;
  stop(): Promise<void>;
  start(): Promise<void>;
}

export async function privatePostgres(): Promise<PrivatePostgres> {
  const bin = binDir();
  const dir = mkdtempSync(join(tmpdir(), 'prismwatch-pg-'));
  const asRoot = process.getuid?.() === 0;
  const uid = asRoot ? Number(execFileSync('id', ['-u', 'postgres']).toString().trim()) : undefined;
  const gid = asRoot ? Number(execFileSync('id', ['-g', 'postgres']).toString().trim()) : undefined;
  chmodSync(dir, 0o700);
  if (uid !== undefined && gid !== undefined) chownSync(dir, uid, gid);
  const run = (command: string, args: string[]) =>
    new Promise<void>((resolve, reject) => {
      const child = spawn(join(bin, command), args, {
        ...(uid !== undefined ? { uid, gid } : {}),
        stdio: ['ignore', 'ignore', 'pipe'],
        cwd: dir,
      });
      let stderr = '';
      child.stderr.on('data', (chunk) => {
        stderr += chunk;
      });
      child.once('error', reject);
      child.once('exit', (code) =>
        code === 0 ? resolve() : reject(new Error(`${command} exited ${code}: ${stderr}`)),
      );
    });
  const data = join(dir, 'data');
  await run('initdb', ['-D', data, '-U', 'postgres', '--auth=trust', '-E', 'UTF8', '--no-sync']);
  // Below the ephemeral range: no other test's server can take it while this one is stopped.
  const port = await quietPort();
  const options = `-p ${port} -k ${dir} -c listen_addresses=127.0.0.1 -c fsync=off -c max_connections=60`;
  const pg: PrivatePostgres = {
    url: `postgres://postgres@127.0.0.1:${port}/postgres`,
    start: () =>
      run('pg_ctl', ['-D', data, '-o', options, '-l', join(dir, 'log'), '-w', '-t', '120', 'start']),
    stop: () => run('pg_ctl', ['-D', data, '-m', 'fast', '-w', '-t', '120', 'stop']),
  };
  await pg.start();
  onTestFinished(async () => {
    await pg.stop().catch(() => {});
    rmSync(dir, { recursive: true, force: true });
  });
  return pg;
}
