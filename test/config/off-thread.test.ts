/**
 * Large configs reload on a worker thread: the result is the same Config (compiled patterns and
 * URLs rebuilt), errors keep their file:line, and the daemon applies it like any reload.
 */
import { describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config/load.js';
import { IN_PLACE_MAX_BYTES, loadConfigOffThread } from '../../src/config/load-off-thread.js';
import { ConfigError } from '../../src/errors.js';
import { LinearRegExp } from '../../src/util/linear-regex.js';
import { configDir } from '../helpers/config-dir.js';
import { startDaemon } from '../helpers/daemon.js';
import { probe } from '../helpers/probe.js';
import { withHttpServer } from '../helpers/servers.js';

function bigConfig(url: string, count: number): string {
  const lines = ['probes:'];
  for (let i = 0; i < count; i++) {
    lines.push(
      `  - name: p${i}`,
      '    kind: http',
      `    url: ${url}/${i}`,
      '    interval: 1h',
      "    expect: { regex: ['^ok$'], headers: { content-type: 'text' } }",
    );
  }
  lines.push(
    'security:',
    '  - name: sec',
    '    kind: security_headers',
    `    url: ${url.replace('http:', 'https:')}/`,
    "    forbidden: [{ name: server, matches: '\\d' }]",
  );
  return `${lines.join('\n')}\n`;
}

describe('loading off the event loop', () => {
  it('gives the same config as loading in place, patterns and URLs included', async () => {
    const dir = configDir();
    dir.write('big.yaml', bigConfig('http://127.0.0.1:9', 400).replace(/^security:[\s\S]*$/m, ''));
    dir.write('sec.yaml', `probes:\n${bigConfig('http://127.0.0.1:9', 0).split('security:\n')[1]}`);
    const inPlace = loadConfig([dir.path], {});
    const offThread = await loadConfigOffThread([dir.path], {});
    expect(JSON.stringify(offThread)).toBe(JSON.stringify(inPlace));
    const settings = offThread.probes[0]!.settings as { expect: { regex: LinearRegExp[] } };
    expect(settings.expect.regex[0]).toBeInstanceOf(LinearRegExp);
    expect(settings.expect.regex[0]!.test('ok')).toBe(true);
    const sec = offThread.probes.find((spec) => spec.name === 'sec')!.settings as { httpUrl?: unknown };
    expect(sec.httpUrl === undefined || sec.httpUrl instanceof URL).toBe(true);
  });

  it('reports errors with their file and line', async () => {
    const dir = configDir();
    dir.write(
      'big.yaml',
      `${bigConfig('http://127.0.0.1:9', 400).split('security:')[0]}  - name: bad\n    kind: http\n    url: http://x/\n    timeout: soon\n`,
    );
    const error = await loadConfigOffThread([dir.path], {}).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(ConfigError);
    expect((error as ConfigError).message).toMatch(
      /big\.yaml:\d+:\d+ probes\[400\]\.timeout: expected a duration/,
    );
  });

  it('a daemon reloading a large config keeps probing and runs the new probes', async () => {
    const target = await withHttpServer((_req, res) => {
      res.setHeader('content-type', 'text/plain');
      res.end('ok');
    });
    const dir = configDir();
    dir.write(
      'probes.yaml',
      `probes:\n  - name: first\n    kind: http\n    url: ${target.url}\n    interval: 1h\n`,
    );
    const { daemon } = await startDaemon(dir.path, { logLevel: 'silent' });
    const text = bigConfig(target.url, 300).split('security:')[0]!;
    expect(Buffer.byteLength(text)).toBeGreaterThan(IN_PLACE_MAX_BYTES);
    dir.write('probes.yaml', text);
    const outcome = await daemon.reload();
    expect(outcome).toMatchObject({ ok: true });
    expect(daemon.currentConfig?.probes).toHaveLength(300);
    // The revived pattern works in a real run.
    const spec = daemon.currentConfig!.probes[0]!;
    const result = await probe({ kind: 'http', url: `${target.url}/0`, expect: { regex: ['^ok$'] } });
    expect(result.ok).toBe(true);
    expect((spec.settings as { expect: { regex: LinearRegExp[] } }).expect.regex[0]!.test('ok')).toBe(true);
  });
});
