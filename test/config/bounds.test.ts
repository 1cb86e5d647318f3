/**
 * Config is bounded and its errors are located: aliases, durations, encodings, every problem in
 * one pass, and no value from the environment in any message.
 */
import { describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config/load.js';
import { ConfigError } from '../../src/errors.js';
import { runCli } from '../helpers/cli.js';
import { configDir } from '../helpers/config-dir.js';

function problems(dir: string, env: Record<string, string> = {}): string[] {
  try {
    loadConfig([dir], env);
  } catch (error) {
    expect(error).toBeInstanceOf(ConfigError);
    return (error as ConfigError).message.split('\n');
  }
  return [];
}

function manyMerges(count: number): string {
  const lines = [
    'probes:',
    '  - &base',
    '    name: p0',
    '    kind: http',
    '    url: http://127.0.0.1:1/',
    '    interval: 30s',
  ];
  for (let i = 1; i < count; i++) lines.push('  - <<: *base', `    name: p${i}`);
  return `${lines.join('\n')}\n`;
}

describe('aliases', () => {
  it('a merge key used thousands of times loads', () => {
    const dir = configDir();
    dir.write('probes.yaml', manyMerges(5_000));
    expect(loadConfig([dir.path], {}).probes).toHaveLength(5_000);
  });

  it('a billion-laughs document is a located error, not a stack trace', async () => {
    const dir = configDir();
    const lines = ['x0: &a0 [lol, lol, lol, lol, lol, lol, lol, lol, lol]'];
    for (let i = 1; i <= 9; i++) {
      const alias = `*a${i - 1}`;
      lines.push(`x${i}: &a${i} [${Array(9).fill(alias).join(', ')}]`);
    }
    dir.write('laughs.yaml', `${lines.join('\n')}\n`);
    const found = problems(dir.path);
    expect(found[0]).toMatch(
      /laughs\.yaml:\d+:\d+ expected aliases \(\*name\) to expand to at most 100000 nodes/,
    );
    const check = await runCli(['check', dir.path]);
    expect(check.code).toBe(1);
    expect(check.stderr + check.stdout).not.toMatch(/\n\s+at /); // no stack trace
    const run = await runCli(['run', '--config', dir.path, '--web.listen-address', '127.0.0.1:0']);
    expect(run.code).toBe(2);
  });

  it('too many plain aliases in one file is a located error', () => {
    const dir = configDir();
    const lines = [
      'probes:',
      '  - name: p0',
      '    kind: http',
      '    url: http://127.0.0.1:1/',
      '    labels: &l {team: web}',
    ];
    for (let i = 1; i <= 2_001; i++)
      lines.push(`  - {name: p${i}, kind: http, url: "http://127.0.0.1:1/", labels: *l}`);
    dir.write('probes.yaml', `${lines.join('\n')}\n`);
    expect(problems(dir.path)[0]).toMatch(/probes\.yaml:\d+:\d+ expected at most 2000 aliases/);
  });
});

describe('durations', () => {
  it.each([
    ['timeout: 30d', 'interval: 60d', /timeout: expected a duration of at most 24d/],
    ['timeout: 5s', 'interval: 99999999999999999999w', /interval: expected a duration of at most 365d/],
    ['timeout: 5s', 'interval: 400d', /interval: expected a duration of at most 365d/],
  ])('%s with %s is a located error', (timeout, interval, message) => {
    const dir = configDir();
    dir.write(
      'p.yaml',
      `probes:\n  - name: p\n    kind: http\n    url: http://127.0.0.1:1/\n    ${timeout}\n    ${interval}\n`,
    );
    expect(problems(dir.path).join('\n')).toMatch(message);
  });

  it('an interval of 300 days is accepted (and scheduled without overflowing the timer)', () => {
    const dir = configDir();
    dir.write(
      'p.yaml',
      'probes:\n  - name: p\n    kind: http\n    url: http://127.0.0.1:1/\n    interval: 300d\n',
    );
    expect(loadConfig([dir.path], {}).probes[0]?.intervalMs).toBe(300 * 86_400_000);
  });
});

describe('encoding', () => {
  it('invalid UTF-8 names the file, line and column', () => {
    const dir = configDir();
    dir.write('ok.yaml', 'probes: []\n');
    dir.write(
      'latin1.yaml',
      Buffer.concat([
        Buffer.from('probes:\n  - name: caf'),
        Buffer.from([0xe9]),
        Buffer.from('\n    kind: http\n'),
      ]) as unknown as string,
    );
    expect(problems(dir.path)).toContainEqual(
      expect.stringMatching(/latin1\.yaml:2:14 expected UTF-8 text, got the byte 0xe9/),
    );
  });
});

describe('every problem in one pass', () => {
  it('reports a duplicate name together with schema errors elsewhere and in the duplicate itself', () => {
    const dir = configDir();
    dir.write(
      'a.yaml',
      'probes:\n  - name: api\n    kind: http\n    url: http://127.0.0.1:1/\n  - name: broken\n    kind: http\n    timeout: fast\n',
    );
    dir.write('b.yaml', 'probes:\n  - name: api\n    kind: http\n    timout: 5s\n');
    const found = problems(dir.path).join('\n');
    expect(found).toMatch(/a\.yaml:7:\d+ probes\[1\]\.timeout: expected a duration/);
    expect(found).toMatch(/b\.yaml:4:\d+ probes\[0\]\.timout: unknown key/);
    expect(found).toMatch(
      /b\.yaml:2:\d+ probes\[0\]\.name: duplicate probe name "api" \(first defined at .*a\.yaml:2\)/,
    );
  });
});

describe('secrets in errors', () => {
  const SECRET = 'hunter2-(Top-S3cret';
  const fields = [
    'probes:',
    '  - name: regex',
    '    kind: http',
    '    url: http://127.0.0.1:1/',
    '    expect: { regex: ["${SECRET}"], headers: { x: "${SECRET}" }, json: [{ path: $.a, matches: "${SECRET}" }] }',
    '  - name: "${SECRET}"',
    '    kind: http',
    '    url: "${SECRET}"',
    '    timeout: "${SECRET}"',
    '    labels: { team: "${SECRET}" }',
    '    valid_status_codes: ["${SECRET}"]',
    '    method: "${SECRET}"',
    '  - name: dns',
    '    kind: dns',
    '    query_name: "${SECRET}"',
    '    expect: { match: ["${SECRET}"] }',
    '  - name: tcp',
    '    kind: tcp',
    '    target: "${SECRET}"',
    '    query_response: [{ expect: "${SECRET}" }]',
    'route:',
    '  receiver: "${SECRET}"',
    '  matchers: ["probe=~${SECRET}", "${SECRET}"]',
    'receivers:',
    '  - name: team',
    '    webhook_configs: [{ url: "${SECRET}" }]',
    'inhibit_rules:',
    '  - source_matchers: ["a=~${SECRET}"]',
    '    target_matchers: ["${SECRET}"]',
  ];

  function fragments(value: string): string[] {
    const parts: string[] = [];
    for (let i = 0; i + 4 <= value.length; i++) parts.push(value.slice(i, i + 4));
    return parts;
  }

  it('never shows the value, nor any four characters of it, in any message of check or run', async () => {
    const dir = configDir();
    dir.write('all.yaml', `${fields.join('\n')}\n`);
    const found = problems(dir.path, { SECRET }).join('\n');
    expect(found.split('\n').length).toBeGreaterThan(10);
    expect(found).toContain('${SECRET}');
    for (const part of fragments(SECRET)) expect(found, part).not.toContain(part);
    const check = await runCli(['check', dir.path], { SECRET });
    const run = await runCli(['run', '--config', dir.path, '--web.listen-address', '127.0.0.1:0'], {
      SECRET,
    });
    expect(run.code).toBe(2);
    for (const output of [check.stdout, check.stderr, run.stdout, run.stderr]) {
      for (const part of fragments(SECRET)) expect(output, part).not.toContain(part);
    }
  });
});
