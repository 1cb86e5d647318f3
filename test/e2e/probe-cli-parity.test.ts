/**
 * `prismwatch probe --kind security_headers` can run the grader every way the config can: each
 * config key has a flag (a key added without one fails here), the flags reach the daemon's own
 * settings, and a flag the chosen kind does not take is refused rather than ignored (once
 * --ca-file was silently dropped for security_headers, and a URL with a port got no http session).
 */
import { describe, expect, it } from 'vitest';
import { proberFor } from '../../src/probers/index.js';
import { makeCa, makeLeaf, writeCaFile } from '../helpers/certs.js';
import { runCli } from '../helpers/cli.js';
import { withHttpServer, withHttpsServer } from '../helpers/servers.js';

const prober = proberFor('security_headers')!;

/** For each config key: the command-line options that set it (commander's attribute names). */
const FLAGS: Record<string, Record<string, unknown>> = {
  url: {},
  http_url: { httpUrl: 'http://127.0.0.1:8080/' },
  algorithm: { algorithm: '5' },
  min_grade: { minGrade: 'b' },
  required: { required: ['Content-Security-Policy'] },
  forbidden: { forbidden: ['server=~\\d'] },
  cors_preflight: { corsPreflight: false },
  robots: { robots: false },
  tls: { caFile: '/etc/ssl/ca.pem' },
  ip_protocol: { ipProtocol: 'ip4' },
  ip_fallback: { ipFallback: false },
};

describe('prismwatch probe --kind security_headers', () => {
  it('has a flag for every config key', () => {
    expect(Object.keys(FLAGS).sort()).toEqual(Object.keys(prober.settingsShape).sort());
    for (const [key, options] of Object.entries(FLAGS)) {
      const keys = prober.cli.keys('https://127.0.0.1:8443/', options);
      expect(keys, key).toHaveProperty(key);
    }
    expect(prober.cli.keys('x', { forbidden: ['server=~\\d', 'x-powered-by'] }).forbidden).toEqual([
      { name: 'server', matches: '\\d' },
      'x-powered-by',
    ]);
    expect(prober.cli.keys('x', { httpUrl: 'false' }).http_url).toBe(false);
  });

  it('grades a site on an explicit port with its CA, algorithm and http entry point', async () => {
    const ca = await makeCa();
    const https = await withHttpsServer(await makeLeaf({ ca, hosts: ['127.0.0.1'] }), (_req, res) =>
      res
        .writeHead(200, {
          'content-type': 'text/html',
          'strict-transport-security': 'max-age=31536000',
          'content-security-policy': "default-src 'self'; object-src 'none'",
          'x-content-type-options': 'nosniff',
          'x-frame-options': 'DENY',
          'referrer-policy': 'no-referrer',
        })
        .end('<html></html>'),
    );
    const http = await withHttpServer((_req, res) => res.writeHead(301, { location: `${https.url}/` }).end());
    const result = await runCli([
      'probe',
      '--kind',
      'security_headers',
      '--ca-file',
      writeCaFile(ca),
      '--http-url',
      `${http.url}/`,
      '--algorithm',
      '5',
      '--min-grade',
      'A',
      '--json',
      `${https.url}/`,
    ]);
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    const report = JSON.parse(result.stdout) as {
      facts: {
        security: {
          algorithmVersion: number;
          grade: string;
          results: Array<{ test: string; result: string }>;
        };
      };
    };
    expect(report.facts.security.algorithmVersion).toBe(5);
    expect(report.facts.security.grade).toMatch(/^A/);
    const redirection = report.facts.security.results.find((r) => r.test === 'redirection');
    expect(redirection?.result).toBe('redirection-to-https');
    const hsts = report.facts.security.results.find((r) => r.test === 'strict-transport-security');
    expect(hsts?.result).toBe('hsts-implemented-max-age-at-least-six-months');
  });

  it('refuses a flag the chosen kind does not take, naming the kinds that do', async () => {
    const result = await runCli(['probe', '--kind', 'http', '--algorithm', '5', 'http://127.0.0.1:1/']);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('--algorithm applies to security_headers probes, not http');
  });
});
