/**
 * Where a Playwright run's parts are, on the host and as the run sees them. In the sandbox the run
 * folder is /run/prismwatch and prismwatch's node_modules /opt/prismwatch/node_modules (away from
 * any folder a test file sits in, so `@playwright/test` resolves to the run's own shim, which adds
 * the Web Vitals fixture). Without the sandbox both are seen where they are.
 */
import { existsSync, lstatSync, readlinkSync } from 'node:fs';
import { createRequire } from 'node:module';
import { delimiter, dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const require = createRequire(import.meta.url);

/** prismwatch's own node_modules, the folder holding @playwright/test. */
export const NODE_MODULES = dirname(dirname(dirname(require.resolve('@playwright/test/package.json'))));
const HERE = dirname(fileURLToPath(import.meta.url));
/**
 * The runner's entry, compiled next to this file; when this module runs from its TypeScript source
 * (the test suite), the built one in dist/ (`npm test` builds first).
 */
export const ENTRY =
  [join(HERE, 'sandbox-entry.js'), join(HERE, '../../../dist/probers/playwright/sandbox-entry.js')].find(
    (path) => existsSync(path),
  ) ?? join(HERE, 'sandbox-entry.js');

export interface RunPaths {
  /** The run's own folder: config, shim, output, report, proxy socket. */
  readonly run: string;
  readonly modules: string;
  readonly entry: string;
  readonly config: string;
  readonly output: string;
  readonly report: string;
  readonly socket: string;
  readonly nodePath: string;
  readonly cli: string;
}

function pathsUnder(run: string, modules: string, entry: string): RunPaths {
  return {
    run,
    modules,
    entry,
    config: join(run, 'playwright.config.mjs'),
    output: join(run, 'out'),
    report: join(run, 'report.json'),
    socket: join(run, 'proxy.sock'),
    nodePath: [join(run, 'shim', 'node_modules'), modules].join(delimiter),
    cli: join(modules, '@playwright', 'test', 'cli.js'),
  };
}

/** The run's paths on the host (where prismwatch writes and reads them). */
export const hostPaths = (runDir: string): RunPaths => pathsUnder(runDir, NODE_MODULES, ENTRY);

/** The same paths as the runner sees them. */
export const innerPaths = (runDir: string, sandboxed: boolean): RunPaths =>
  sandboxed
    ? pathsUnder('/run/prismwatch', '/opt/prismwatch/node_modules', '/opt/prismwatch/entry.mjs')
    : hostPaths(runDir);

/** Top-level folders that are links on a merged-/usr system (/lib → usr/lib), made the same inside. */
export function rootLinks(): Array<[string, string]> {
  const links: Array<[string, string]> = [];
  for (const top of ['/bin', '/sbin', '/lib', '/lib32', '/lib64', '/libx32']) {
    try {
      if (lstatSync(top).isSymbolicLink()) links.push([readlinkSync(top), top]);
    } catch {
      // absent here: absent inside
    }
  }
  return links;
}
