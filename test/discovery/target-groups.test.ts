/**
 * What a discovery source reads and what a config says of it: target groups in Prometheus's format
 * (refused whole when broken, never thrown past the reader), file-name patterns, templates made
 * into probes per target, and `discovery:` mistakes located in the file.
 */
import { readFileSync } from 'node:fs';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { defaultProbeName, discoveredProbes } from '../../src/config/discovered-probes.js';
import { loadConfig, loadConfigText } from '../../src/config/load.js';
import {
  type DiscoveredTarget,
  parseTargetFile,
  TargetGroupError,
  targetsFrom,
} from '../../src/discovery/target-groups.js';
import { ConfigError } from '../../src/errors.js';
import { matchesWildcard } from '../../src/util/wildcard.js';
import { fuzz, runs } from '../fuzz/budget.js';

function issuesOf(text: string): string[] {
  try {
    loadConfigText('c.yaml', text);
  } catch (error) {
    if (error instanceof ConfigError)
      return error.issues.map((issue) => `${issue.line} ${issue.path}: ${issue.message}`);
    throw error;
  }
  return [];
}

describe('target groups', () => {
  it('reads targets with their group labels and the file path, as Prometheus does', () => {
    const targets = parseTargetFile(
      '/etc/sd/a.yaml',
      '- targets: [a:1, b:2]\n  labels: { team: core }\n- targets: [c:3]\n',
    );
    expect(targets).toEqual([
      { address: 'a:1', labels: { __meta_filepath: '/etc/sd/a.yaml', team: 'core' } },
      { address: 'b:2', labels: { __meta_filepath: '/etc/sd/a.yaml', team: 'core' } },
      { address: 'c:3', labels: { __meta_filepath: '/etc/sd/a.yaml' } },
    ]);
    expect(targetsFrom([])).toEqual([]);
  });

  it('refuses a document that breaks the format, saying where', () => {
    const refused = (document: unknown) => () => targetsFrom(document);
    expect(refused({ targets: ['a'] })).toThrow(/expected a list of target groups/);
    expect(refused([{ targets: 'a' }])).toThrow(/target group 1: expected targets: a list of strings/);
    expect(refused([{ targets: ['a'], label: {} }])).toThrow(/unknown key "label"/);
    expect(refused([{ targets: ['a'], labels: { '1x': 'v' } }])).toThrow(/label name "1x" is not valid/);
    expect(refused([{ targets: ['a'], labels: { x: 1 } }])).toThrow(/label x: expected a string/);
    expect(refused([{ targets: ['a b'] }])).toThrow(/whitespace or control characters/);
    expect(() => parseTargetFile('x.json', '[{')).toThrow(/not valid JSON/);
  });

  it('fuzz: any JSON or text is targets or a TargetGroupError, never anything else', async () => {
    const group = fc.record(
      {
        targets: fc.oneof(fc.array(fc.string({ maxLength: 30 }), { maxLength: 5 }), fc.anything()),
        labels: fc.oneof(
          fc.dictionary(fc.string({ maxLength: 8 }), fc.string({ maxLength: 8 })),
          fc.anything(),
        ),
      },
      { requiredKeys: [] },
    );
    const documents = fc.oneof(fc.array(fc.oneof(group, fc.anything()), { maxLength: 5 }), fc.anything());
    await fuzz(
      'target groups',
      fc.property(documents, (document) => {
        try {
          for (const target of targetsFrom(document)) expect(typeof target.address).toBe('string');
        } catch (error) {
          expect(error).toBeInstanceOf(TargetGroupError);
        }
      }),
      runs(400),
    );
    await fuzz(
      'target files',
      fc.property(fc.string({ maxLength: 200 }), fc.boolean(), (text, json) => {
        try {
          parseTargetFile(json ? 'a.json' : 'a.yaml', text);
        } catch (error) {
          expect(error).toBeInstanceOf(TargetGroupError);
        }
      }),
      runs(400),
    );
  });
});

describe('file name patterns', () => {
  it('matches * and ? as Prometheus file_sd does, in linear steps', () => {
    expect(matchesWildcard('*.json', 'a.json')).toBe(true);
    expect(matchesWildcard('*.json', 'a.json.tmp')).toBe(false);
    expect(matchesWildcard('team-?.yaml', 'team-a.yaml')).toBe(true);
    expect(matchesWildcard('team-?.yaml', 'team-ab.yaml')).toBe(false);
    expect(matchesWildcard('*', '')).toBe(true);
    // The pattern that makes backtracking matchers explode answers at once.
    expect(matchesWildcard(`${'*a'.repeat(30)}b`, 'a'.repeat(5_000))).toBe(false);
  });

  it('fuzz: agrees with an anchored regular expression of the same pattern', async () => {
    const chars = fc.constantFrom('a', 'b', '.', '*', '?');
    await fuzz(
      'wildcard',
      fc.property(
        fc.string({ unit: chars, maxLength: 8 }),
        fc.string({ unit: chars, maxLength: 10 }),
        (pattern, name) => {
          const regex = new RegExp(
            `^${pattern.replace(/[.]/g, '\\.').replace(/\*/g, '.*').replace(/\?/g, '.')}$`,
            's',
          );
          expect(matchesWildcard(pattern, name)).toBe(regex.test(name));
        },
      ),
      runs(1_000),
    );
  });
});

describe('templates', () => {
  const config = (template: string, extra = '') =>
    `discovery:\n  - name: inv\n    file_sd: { files: [t/*.json] }${extra}\n    template: ${template}\n`;

  it('fills each target into the template, with defaults, and names probes after source and target', () => {
    const loaded = loadConfigText(
      'c.yaml',
      `defaults: { interval: 2m, labels: { env: prod } }\n${config('{ kind: tcp, target: "${target.address}", labels: { team: "${target.labels.team}" } }')}`,
    );
    const targets: DiscoveredTarget[] = [
      { address: 'db:5432', labels: { team: 'data' } },
      { address: 'https://x.test/a b', labels: {} },
    ];
    const { probes, skipped } = discoveredProbes(loaded.discovery, () => targets, new Set());
    expect(probes[0]).toMatchObject({
      name: 'inv:db:5432',
      kind: 'tcp',
      intervalMs: 120_000,
      labels: { env: 'prod', team: 'data' },
      discovered: { source: 'inv', target: 'db:5432' },
      source: { file: 'c.yaml', line: 3 },
    });
    expect(skipped.get('inv')).toEqual([
      { target: 'https://x.test/a b', reason: expect.stringMatching(/^target: /) },
    ]);
    expect(defaultProbeName('inv', 'https://x.test/a')).toBe('inv:https:__x.test_a');
  });

  it('the shipped example makes a probe of each of its example targets', () => {
    const loaded = loadConfig(['probes/examples/discovery.yaml']);
    const file = 'probes/examples/targets/services.json';
    const targets = parseTargetFile(file, readFileSync(file, 'utf8'));
    const { probes, skipped } = discoveredProbes(
      loaded.discovery,
      (source) => (source === 'services' ? targets : []),
      new Set(),
    );
    expect(skipped.get('services')).toEqual([]);
    expect(probes.map((probe) => [probe.name, probe.labels.env])).toEqual([
      ['services:api.prismai.example.com', 'production'],
      ['services:auth.prismai.example.com', 'production'],
      ['services:staging-api.prismai.example.com', 'staging'],
    ]);
  });

  it('locates a template’s mistakes in the file, and leaves values filled per target to each target', () => {
    expect(issuesOf(config('{ kind: htp, url: "https://${target.address}/" }'))).toEqual([
      expect.stringMatching(/^4 discovery\[0\]\.template\.kind: expected one of .*http/),
    ]);
    expect(issuesOf(config('{ kind: http, urll: "https://${target.address}/" }'))).toEqual(
      expect.arrayContaining([
        expect.stringMatching(
          /^4 discovery\[0\]\.template\.urll: unknown key "urll" \(did you mean "url"\?\)/,
        ),
      ]),
    );
    expect(
      issuesOf(config('{ kind: http, url: "https://${target.address}/", interval: 5 parsecs }')),
    ).toEqual([expect.stringMatching(/^4 discovery\[0\]\.template\.interval: /)]);
    // A URL made wholly of a label is a URL only once a target has the label: not a load error.
    expect(issuesOf(config('{ kind: http, url: "${target.labels.url}" }'))).toEqual([]);
    expect(
      issuesOf(
        'discovery:\n  - name: inv\n    file_sd: { files: [a] }\n    http_sd: { url: "http://x/" }\n    template: { kind: tcp, target: "${target.address}" }\n',
      ),
    ).toEqual([expect.stringMatching(/expected exactly one of file_sd or http_sd/)]);
    const twice = config('{ kind: tcp, target: "${target.address}" }');
    expect(issuesOf(`${twice}${twice.replace('discovery:\n', '')}`)).toEqual([
      expect.stringMatching(/^5 discovery\[1\]\.name: duplicate discovery source "inv"/),
    ]);
  });
});
