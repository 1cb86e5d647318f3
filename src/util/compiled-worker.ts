/**
 * The compiled file of a worker thread beside the module asking for it. Run from TypeScript
 * sources (the test runner) that module is a .ts file and node cannot start a .ts worker, so the
 * build under dist/ is used (`npm test` builds first); undefined when there is none.
 *   compiledWorker(import.meta.url, 'config/load-worker.js', './load-worker.js')
 */
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

export function compiledWorker(moduleUrl: string, distPath: string, sibling: string): string | undefined {
  const here = fileURLToPath(moduleUrl);
  const compiled = here.endsWith('.ts')
    ? fileURLToPath(new URL(`${'../'.repeat(depthUnderSrc(here) + 1)}dist/${distPath}`, moduleUrl))
    : fileURLToPath(new URL(sibling, moduleUrl));
  return existsSync(compiled) ? compiled : undefined;
}

/** Folders between src/ and the file: 1 for src/config/load.ts. */
function depthUnderSrc(file: string): number {
  return file.slice(file.lastIndexOf('/src/') + 5).split('/').length - 1;
}
