#!/usr/bin/env node
// Rewrites docs/rules.md's "What pages when" table from the shipped config (`prismwatch rules pages`
// over ./probes and ./alerts, with no environment). test/verify/paging.test.ts fails until it is
// current, so a rule, interval or route timer changed in a pull request shows what it does to paging.
import { execFileSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';

const table = execFileSync(process.execPath, ['dist/cli/main.js', 'rules', 'pages', 'probes', 'alerts'], {
  encoding: 'utf8',
  env: { PATH: process.env.PATH ?? '' },
});
const readme = readFileSync('docs/rules.md', 'utf8');
const marked = /(<!-- what-pages-when:start -->\n)[\s\S]*?(<!-- what-pages-when:end -->)/;
if (!marked.test(readme)) throw new Error('docs/rules.md has no what-pages-when markers');
writeFileSync(
  'docs/rules.md',
  readme.replace(marked, (_all, start, end) => `${start}${table}${end}`),
);
