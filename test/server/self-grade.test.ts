/**
 * Dogfood: prismwatch's own security_headers probe (shipped in probes/prismwatch.yaml) grades the
 * daemon's responses. Over HTTPS (--web.tls-cert-file) it must reach A or better; over plain HTTP
 * the rules cap it at C+ (no HSTS, no redirect), which the shipped probe expects there.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { makeCa, makeLeaf, writeCaFile, writeKeyPair } from '../helpers/certs.js';
import { startCli } from '../helpers/cli.js';
import { configDir } from '../helpers/config-dir.js';
import { eventually } from '../helpers/metrics.js';

/** The shipped self-probes, with the security probe's 5-minute interval made testable. */
function shippedSelfProbes(): string {
  const dir = configDir();
  dir.write(
    'prismwatch.yaml',
    readFileSync('probes/prismwatch.yaml', 'utf8')
      .replace('interval: 5m', 'interval: 1s')
      .replace('timeout: 10s', 'timeout: 900ms'),
  );
  return dir.path;
}

async function gradeOf(baseUrl: string, init?: { dispatcher?: unknown }) {
  return eventually(async () => {
    const text = await (await fetch(`${baseUrl}/metrics`, init as RequestInit)).text();
    const grade = /prismwatch_security_grade_info\{[^}]*probe="prismwatch-security"[^}]*grade="([^"]+)"/.exec(
      text,
    )?.[1];
    const success = /probe_success\{[^}]*probe="prismwatch-security"[^}]*\} (\d)/.exec(text)?.[1];
    return grade && success ? { grade, success } : undefined;
  }, 240_000);
}

describe("prismwatch's own security grade", () => {
  it('is A+ over HTTPS, with HSTS on every response', async () => {
    const ca = await makeCa();
    const { certFile, keyFile } = writeKeyPair(await makeLeaf({ ca, hosts: ['127.0.0.1'] }));
    const caFile = writeCaFile(ca);
    const daemon = await startCli(
      ['--config', shippedSelfProbes(), '--web.tls-cert-file', certFile, '--web.tls-key-file', keyFile],
      { NODE_EXTRA_CA_CERTS: caFile },
    );
    expect(daemon.baseUrl).toMatch(/^https:\/\/127\.0\.0\.1:\d+$/);
    const { Agent } = await import('undici');
    const dispatcher = new Agent({ connect: { ca: readFileSync(caFile) } });
    const { grade, success } = await gradeOf(daemon.baseUrl, { dispatcher });
    expect(grade).toBe('A+');
    expect(success).toBe('1');
    const { request } = await import('undici');
    const page = await request(`${daemon.baseUrl}/`, { dispatcher });
    await page.body.dump();
    expect(page.headers['strict-transport-security']).toBe('max-age=63072000');
    await dispatcher.close();
  }, 240_000);

  it('is C+ over plain HTTP, which the shipped probe accepts there', async () => {
    const daemon = await startCli(['--config', shippedSelfProbes()]);
    const { grade, success } = await gradeOf(daemon.baseUrl);
    expect(grade).toBe('C+');
    expect(success).toBe('1');
  }, 240_000);
});
