#!/usr/bin/env node
/**
 * `npm start` compiles only when something tsc reads changed since the last build: running tsc
 * on every start took 44 to 61 s to the first healthy answer on a busy machine. The stamp holds
 * a hash of every source file's path, size and mtime (and the tsconfig files and package-lock),
 * so an edit, a new file, a deletion or a `git checkout` all rebuild; an unchanged tree starts at
 * once. `npm run build` always compiles, and writes the stamp too.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { STAMP, treeHash } from './tree-hash.mjs';

const force = process.argv.includes('--force');
const current = treeHash();
const built = existsSync(STAMP) ? readFileSync(STAMP, 'utf8').trim() : '';
if (!force && built === current && existsSync('dist/cli/main.js')) process.exit(0);
const tsc = spawnSync(process.execPath, ['node_modules/typescript/bin/tsc', '-p', 'tsconfig.build.json'], {
  stdio: 'inherit',
});
if (tsc.status !== 0) process.exit(tsc.status ?? 1);
writeFileSync(STAMP, `${current}\n`);
