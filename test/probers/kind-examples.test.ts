/**
 * Every kind's documented example (ProberDefinition.example, shown in docs/kinds.md) is a valid
 * probe as written: loaded as a config file, with its ${VARIABLES} set.
 */
import { mkdirSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config/load.js';
import { PROBERS } from '../../src/probers/index.js';
import { configDir } from '../helpers/config-dir.js';

const indent = (text: string) =>
  text
    .split('\n')
    .map((line) => `  ${line}`)
    .join('\n');

/** Files a kind's example names, made beside it (the playwright example's test file is listed at load). */
const FILES_NAMED: Record<string, Record<string, string>> = {
  playwright: {
    'checks/checkout.spec.ts':
      "import { test } from '@playwright/test';\n\ntest('checkout', async () => {});\n",
  },
};

describe('kind examples', () => {
  for (const prober of Object.values(PROBERS)) {
    it(`${prober.kind}: the example loads as written`, () => {
      const dir = configDir();
      for (const [file, text] of Object.entries(FILES_NAMED[prober.kind] ?? {})) {
        mkdirSync(dirname(join(dir.path, file)), { recursive: true });
        dir.write(file, text);
      }
      dir.write('example.yaml', `probes:\n${indent(prober.example)}\n`);
      const variables = [...prober.example.matchAll(/\$\{(\w+)\}/g)].map((match) => match[1]!);
      const env = Object.fromEntries(
        variables.map((name) => [
          name,
          name.endsWith('_URL') ? `${prober.kind}://127.0.0.1/x` : 'secret-0123456789abcdef0123456789',
        ]),
      );
      const config = loadConfig([dir.path], env);
      expect(config.probes.map((spec) => spec.kind)).toEqual([prober.kind]);
    });
  }
});

describe('docs/delivery.md', () => {
  it('lists every receiver type with its config key, keys and how it delivers', async () => {
    const { receiversReference, withReceivers } = await import('../../scripts/build-kinds-doc.mjs');
    const { RECEIVERS } = await import('../../src/notify/receivers/index.js');
    const current = readFileSync('docs/delivery.md', 'utf8');
    expect(
      withReceivers(current, receiversReference(RECEIVERS)) === current,
      'docs/delivery.md is stale: run npm run docs:kinds',
    ).toBe(true);
  });
});

describe('docs/kinds.md', () => {
  it("shows every kind's summary, keys, failure codes and example as its definition declares them", async () => {
    const { kindsReference, withReference } = await import('../../scripts/build-kinds-doc.mjs');
    const current = readFileSync('docs/kinds.md', 'utf8');
    expect(
      withReference(current, kindsReference(Object.values(PROBERS))) === current,
      'docs/kinds.md is stale: run npm run docs:kinds',
    ).toBe(true);
  });
});
