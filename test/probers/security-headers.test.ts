/** The security_headers prober end to end: real http and https servers on loopback. */
import { describe, expect, it } from 'vitest';
import { makeCa, makeLeaf, writeCaFile } from '../helpers/certs.js';
import { probe } from '../helpers/probe.js';
import { withHttpServer, withHttpsServer } from '../helpers/servers.js';

const GOOD = {
  'content-security-policy': "default-src 'self'; object-src 'none'",
  'strict-transport-security': 'max-age=31536000',
  'x-content-type-options': 'nosniff',
  'x-frame-options': 'DENY',
  'referrer-policy': 'strict-origin-when-cross-origin',
};

async function site(headers: Record<string, string>, options: { redirect?: boolean; cookie?: string } = {}) {
  const ca = await makeCa();
  const https = await withHttpsServer(await makeLeaf({ ca, hosts: ['127.0.0.1'] }), (req, res) => {
    if (options.cookie) res.setHeader('set-cookie', options.cookie);
    res.writeHead(200, { 'content-type': 'text/html', ...headers });
    res.end(req.method === 'GET' ? '<html><body>PrismAI</body></html>' : undefined);
  });
  const http = await withHttpServer((_req, res) => {
    if (options.redirect === false) return res.writeHead(200, { 'content-type': 'text/html' }).end('plain');
    res.writeHead(301, { location: `${https.url}/` }).end();
  });
  return { caFile: writeCaFile(ca), https, http };
}

describe('security_headers prober', () => {
  it('grades a well-configured site A+ (115) with every test passing, counting extra requests', async () => {
    const { caFile, https, http } = await site(GOOD);
    const result = await probe({
      kind: 'security_headers',
      url: `${https.url}/`,
      http_url: `${http.url}/`,
      tls: { ca_file: caFile },
      min_grade: 'A',
    });
    expect(result.failure).toBeUndefined();
    expect(result.facts.security).toMatchObject({
      score: 115,
      grade: 'A+',
      passed: 12,
      failed: 0,
      notEvaluated: 0,
    });
    const paths = https.requests.map((req) => `${req.method} ${req.url}`).sort();
    expect(paths).toEqual(['GET /', 'GET /', 'GET /robots.txt', 'OPTIONS /']);
  });

  it('fails min_grade when HSTS is missing, naming the failed tests', async () => {
    const { 'strict-transport-security': _hsts, ...withoutHsts } = GOOD;
    const { caFile, https, http } = await site(withoutHsts);
    const result = await probe({
      kind: 'security_headers',
      url: `${https.url}/`,
      http_url: `${http.url}/`,
      tls: { ca_file: caFile },
      min_grade: 'A',
    });
    expect(result.failure).toEqual({
      code: 'security_policy',
      message: 'grade B+ (80) is below the minimum A: hsts-not-implemented (-20)',
    });
  });

  it('scores redirection-missing when http does not redirect, and invalid certificates like the Observatory', async () => {
    const { https, http } = await site(GOOD, { redirect: false });
    const result = await probe({ kind: 'security_headers', url: `${https.url}/`, http_url: `${http.url}/` });
    // No CA given: the certificate does not verify; the scan retries without verification and marks it.
    const results = Object.fromEntries(result.facts.security!.results.map((r) => [r.test, r.result]));
    expect(results['strict-transport-security']).toBe('hsts-invalid-cert');
    expect(results.redirection).toBe('redirection-missing');
    expect(result.ok).toBe(true);
  });

  it('reports tests whose extra request is disabled as not evaluated, never as a baseline pass', async () => {
    const { caFile, https } = await site(GOOD);
    const result = await probe({
      kind: 'security_headers',
      url: `${https.url}/`,
      http_url: false,
      cors_preflight: false,
      tls: { ca_file: caFile },
    });
    expect(result.facts.security).toMatchObject({ notEvaluated: 2, passed: 10 });
    const notEvaluated = result.facts
      .security!.results.filter((r) => r.pass === undefined)
      .map((r) => r.result);
    expect(notEvaluated).toEqual([
      'cross-origin-resource-sharing-not-evaluated',
      'redirection-not-evaluated',
    ]);
  });

  it('enforces required and forbidden headers, and lists disclosing headers', async () => {
    const { caFile, https, http } = await site({
      ...GOOD,
      server: 'nginx/1.25.3',
      'x-powered-by': 'Express',
    });
    const base = {
      kind: 'security_headers',
      url: `${https.url}/`,
      http_url: `${http.url}/`,
      tls: { ca_file: caFile },
    };
    const forbidden = await probe({ ...base, forbidden: ['x-powered-by'] });
    expect(forbidden.failure).toEqual({
      code: 'security_policy',
      message: 'forbidden header x-powered-by is present: "Express"',
    });
    const versioned = await probe({ ...base, forbidden: [{ name: 'Server', matches: '\\d' }] });
    expect(versioned.failure?.message).toBe(
      'forbidden header server matching /\\d/ is present: "nginx/1.25.3"',
    );
    const required = await probe({ ...base, required: ['Cross-Origin-Opener-Policy'] });
    expect(required.failure?.message).toBe('required header(s) missing: cross-origin-opener-policy');
    expect(required.facts.security?.disclosing).toEqual(['server', 'x-powered-by']);
  });

  it('sees cookies set on the https page', async () => {
    const { caFile, https, http } = await site(GOOD, { cookie: 'sessionid=abc; Path=/' });
    const result = await probe({
      kind: 'security_headers',
      url: `${https.url}/`,
      http_url: `${http.url}/`,
      tls: { ca_file: caFile },
    });
    const cookies = result.facts.security!.results.find((r) => r.test === 'cookies');
    expect(cookies).toMatchObject({ result: 'cookies-session-without-httponly-flag', pass: false });
  });

  it('has no grade for a site that answers 500', async () => {
    const https = await withHttpServer((_req, res) => res.writeHead(500).end());
    const result = await probe({ kind: 'security_headers', url: `${https.url}/`, http_url: false });
    expect(result.failure).toEqual({
      code: 'status_mismatch',
      message: `cannot grade ${https.url}/: it answered 500`,
    });
  });
});
