/**
 * Mutated YAML at the loader (what `check` and every reload run): a variant either loads or is
 * refused with a ConfigError whose every issue names the file and a line, in one pass, and never
 * quotes a value that came from the environment. Nothing else may come out of it.
 */
import { readFileSync } from 'node:fs';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config/load.js';
import { ConfigError } from '../../src/errors.js';
import { configDir } from '../helpers/config-dir.js';
import { YAML_NOISE } from '../helpers/yaml-noise.js';
import { fuzz, runs } from './budget.js';

const SECRET = 'S3cr3t-Fuzz-Value';
const ENV = { SECRET, PRISMWATCH_URL: 'http://127.0.0.1:9797', PRISMWATCH_SELF_MIN_GRADE: 'C+' };

/** The shipped config, with secrets interpolated into places errors like to quote. */
const BASE = [
  ...['probes/prismai.yaml', 'alerts/checklist.yaml', 'alerts/routing.yaml'].map((file) =>
    readFileSync(file, 'utf8').replace(/^# yaml-language-server.*$/gm, ''),
  ),
  [
    'probes:',
    '  - name: secret-probe',
    '    kind: http',
    '    url: "http://127.0.0.1:1/${SECRET}"',
    '    headers: { x-api-key: "${SECRET}" }',
    '    expect: { regex: ["${SECRET}"] }',
  ].join('\n'),
].join('\n');

/** The hand-edit noise, plus what matters to this loader: merge keys and references. */
const NOISE = [...YAML_NOISE, '<<', '${SECRET}', '${', '('];

const edit = fc.record({
  at: fc.double({ min: 0, max: 1, noNaN: true }),
  kind: fc.constantFrom('truncate', 'insert', 'delete', 'replace', 'duplicate-line'),
  noise: fc.constantFrom(...NOISE),
  length: fc.integer({ min: 1, max: 20 }),
});

interface Edit {
  readonly at: number;
  readonly kind: string;
  readonly noise: string;
  readonly length: number;
}

function apply(text: string, edits: ReadonlyArray<Edit>) {
  let out = text;
  for (const { at, kind, noise, length } of edits) {
    const i = Math.floor(at * out.length);
    if (kind === 'truncate') out = out.slice(0, i);
    else if (kind === 'insert') out = out.slice(0, i) + noise + out.slice(i);
    else if (kind === 'delete') out = out.slice(0, i) + out.slice(i + length);
    else if (kind === 'replace') out = out.slice(0, i) + noise + out.slice(i + 1);
    else {
      // The line holding position i, written twice (a duplicate key, a duplicate list entry).
      const start = out.lastIndexOf('\n', i - 1) + 1;
      const end = out.indexOf('\n', i) === -1 ? out.length : out.indexOf('\n', i);
      const line = out.slice(start, end);
      out = `${out.slice(0, end)}\n${line}${out.slice(end)}`;
    }
  }
  return out;
}

describe('loading mutated configs', () => {
  it('loads or refuses with located issues, never anything else, never a secret', async () => {
    const dir = configDir();
    await fuzz(
      'mutated YAML',
      fc.property(fc.array(edit, { minLength: 1, maxLength: 4 }), (edits) => {
        dir.write('config.yaml', apply(BASE, edits));
        try {
          loadConfig([dir.path], ENV);
        } catch (error) {
          if (!(error instanceof ConfigError)) throw error;
          expect(error.issues.length).toBeGreaterThan(0);
          for (const issue of error.issues) {
            expect(issue.file).toMatch(/config\.yaml$/);
            expect(issue.line).toBeGreaterThanOrEqual(1);
          }
          expect(error.message).not.toContain('S3cr');
          expect(error.message).not.toContain('Fuzz-Val');
        }
      }),
      runs(400),
    );
  }, 240_000);
});
