/**
 * The command that runs Playwright for a probe: inside bubblewrap when the probe asks for the
 * sandbox (the default), as a plain child process otherwise. In the sandbox the run sees the
 * system's programs and libraries read-only, its test folder read-only, its own run folder, a
 * private /tmp, and no network but its loopback (where the entry's port leads to prismwatch's
 * proxy). Its environment is only what the probe set, plus what Node and Chromium need.
 */
import { spawnSync } from 'node:child_process';
import { dirname } from 'node:path';
import { CHROMIUM_PATH } from '../browser/pool.js';
import { hostPaths, innerPaths, type RunPaths, rootLinks } from './layout.js';

/** What the runner reads from /etc: certificates, fonts, Chromium's settings, names and time. */
const ETC = [
  '/etc/ssl',
  '/etc/ca-certificates',
  '/etc/fonts',
  '/etc/chromium',
  '/etc/chromium.d',
  '/etc/alternatives',
  '/etc/ld.so.cache',
  '/etc/localtime',
  '/etc/passwd',
  '/etc/group',
  '/etc/nsswitch.conf',
  '/etc/hosts',
  '/etc/mime.types',
];

export interface RunCommand {
  readonly command: string;
  readonly args: readonly string[];
  readonly env: Record<string, string>;
  /** The paths as the runner sees them (the generated config names these). */
  readonly inner: RunPaths;
}

let bwrapPath: string | null | undefined;

/** bubblewrap's path, or null when it is not installed (looked up once). */
export function findBwrap(): string | null {
  if (bwrapPath === undefined) {
    const found = spawnSync('sh', ['-c', 'command -v bwrap'], { encoding: 'utf8', timeout: 5_000 });
    bwrapPath = found.status === 0 && found.stdout.trim() ? found.stdout.trim() : null;
  }
  return bwrapPath;
}

export const SANDBOX_MISSING =
  'the Playwright sandbox needs bubblewrap: apt-get install bubblewrap (Debian), or set sandbox: false on the probe to run its tests unconfined';

function bwrapArgs(runDir: string, testDir: string): string[] {
  const host = hostPaths(runDir);
  const inner = innerPaths(runDir, true);
  const args = ['--die-with-parent', '--new-session', '--unshare-all', '--ro-bind', '/usr', '/usr'];
  for (const [target, link] of rootLinks()) args.push('--symlink', target, link);
  for (const path of ETC) args.push('--ro-bind-try', path, path);
  // Node or Chromium installed outside /usr (an /opt tarball, nvm): their folders, read-only.
  for (const program of [process.execPath, CHROMIUM_PATH])
    if (!program.startsWith('/usr/'))
      args.push('--ro-bind-try', dirname(dirname(program)), dirname(dirname(program)));
  args.push('--proc', '/proc', '--dev', '/dev', '--tmpfs', '/tmp', '--tmpfs', '/run');
  args.push('--bind', host.run, inner.run);
  args.push('--ro-bind', host.modules, inner.modules, '--ro-bind', host.entry, inner.entry);
  args.push('--ro-bind', testDir, testDir);
  args.push('--chdir', inner.run);
  return args;
}

/**
 * How to run `playwright test <extra>` for a probe whose run folder is `runDir` (already laid
 * out) and whose tests are in `testDir`.
 */
export function runCommand(
  runDir: string,
  testDir: string,
  sandboxed: boolean,
  env: Readonly<Record<string, string>>,
  extra: readonly string[],
): RunCommand {
  const inner = innerPaths(runDir, sandboxed);
  const runnerEnv: Record<string, string> = {
    ...env,
    HOME: sandboxed ? '/tmp' : runDir,
    PATH: '/usr/local/bin:/usr/bin:/bin',
    NODE_PATH: inner.nodePath,
    NO_COLOR: '1',
    FORCE_COLOR: '0',
    LC_ALL: 'C.UTF-8',
  };
  const runner = [inner.entry, inner.socket, inner.cli, 'test', '--config', inner.config, ...extra];
  if (!sandboxed) return { command: process.execPath, args: runner, env: runnerEnv, inner };
  const bwrap = findBwrap();
  if (!bwrap) throw new Error(SANDBOX_MISSING);
  const setenv = Object.entries(runnerEnv).flatMap(([name, value]) => ['--setenv', name, value]);
  return {
    command: bwrap,
    args: [...bwrapArgs(runDir, testDir), '--clearenv', ...setenv, process.execPath, ...runner],
    env: { PATH: process.env.PATH ?? '/usr/bin:/bin' },
    inner,
  };
}
