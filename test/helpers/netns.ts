/**
 * Network namespaces made by a test (root only): a target namespace, and location namespaces each
 * joined to it by a veth pair (10.213.i.0/24) and to the root namespace by another (10.N.i.0/24, N per call)
 * so Prometheus in the root namespace can scrape them. Names carry a random tag so parallel runs
 * never meet; everything is deleted when the test finishes.
 */
import { type ChildProcess, execFileSync, spawn, spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { onTestFinished } from 'vitest';

export const netnsAvailable =
  process.getuid?.() === 0 && spawnSync('ip', ['netns', 'list'], { encoding: 'utf8' }).status === 0;

const ip = (...args: string[]) => execFileSync('ip', args, { stdio: ['ignore', 'ignore', 'pipe'] });

export interface Locations {
  readonly target: string;
  /** Per location: its namespace, the target's address from there, its own address from the root namespace. */
  readonly locations: ReadonlyArray<{
    readonly netns: string;
    readonly targetAddress: string;
    readonly scrapeAddress: string;
    /** The root namespace's end of that link: where a location reaches a process in the root namespace. */
    readonly rootAddress: string;
  }>;
  /** Takes location i's link to the target down (or back up). */
  setLink(index: number, up: boolean): void;
  /** Takes location i's link to the root namespace down (or back up): where a control plane or Prometheus is. */
  setRootLink(index: number, up: boolean): void;
  /** An address of the target every location reaches (routed over its own link): one URL for all. */
  readonly sharedTargetAddress: string;
}

export function makeLocations(count: number): Locations {
  const tag = randomBytes(3).toString('hex');
  // The root namespace is shared by every test running at once: each set of locations takes its
  // own 10.N.0.0/16 for the links into it (two tests with 10.214.1.1 both in the root namespace
  // sent one test's traffic into the other's namespaces).
  const rootNet = 100 + (randomBytes(1)[0]! % 150);
  const target = `pw${tag}-t`;
  const names = Array.from({ length: count }, (_, i) => `pw${tag}-l${i + 1}`);
  const cleanup = () => {
    for (const ns of [target, ...names]) spawnSync('ip', ['netns', 'del', ns]);
    for (let i = 1; i <= count; i++) spawnSync('ip', ['link', 'del', `pw${tag}r${i}`]);
  };
  onTestFinished(cleanup);
  ip('netns', 'add', target);
  ip('-n', target, 'link', 'set', 'lo', 'up');
  const locations = names.map((netns, index) => {
    const i = index + 1;
    ip('netns', 'add', netns);
    ip('-n', netns, 'link', 'set', 'lo', 'up');
    // Location ↔ target.
    ip('link', 'add', `pw${tag}t${i}`, 'type', 'veth', 'peer', 'name', `pw${tag}l${i}`);
    ip('link', 'set', `pw${tag}t${i}`, 'netns', target);
    ip('link', 'set', `pw${tag}l${i}`, 'netns', netns);
    ip('-n', target, 'addr', 'add', `10.213.${i}.1/24`, 'dev', `pw${tag}t${i}`);
    ip('-n', target, 'link', 'set', `pw${tag}t${i}`, 'up');
    ip('-n', netns, 'addr', 'add', `10.213.${i}.2/24`, 'dev', `pw${tag}l${i}`);
    ip('-n', netns, 'link', 'set', `pw${tag}l${i}`, 'up');
    // Root ↔ location, for scrapes.
    ip('link', 'add', `pw${tag}r${i}`, 'type', 'veth', 'peer', 'name', `pw${tag}s${i}`);
    ip('link', 'set', `pw${tag}s${i}`, 'netns', netns);
    ip('addr', 'add', `10.${rootNet}.${i}.1/24`, 'dev', `pw${tag}r${i}`);
    ip('link', 'set', `pw${tag}r${i}`, 'up');
    ip('-n', netns, 'addr', 'add', `10.${rootNet}.${i}.2/24`, 'dev', `pw${tag}s${i}`);
    ip('-n', netns, 'link', 'set', `pw${tag}s${i}`, 'up');
    ip('-n', netns, 'route', 'add', '10.213.100.1/32', 'via', `10.213.${i}.1`);
    return {
      netns,
      targetAddress: `10.213.${i}.1`,
      scrapeAddress: `10.${rootNet}.${i}.2`,
      rootAddress: `10.${rootNet}.${i}.1`,
    };
  });
  ip('-n', target, 'addr', 'add', '10.213.100.1/32', 'dev', 'lo');
  return {
    target,
    locations,
    setLink: (index, up) => ip('-n', target, 'link', 'set', `pw${tag}t${index + 1}`, up ? 'up' : 'down'),
    setRootLink: (index, up) => ip('link', 'set', `pw${tag}r${index + 1}`, up ? 'up' : 'down'),
    sharedTargetAddress: '10.213.100.1',
  };
}

/** An HTTP target answering "ok" on port 8080 of every address `netns` has; killed when the test finishes. */
export function startNetnsTarget(netns: string): Promise<ChildProcess> {
  const child = spawn(
    'ip',
    [
      'netns',
      'exec',
      netns,
      process.execPath,
      '-e',
      "require('node:http').createServer((_q, s) => s.end('ok')).listen(8080, '0.0.0.0', () => console.log('ready'))",
    ],
    { stdio: ['ignore', 'pipe', 'inherit'] },
  );
  onTestFinished(() => {
    child.kill('SIGKILL');
  });
  return new Promise((resolve, reject) => {
    child.stdout!.once('data', () => resolve(child));
    child.once('exit', (code) => reject(new Error(`target exited with ${code}`)));
  });
}

export interface RoutedTarget {
  /** The target's address, reached from the root namespace through the router. */
  readonly address: string;
  /** The router's address on the root namespace's link: the first hop. */
  readonly router: string;
  /** Takes the router's link to the target down (or back up). */
  setTargetLink(up: boolean): void;
}

/**
 * root namespace → router namespace (forwarding) → target namespace, on a 10.N.0.0/16 of their
 * own, with a route in the root namespace to the target's subnet through the router: a path of
 * two hops whose second link the test can cut. Deleted when the test finishes.
 */
export function makeRoutedTarget(): RoutedTarget {
  const tag = randomBytes(3).toString('hex');
  const net = 100 + (randomBytes(1)[0]! % 150);
  const router = `pw${tag}-r`;
  const target = `pw${tag}-t`;
  onTestFinished(() => {
    for (const ns of [router, target]) spawnSync('ip', ['netns', 'del', ns]);
    spawnSync('ip', ['link', 'del', `pw${tag}a`]);
    spawnSync('ip', ['route', 'del', `10.${net}.2.0/24`]);
  });
  for (const ns of [router, target]) {
    ip('netns', 'add', ns);
    ip('-n', ns, 'link', 'set', 'lo', 'up');
  }
  // Root ↔ router.
  ip('link', 'add', `pw${tag}a`, 'type', 'veth', 'peer', 'name', `pw${tag}b`);
  ip('link', 'set', `pw${tag}b`, 'netns', router);
  ip('addr', 'add', `10.${net}.1.1/24`, 'dev', `pw${tag}a`);
  ip('link', 'set', `pw${tag}a`, 'up');
  ip('-n', router, 'addr', 'add', `10.${net}.1.2/24`, 'dev', `pw${tag}b`);
  ip('-n', router, 'link', 'set', `pw${tag}b`, 'up');
  // Router ↔ target.
  ip('link', 'add', `pw${tag}c`, 'type', 'veth', 'peer', 'name', `pw${tag}d`);
  ip('link', 'set', `pw${tag}c`, 'netns', router);
  ip('link', 'set', `pw${tag}d`, 'netns', target);
  ip('-n', router, 'addr', 'add', `10.${net}.2.1/24`, 'dev', `pw${tag}c`);
  ip('-n', router, 'link', 'set', `pw${tag}c`, 'up');
  ip('-n', target, 'addr', 'add', `10.${net}.2.2/24`, 'dev', `pw${tag}d`);
  ip('-n', target, 'link', 'set', `pw${tag}d`, 'up');
  ip('-n', target, 'route', 'add', 'default', 'via', `10.${net}.2.1`);
  execFileSync('ip', ['netns', 'exec', router, 'sysctl', '-q', '-w', 'net.ipv4.ip_forward=1']);
  ip('route', 'add', `10.${net}.2.0/24`, 'via', `10.${net}.1.2`);
  return {
    address: `10.${net}.2.2`,
    router: `10.${net}.1.2`,
    setTargetLink: (up) => ip('-n', router, 'link', 'set', `pw${tag}c`, up ? 'up' : 'down'),
  };
}
