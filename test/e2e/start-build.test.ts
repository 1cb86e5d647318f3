/**
 * `npm start` does not recompile an unchanged tree (scripts/build-if-stale.mjs): tsc on every
 * start took 44 to 61 s to the first healthy answer on a busy machine. `npm test` has just built,
 * so the tree is unchanged: the script must leave dist alone. (It never rebuilds here: other test
 * files run dist/ at the same time.)
 */
import { spawnSync } from 'node:child_process';
import { readFileSync, statSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { STAMP, treeHash } from '../../scripts/tree-hash.mjs';

describe('npm start on an unchanged tree', () => {
  it('skips the compile and leaves dist as it is', () => {
    // Built by `npm test` just before; if not, say so rather than rebuild under running tests.
    expect(readFileSync(STAMP, 'utf8').trim(), 'run `npm run build` first').toBe(treeHash());
    const before = statSync('dist/cli/main.js').mtimeMs;
    const run = spawnSync(process.execPath, ['scripts/build-if-stale.mjs'], { encoding: 'utf8' });
    expect(run.status).toBe(0);
    expect(run.stdout + run.stderr).toBe('');
    expect(statSync('dist/cli/main.js').mtimeMs).toBe(before);
    expect(readFileSync('package.json', 'utf8')).toContain(
      '"start": "node scripts/build-if-stale.mjs && node dist/cli/main.js run"',
    );
  });
});
