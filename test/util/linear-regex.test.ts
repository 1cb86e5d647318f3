/**
 * Every pattern a user or a target influences runs in RE2: the catastrophic-backtracking cases
 * from the hardening review finish (the test's own timeout is the bound; V8 would take hours on
 * these inputs), and patterns RE2 cannot run are refused when the config loads, with file:line.
 */
import { describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config/load.js';
import { ConfigError } from '../../src/errors.js';
import { matches, parseMatcher } from '../../src/model/matchers.js';
import { StateStore } from '../../src/state/store.js';
import { LinearRegExp, RegexSyntaxError } from '../../src/util/linear-regex.js';
import { configDir } from '../helpers/config-dir.js';
import { probe } from '../helpers/probe.js';
import { withHttpServer } from '../helpers/servers.js';

describe('LinearRegExp', () => {
  it('matches like RegExp on ordinary patterns', () => {
    const cases: Array<[string, string, boolean]> = [
      ['"version":"\\d+\\.', '{"version":"12.3"}', true],
      ['^prism', 'prismai', true],
      ['^prism', 'xprism', false],
      ['(?i)ERROR', 'an error here', true],
      ['^text/', 'text/html', true],
      ['[[:alpha:]]+', '123', false],
    ];
    for (const [source, text, expected] of cases)
      expect(new LinearRegExp(source).test(text), source).toBe(expected);
  });

  it('anchors both ends for matchers, as Alertmanager does', () => {
    expect(new LinearRegExp('crit', { anchored: true }).test('critical')).toBe(false);
    expect(new LinearRegExp('crit|warn', { anchored: true }).test('warn')).toBe(true);
  });

  it('exec gives the leftmost match, where it starts, and its groups', () => {
    expect(new LinearRegExp('PO+NG').exec('xx POOONG yy')).toEqual({ index: 3, text: 'POOONG', groups: [] });
    expect(new LinearRegExp('id=(\\d+)(x)?').exec('a id=42 b')).toEqual({
      index: 2,
      text: 'id=42',
      groups: ['42', undefined],
    });
    expect(new LinearRegExp('nope').exec('xx')).toBeUndefined();
  });

  it.each([
    ['(a+)+$', `${'a'.repeat(5_000)}!`],
    ['(.*.*)*X', 'y'.repeat(5_000)],
    ['(a|a)*b', 'a'.repeat(5_000)],
    ['^(\\w+\\s?)*$', `${'word '.repeat(2_000)}!`],
  ])('%s against hostile input finishes (no backtracking)', (source, text) => {
    expect(new LinearRegExp(source).test(text)).toBe(false);
  });

  it.each([
    ['(?=a)b', 'lookahead'],
    ['(?<!a)b', 'lookbehind'],
    ['(a)\\1', 'backreferences'],
    ['(a', 'missing closing )'],
  ])('refuses %s with a reason', (source, reason) => {
    expect(() => new LinearRegExp(source)).toThrow(RegexSyntaxError);
    expect(() => new LinearRegExp(source)).toThrow(reason);
  });
});

describe('where patterns come from', () => {
  it('a body regex that backtracks in V8 is an ordinary assertion failure', async () => {
    const target = await withHttpServer((_req, res) => res.end(`${'a'.repeat(100_000)}!`));
    const result = await probe({ kind: 'http', url: target.url, expect: { regex: ['(a+)+$'] } });
    expect(result.failure).toMatchObject({ code: 'assertion_failed' });
  });

  it('a silence matcher that backtracks in V8 matches in linear time', () => {
    const matcher = parseMatcher('probe=~"(.*.*)*X"');
    if (typeof matcher === 'string') throw new Error(matcher);
    expect(matches(matcher, { probe: 'p'.repeat(10_000) })).toBe(false);
  });

  it('a matcher RE2 cannot run is refused with the reason', () => {
    expect(parseMatcher('probe=~"(?!api).*"')).toMatch(/expected a valid RE2 regular expression for probe/);
  });

  it('a config pattern RE2 cannot run is a config error with file and line', () => {
    const dir = configDir();
    dir.write(
      'probes.yaml',
      [
        'probes:',
        '  - name: api',
        '    kind: http',
        '    url: http://127.0.0.1:1/',
        '    expect:',
        "      regex: ['(?=ok)']",
      ].join('\n'),
    );
    let error: unknown;
    try {
      loadConfig([dir.path], {});
    } catch (caught) {
      error = caught;
    }
    expect(error).toBeInstanceOf(ConfigError);
    expect((error as ConfigError).message).toMatch(
      /probes\.yaml:6:\d+ probes\[0\]\.expect\.regex\[0\]: expected a valid RE2 regular expression .*lookahead/,
    );
  });
});

describe('a silence saved before patterns ran in RE2', () => {
  it('is left out with a reason instead of muting by guesswork', () => {
    const store = new StateStore().notifications;
    const base = { startsAt: 0, endsAt: 1e15, createdBy: 'ops', comment: '', origin: 'api' as const };
    store.saveSilence({ ...base, id: 'old', matchers: [{ name: 'probe', op: '=~', value: '(?!api).*' }] });
    store.saveSilence({ ...base, id: 'fine', matchers: [{ name: 'probe', op: '=', value: 'api' }] });
    const unreadable: string[] = [];
    const loaded = store.loadSilences((id) => unreadable.push(id));
    expect(loaded.map((silence) => silence.id)).toEqual(['fine']);
    expect(unreadable).toEqual(['old']);
  });
});
