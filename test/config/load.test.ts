import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config/load.js';
import { ConfigError } from '../../src/errors.js';
import { PROBERS } from '../../src/probers/index.js';

/** The kinds in table order, as the schema lists them. */
const KIND_LIST = Object.keys(PROBERS).join(', ');

const fixtures = 'test/fixtures/config';

function messagesFor(file: string, env: Record<string, string> = {}): string[] {
  try {
    loadConfig([join(fixtures, file)], env);
  } catch (error) {
    expect(error).toBeInstanceOf(ConfigError);
    return (error as ConfigError).message.split('\n');
  }
  throw new Error(`${file} loaded without errors`);
}

describe('loadConfig rejects bad files with file:line:column, key path, expectation and what was found', () => {
  // blackbox_exporter's TestLoadBadConfigs, with our exact texts.
  it.each([
    [
      'invalid-duration.yaml',
      [`${fixtures}/invalid-duration.yaml:5:14 probes[0].timeout: expected a duration like "5s", got "fast"`],
    ],
    [
      'invalid-unknown-key.yaml',
      [
        `${fixtures}/invalid-unknown-key.yaml:5:5 probes[0].timout: unknown key "timout" (did you mean "timeout"?)`,
      ],
    ],
    [
      'invalid-kind.yaml',
      [
        `${fixtures}/invalid-kind.yaml:3:11 probes[0].kind: expected one of ${KIND_LIST}, got "htp" (did you mean "http"?)`,
      ],
    ],
    [
      'invalid-timeout-over-interval.yaml',
      [
        `${fixtures}/invalid-timeout-over-interval.yaml:7:14 probes[0].timeout: expected the timeout (6s) to be below the interval (5s), so runs cannot overlap`,
      ],
    ],
    [
      'invalid-env.yaml',
      [
        `${fixtures}/invalid-env.yaml:4:10 probes[0].url: environment variable PRISMWATCH_TEST_UNSET_VARIABLE is not set (write \${PRISMWATCH_TEST_UNSET_VARIABLE:-default} to give a default)`,
      ],
    ],
    [
      'invalid-missing-url.yaml',
      [
        `${fixtures}/invalid-missing-url.yaml:2:5 probes[0].url: missing required key "url": expected an http:// or https:// URL`,
      ],
    ],
    [
      'invalid-status.yaml',
      [
        `${fixtures}/invalid-status.yaml:5:31 probes[0].valid_status_codes[1]: expected a status code (200), a class ("2xx") or a range ("200-299"), got "2yy"`,
      ],
    ],
    [
      'invalid-label.yaml',
      [
        `${fixtures}/invalid-label.yaml:3:5 defaults.labels.probe: expected a label name other than the reserved probe, kind, phase, result, failure, le, quantile, alertname, alertstate, severity, job, instance, got "probe"`,
      ],
    ],
    [
      'invalid-top-level.yaml',
      [`${fixtures}/invalid-top-level.yaml:1:1 probe: unknown key "probe" (did you mean "probes"?)`],
    ],
    [
      'invalid-interval-and-schedule.yaml',
      [
        `${fixtures}/invalid-interval-and-schedule.yaml:6:15 probes[0].schedule: expected either interval or schedule, not both`,
      ],
    ],
    [
      'invalid-cron.yaml',
      [
        `${fixtures}/invalid-cron.yaml:5:15 probes[0].schedule: expected a cron expression like "*/5 * * * *" (minute hour day month weekday, optional leading seconds), got "every five minutes"`,
      ],
    ],
  ])('%s', (file, expected) => {
    expect(messagesFor(file)).toEqual(expected);
  });

  it('reports invalid YAML at its position', () => {
    const [message] = messagesFor('invalid-yaml.yaml');
    expect(message).toMatch(new RegExp(`^${fixtures}/invalid-yaml.yaml:4:\\d+ invalid YAML: `));
  });

  it('reports every problem of every file, in file order', () => {
    const errors = (() => {
      try {
        loadConfig([join(fixtures, 'invalid-label.yaml'), join(fixtures, 'invalid-kind.yaml')], {});
      } catch (error) {
        return (error as ConfigError).issues;
      }
      return [];
    })();
    expect(errors.map((issue) => issue.file)).toEqual([
      `${fixtures}/invalid-label.yaml`,
      `${fixtures}/invalid-kind.yaml`,
    ]);
  });

  it('rejects duplicate probe names across files, pointing at the first definition', () => {
    expect(() => loadConfig([join(fixtures, 'dup')], {})).toThrow(
      `${fixtures}/dup/two.yaml:2:11 probes[0].name: duplicate probe name "api" (first defined at ${fixtures}/dup/one.yaml:2)`,
    );
  });

  it('never echoes an interpolated value in an error, only the reference as written', () => {
    const dir = mkdtempSync(join(tmpdir(), 'pw-'));
    writeFileSync(
      join(dir, 'p.yaml'),
      'probes:\n  - name: a\n    kind: http\n    url: http://x/\n    timeout: ${SECRET_TIMEOUT}\n',
    );
    let message = '';
    try {
      loadConfig([dir], { SECRET_TIMEOUT: 'hunter2' });
    } catch (error) {
      message = (error as Error).message;
    }
    expect(message).toContain('got "${SECRET_TIMEOUT}"');
    expect(message).not.toContain('hunter2');
  });
});

describe('loadConfig builds frozen specs with defaults', () => {
  it('applies file defaults, label merging, env interpolation and derived timeouts', () => {
    const config = loadConfig([join(fixtures, 'valid')], { PW_TEST_BASE: 'https://prismai.example' });
    expect(config.files).toEqual([join(fixtures, 'valid/a.yaml'), join(fixtures, 'valid/b.yml')]);
    const [web, nightly, api] = config.probes;
    expect(web).toMatchObject({
      name: 'web',
      intervalMs: 10_000,
      timeoutMs: 8_000,
      labels: { team: 'platform', tier: 'edge' },
    });
    expect((web!.settings as { url: string }).url).toBe('https://prismai.example/health');
    expect(nightly).toMatchObject({ name: 'nightly', schedule: '0 3 * * *', timeoutMs: 10_000 });
    expect(nightly!.intervalMs).toBeUndefined();
    expect(api).toMatchObject({ name: 'api', intervalMs: 60_000, timeoutMs: 10_000, labels: {} });
    expect(Object.isFrozen(web)).toBe(true);
    expect(Object.isFrozen(config.probes)).toBe(true);
  });

  it('uses ${VAR:-default} when the variable is unset', () => {
    const config = loadConfig([join(fixtures, 'valid')], {});
    expect((config.probes[0]!.settings as { url: string }).url).toBe('http://127.0.0.1:3000/health');
  });

  it('changes its checksum only when a file changes', () => {
    const a = loadConfig([join(fixtures, 'valid')], {});
    const b = loadConfig([join(fixtures, 'valid')], {});
    expect(a.checksum).toBe(b.checksum);
  });

  it('names a path that does not exist', () => {
    expect(() => loadConfig(['nowhere/at/all'], {})).toThrow('config path nowhere/at/all does not exist');
  });
});

describe('file paths in config', () => {
  it('resolves relative ca_file against the config file, not the working directory', async () => {
    const root = mkdtempSync(join(tmpdir(), 'prismwatch-paths-'));
    mkdirSync(join(root, 'certs'));
    writeFileSync(
      join(root, 'certs', 'ca.pem'),
      '-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n',
    );
    writeFileSync(
      join(root, 'p.yaml'),
      'probes:\n  - { name: t, kind: tls, target: "example.com:443", tls: { ca_file: certs/ca.pem } }\n',
    );
    const config = loadConfig([join(root, 'p.yaml')], {});
    expect((config.probes[0]!.settings as { tls: { ca: string } }).tls.ca).toContain('BEGIN CERTIFICATE');
  });
});
