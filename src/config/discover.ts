/** Which files make up the configuration: every *.yaml / *.yml in the given directories, or the files named. */
import { existsSync, readdirSync, statSync } from 'node:fs';
import { join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { PrismwatchError } from '../errors.js';
import { DEFAULT_CONFIG_DIRS } from './defaults.js';

const YAML_RE = /\.ya?ml$/i;

/** The config shipped with the package, used when the working directory has none of its own. */
const SHIPPED_CONFIG_ROOT = fileURLToPath(new URL('../..', import.meta.url));

export function discoverConfigFiles(paths: readonly string[]): string[] {
  const files: string[] = [];
  for (const path of paths) {
    if (!existsSync(path)) {
      throw new PrismwatchError('PRISMWATCH_CONFIG_NOT_FOUND', `config path ${path} does not exist`);
    }
    if (statSync(path).isDirectory()) {
      const entries = readdirSync(path)
        .filter((entry) => YAML_RE.test(entry))
        .sort();
      files.push(...entries.map((entry) => join(path, entry)));
    } else {
      files.push(path);
    }
  }
  return [...new Set(files)];
}

/** Default paths: ./probes and ./alerts when the working directory has them, else the shipped ones. */
export function defaultConfigPaths(cwd = process.cwd()): string[] {
  const local = DEFAULT_CONFIG_DIRS.map((dir) => join(cwd, dir)).filter((dir) => existsSync(dir));
  if (local.length > 0) return local.map((dir) => relative(cwd, dir) || '.');
  return DEFAULT_CONFIG_DIRS.map((dir) => resolve(SHIPPED_CONFIG_ROOT, dir)).filter((dir) => existsSync(dir));
}

/** Paths in messages: relative to the working directory when below it, as an editor expects. */
export function displayPath(file: string, cwd = process.cwd()): string {
  const rel = relative(cwd, resolve(file));
  return rel.startsWith('..') ? resolve(file) : rel;
}
