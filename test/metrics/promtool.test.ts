/**
 * Debian's promtool lints a real scrape of prismwatch's own families. prom-client's default
 * nodejs_* families trip promtool's `_total` rule (they are gauges named *_total), so those
 * and process_* are filtered out first. In CI the binary must be present: a silent skip would
 * hide a missing install step.
 */
import { spawnSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { makeCa, makeLeaf, writeCaFile } from '../helpers/certs.js';
import { startCli } from '../helpers/cli.js';
import { configDir, httpProbeYaml } from '../helpers/config-dir.js';
import { withDnsServer } from '../helpers/dns-server.js';
import { withGrpcHealthServer } from '../helpers/grpc-server.js';
import { eventually, sample } from '../helpers/metrics.js';
import { withRdapRegistry } from '../helpers/rdap.js';
import { withHttpServer, withHttpsServer } from '../helpers/servers.js';
import { withWebPage } from '../helpers/web-page.js';
import { withWsServer } from '../helpers/ws-server.js';

const promtool = spawnSync('promtool', ['--version'], { encoding: 'utf8' });
const available = promtool.status === 0;
const inCi = process.env.CI === 'true';

function ownFamilies(exposition: string): string {
  return exposition
    .split('\n')
    .filter((line) => !/^(# (HELP|TYPE) )?(nodejs_|process_)/.test(line))
    .join('\n');
}

describe('promtool check metrics', () => {
  it('is installed in CI', () => {
    if (inCi)
      expect(available, 'promtool is missing: .ci/run must install the Debian "prometheus" package').toBe(
        true,
      );
  });

  it.runIf(available)('passes on a real scrape of prismwatch', async () => {
    const target = await withHttpServer((_req, res) => res.end('ok'));
    const ca = await makeCa();
    const secure = await withHttpsServer(await makeLeaf({ ca }), (_req, res) => res.end('ok'));
    const { server } = await withDnsServer({
      'A prismai.test': { answers: [{ type: 'A', name: 'prismai.test', data: '203.0.113.1' }] },
    });
    const rdap = await withRdapRegistry({ 'prismai.test': 200 });
    const live = await withWsServer((socket) => socket.send('hello'));
    const health = await withGrpcHealthServer({ '': 1 });
    const web = await withWebPage(50);
    const dir = configDir();
    dir.write('p.yaml', httpProbeYaml([{ name: 'web', url: target.url, labels: { team: 'core' } }]));
    dir.write(
      'r.yaml',
      "rules:\n  - { alert: AlwaysOn, severity: warning, signal: up, op: '>=', threshold: 0 }\n",
    );
    dir.write(
      'others.yaml',
      [
        'probes:',
        '  - { name: host, kind: host, interval: 200ms }',
        `  - { name: cert, kind: tls, interval: 200ms, target: "127.0.0.1:${secure.port}", tls: { ca_file: "${writeCaFile(ca)}" } }`,
        `  - { name: dns, kind: dns, interval: 200ms, server: "${server}", query_name: prismai.test }`,
        '  - { name: cache, kind: redis, interval: 200ms, url: "redis://127.0.0.1:6379" }',
        `  - { name: grade, kind: security_headers, interval: 1s, url: "${target.url}/", http_url: false }`,
        `  - { name: registration, kind: domain, interval: 200ms, domain: prismai.test, bootstrap: "${rdap.bootstrap}", tls: { ca_file: "${rdap.caFile}" } }`,
        `  - { name: live, kind: websocket, interval: 200ms, url: "${live.url}", expect: { contains: [hello] } }`,
        `  - { name: health, kind: grpc, interval: 200ms, target: "${health.target}" }`,
        `  - { name: page, kind: browser, interval: 3s, timeout: 2900ms, url: "${web.url}/" }`,
        '  - { name: job, kind: heartbeat, interval: 200ms, period: 1h, token: f3b0c44298fc1c149afbf4c8996fb924 }',
        `  - { name: flow, kind: multi_http, interval: 1s, timeout: 900ms, base_url: "${target.url}", steps: [{ name: a, url: /a }, { name: b, url: /b }] }`,
        '',
      ].join('\n'),
    );
    const daemon = await startCli(['--config', dir.path, '--rules.evaluation-interval', '100ms']);
    const text = await eventually(async () => {
      const body = await (await fetch(`${daemon.baseUrl}/metrics`)).text();
      const all = [
        'web',
        'host',
        'cert',
        'dns',
        'cache',
        'grade',
        'flow',
        'job',
        'registration',
        'live',
      ].every((probe) => sample(body, 'probe_success', { probe }) === 1);
      // Rules are evaluated on their own clock: wait for the evaluation after the probes' first results.
      return all && body.includes('prismwatch_alerts{alertname="AlwaysOn"') ? body : undefined;
    });
    expect(text).toContain('prismwatch_host_disk_free_ratio{');
    expect(text).toContain('prismwatch_alerts{alertname="AlwaysOn",alertstate="firing"');
    expect(text).toContain('probe_ssl_earliest_cert_expiry{');
    expect(text).toContain('probe_dns_lookup_time_seconds{');
    expect(text).toContain('prismwatch_probe_phase_duration_seconds{probe="cache"');
    expect(text).toContain('prismwatch_security_test_pass{probe="grade"');
    expect(text).toContain(
      'probe_multi_http_step_duration_seconds{probe="flow",kind="multi_http",team="",step="b",phase="connect"}',
    );
    const lint = spawnSync('promtool', ['check', 'metrics'], { input: ownFamilies(text), encoding: 'utf8' });
    expect(`${lint.stdout}${lint.stderr}`).toBe('');
    expect(lint.status).toBe(0);
  });
});
