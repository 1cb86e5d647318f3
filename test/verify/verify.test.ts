/**
 * `prismwatch verify` end to end against loopback targets: a PrismAI stand-in over HTTPS (a CA
 * made in the test), a DNS responder, this machine's PostgreSQL and Redis. Each case breaks one
 * thing and checks that exactly its gate fails, with the reason; the markdown of an all-green run
 * is compared with an expected file (figures and times normalised).
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { type CertificateBundle, days, makeCa, makeLeaf, writeCaFile } from '../helpers/certs.js';
import { runCli } from '../helpers/cli.js';
import { configDir } from '../helpers/config-dir.js';
import { withDnsServer } from '../helpers/dns-server.js';
import { withHttpServer, withHttpsServer } from '../helpers/servers.js';

const GOOD_HEADERS = {
  'content-security-policy': "default-src 'self'; object-src 'none'",
  'strict-transport-security': 'max-age=31536000',
  'x-content-type-options': 'nosniff',
  'x-frame-options': 'DENY',
  'referrer-policy': 'strict-origin-when-cross-origin',
};

interface Site {
  hsts?: boolean;
  errorEvery?: number;
  expired?: boolean;
}

async function deployment(site: Site = {}) {
  const ca = await makeCa();
  const leaf: CertificateBundle = await makeLeaf({
    ca,
    hosts: ['127.0.0.1'],
    ...(site.expired ? { notBefore: days(-30), notAfter: days(-1) } : {}),
  });
  const { 'strict-transport-security': hsts, ...withoutHsts } = GOOD_HEADERS;
  const headers = site.hsts === false ? withoutHsts : { ...withoutHsts, 'strict-transport-security': hsts };
  let apiCalls = 0;
  let limited = 0;
  const https = await withHttpsServer(leaf, (req, res) => {
    const path = req.url ?? '/';
    if (path === '/health') return res.writeHead(200, headers).end('ok');
    if (path === '/api/health') {
      apiCalls += 1;
      const fail = site.errorEvery !== undefined && apiCalls % site.errorEvery === 0;
      return res
        .writeHead(fail ? 500 : 200, { ...headers, 'content-type': 'application/json' })
        .end(fail ? '{"error":"boom"}' : '{"status":"ok"}');
    }
    if (path === '/api/me')
      return res.writeHead(401, { ...headers, 'www-authenticate': 'Bearer realm="prismai"' }).end();
    if (path === '/api/limited') {
      limited += 1;
      if (limited <= 20) return res.writeHead(200, { 'content-type': 'application/json' }).end('{}');
      limited = 0; // the window resets, so the next run finds it open again
      return res.writeHead(429, { 'retry-after': '1' }).end();
    }
    res.writeHead(200, { ...headers, 'content-type': 'text/html' });
    res.end(req.method === 'GET' ? '<html><body>PrismAI</body></html>' : undefined);
  });
  const http = await withHttpServer((_req, res) => res.writeHead(301, { location: `${https.url}/` }).end());
  const dns = await withDnsServer({
    'A prismai.test': { answers: [{ type: 'A', name: 'prismai.test', data: '203.0.113.10' }] },
  });
  const caFile = writeCaFile(ca);
  const dir = configDir();
  dir.write(
    'prismai.yaml',
    `defaults: { timeout: 5s, interval: 30s }
probes:
  - { name: health, kind: http, url: "${https.url}/health", tls: { ca_file: "${caFile}" }, checklist: [Application health checks passing] }
  - { name: api, kind: http, url: "${https.url}/api/health", tls: { ca_file: "${caFile}" }, checklist: [API endpoints responding correctly] }
  - name: security
    kind: security_headers
    url: ${https.url}/
    http_url: ${http.url}/
    tls: { ca_file: "${caFile}" }
    min_grade: A
    required: [strict-transport-security]
    checklist: [Security headers configured, Security headers verified]
  - { name: rate-limit, kind: rate_limit, url: "${https.url}/api/limited", tls: { ca_file: "${caFile}" }, burst: { requests: 50 }, checklist: [Rate limiting enabled] }
  - { name: certificate, kind: tls, target: "127.0.0.1:${https.port}", tls: { ca_file: "${caFile}" }, checklist: [SSL/TLS certificates installed and valid] }
  - { name: domain, kind: dns, query_name: prismai.test, server: "${dns.server}", checklist: [Domain DNS configured correctly] }
  - { name: database, kind: postgres, url: "postgres://postgres@127.0.0.1:5432/postgres", checklist: [Database connection strings verified] }
  - { name: cache, kind: redis, url: "redis://127.0.0.1:6379", checklist: [Caching systems operational] }
  - { name: itself, kind: http, url: "http://127.0.0.1:1/", verify: false }
  - { name: auth, kind: http, url: "${https.url}/api/me", tls: { ca_file: "${caFile}" }, valid_status_codes: [401], expect: { headers: { www-authenticate: Bearer } }, checklist: [Authentication middleware active] }
route: { receiver: oncall }
receivers:
  - { name: oncall, webhook_configs: [{ url: "http://127.0.0.1:9/hook" }] }
rules:
  - { alert: ProbeDown, severity: critical, select: { kinds: [http] }, signal: up, op: '==', threshold: 0, checklist: ['Application downtime'] }
  - { alert: DatabaseConnectionFailure, severity: critical, select: { kinds: [postgres, redis] }, signal: up, op: '==', threshold: 0, checklist: ['Database connection failures'] }
  - { alert: HighErrorRate, severity: critical, select: { kinds: [http] }, signal: error_ratio, min_samples: 10, op: '>', threshold: 0.05, checklist: ['High error rates (>5%)'] }
  - { alert: HighLatency, severity: warning, select: { kinds: [http] }, signal: latency_p95, op: '>', threshold: 2s, checklist: ['Slow response times (>2s)'] }
`,
  );
  return dir.path;
}

interface JsonGate {
  id: string;
  status: string;
  reason?: string;
  evidence: string;
}

async function verifyJson(config: string) {
  const result = await runCli(['verify', '--config', config, '--samples', '25', '--format', 'json']);
  const report = JSON.parse(result.stdout) as { ok: boolean; gates: JsonGate[] };
  const failed = report.gates.filter((gate) => gate.status === 'fail');
  return { code: result.code, report, failed };
}

/** Figures and times change from run to run; the words and the ticks must not. */
function normalise(markdown: string): string {
  return markdown.replace(/\d{4}-\d\d-\d\dT[\d:.]+Z/g, '<time>').replace(/\d+(\.\d+)?/g, '#');
}

describe('prismwatch verify', () => {
  it('passes an all-green deployment and ticks every mapped checklist item with evidence', async () => {
    const config = await deployment();
    const json = await verifyJson(config);
    expect(json.failed, JSON.stringify(json.failed, null, 2)).toEqual([]);
    expect(json.code).toBe(0);
    expect(json.report.gates.some((gate) => gate.id === 'probe:itself')).toBe(false);

    const output = join(config, 'checklist.md');
    const markdown = await runCli([
      'verify',
      '--config',
      config,
      '--samples',
      '25',
      '--format',
      'markdown',
      '--output',
      output,
    ]);
    expect(markdown.code).toBe(0);
    expect(markdown.stderr).toContain('PASS: all');
    const text = readFileSync(output, 'utf8');
    const expectedFile = 'test/fixtures/verify/all-green.md';
    if (process.env.UPDATE_EXPECTED === '1') writeFileSync(expectedFile, normalise(text));
    expect(normalise(text)).toBe(readFileSync(expectedFile, 'utf8'));

    const junit = await runCli(['verify', '--config', config, '--samples', '5', '--format', 'junit']);
    expect(junit.stdout).toMatch(/<testsuites name="prismwatch verify" tests="\d+" failures="0"/);
    expect(junit.stdout.match(/<testcase /g)?.length).toBe(json.report.gates.length);
  }, 240_000);

  it('fails the security gate when HSTS is missing, with the reason', async () => {
    const { code, failed } = await verifyJson(await deployment({ hsts: false }));
    expect(code).toBe(1);
    expect(failed.map((gate) => gate.id)).toEqual(['probe:security']);
    expect(failed[0]!.reason).toMatch(/security_policy: .*hsts-not-implemented/);
  }, 240_000);

  it('fails the error-rate gate at 8 % errors', async () => {
    const { code, failed } = await verifyJson(await deployment({ errorEvery: 12 }));
    expect(code).toBe(1);
    expect(failed.map((gate) => gate.id).sort()).toEqual(['probe:api', 'rule:HighErrorRate:api']);
    expect(failed.find((gate) => gate.id === 'rule:HighErrorRate:api')!.reason).toBe(
      'error_ratio 8% over 25 runs, alert threshold > 5%',
    );
  }, 240_000);

  it('fails the TLS gate on an expired certificate', async () => {
    const { code, failed } = await verifyJson(await deployment({ expired: true }));
    expect(code).toBe(1);
    const tls = failed.find((gate) => gate.id === 'probe:certificate');
    expect(tls?.reason).toMatch(/certificate has expired/);
  }, 240_000);

  it('exits 2 with file:line on a configuration error', async () => {
    const dir = configDir();
    dir.write(
      'bad.yaml',
      'probes:\n  - name: x\n    kind: http\n    url: http://127.0.0.1:1/\n    interval: soon\n',
    );
    const result = await runCli(['verify', '--config', dir.path]);
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/bad\.yaml:5:15 probes\[0\]\.interval: expected a duration/);
  });

  it('fails on a regression against a baseline: a lower security grade', async () => {
    const good = await deployment();
    const baseline = join(good, 'baseline.json');
    await runCli(['verify', '--config', good, '--samples', '5', '--format', 'json', '--output', baseline]);
    const worse = await deployment({ hsts: false });
    const result = await runCli([
      'verify',
      '--config',
      worse,
      '--samples',
      '5',
      '--format',
      'json',
      '--baseline',
      baseline,
      '--probe',
      'security',
    ]);
    const report = JSON.parse(result.stdout) as { gates: JsonGate[] };
    expect(result.code).toBe(1);
    expect(report.gates.find((gate) => gate.id === 'regression:security_grade:security')).toMatchObject({
      status: 'fail',
      reason: 'security grade dropped from A+ to B+',
    });
  }, 240_000);
});
