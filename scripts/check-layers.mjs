#!/usr/bin/env node
// Folder-level import rules for src/, run by CI (`npm run lint`).
//
// Every top-level folder under src/ (and each top-level file, such as daemon.ts) is a node; an
// import from one into another is an arrow. Two rules:
//   1. the arrows form no cycle: no two folders import each other, directly or round a loop;
//   2. each folder sits in a layer and imports only from its own layer or lower ones
//      (model/util ← stages ← assembly ← cli), so a stage cannot reach into the daemon.
// Written by hand rather than with dependency-cruiser: both rules fit in this one short file
// with no dependency, and the folder-level view is all they need.
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve, sep } from 'node:path';

const SRC = resolve(import.meta.dirname, '..', 'src');

/** Lower number = lower layer. A node missing here is an error, so a new folder is placed on purpose. */
const LAYERS = {
  model: 0,
  util: 0,
  'errors.ts': 0,
  locations: 4,
  agent: 7,
  'version.ts': 0,
  'log.ts': 1,
  probers: 2,
  discovery: 5,
  metrics: 3,
  results: 3,
  diagnostics: 4,
  tracing: 3,
  scheduler: 3,
  rules: 4,
  slo: 4,
  muting: 4,
  notify: 4,
  state: 3,
  server: 5,
  config: 6,
  'daemon.ts': 7,
  daemon: 7,
  verify: 7,
  demo: 8,
  cli: 8,
};

function* files(dir) {
  for (const name of readdirSync(dir)) {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) yield* files(path);
    else if (name.endsWith('.ts')) yield path;
  }
}

const nodeOf = (path) => relative(SRC, path).split(sep)[0];
const edges = new Map();
const problems = [];
for (const file of files(SRC)) {
  const from = nodeOf(file);
  const text = readFileSync(file, 'utf8');
  for (const match of text.matchAll(/(?:from|import)\s*\(?\s*'(\.[^']+)'/g)) {
    const to = nodeOf(resolve(dirname(file), match[1].replace(/\.js$/, '.ts')));
    if (to === from || to.startsWith('..')) continue;
    if (!edges.has(from)) edges.set(from, new Map());
    if (!edges.get(from).has(to)) edges.get(from).set(to, relative(SRC, file));
  }
}

for (const [from, targets] of edges) {
  for (const [to, file] of targets) {
    for (const node of [from, to])
      if (!(node in LAYERS)) problems.push(`${node}: not placed in a layer (scripts/check-layers.mjs)`);
    if (LAYERS[to] > LAYERS[from])
      problems.push(`${file} imports ${to}/ (layer ${LAYERS[to]}) from layer ${LAYERS[from]}`);
  }
}

// Cycles between folders, found by depth-first search; each reported once, as its path.
const seen = new Set();
const onPath = [];
function visit(node) {
  if (onPath.includes(node)) {
    problems.push(`import cycle: ${[...onPath.slice(onPath.indexOf(node)), node].join(' → ')}`);
    return;
  }
  if (seen.has(node)) return;
  seen.add(node);
  onPath.push(node);
  for (const to of edges.get(node)?.keys() ?? []) visit(to);
  onPath.pop();
}
for (const node of edges.keys()) visit(node);

const unique = [...new Set(problems)];
for (const problem of unique) console.error(problem);
if (unique.length > 0) {
  console.error(`check-layers: ${unique.length} problem(s)`);
  process.exit(1);
}
console.log(`check-layers: ${edges.size} folders, no cycles, every import points down`);
