import { describe, expect, it } from 'vitest';
import { PROBERS } from '../../src/probers/index.js';
import { runCli, startCli } from '../helpers/cli.js';
import { configDir, httpProbeYaml } from '../helpers/config-dir.js';
import { eventually, sample } from '../helpers/metrics.js';
import { withHttpServer } from '../helpers/servers.js';

/** The kinds in table order, as the schema lists them. */
const KIND_LIST = Object.keys(PROBERS).join(', ');

describe('prismwatch run (built CLI, real process)', () => {
  it('probes a target, serves /metrics, reloads on SIGHUP and exits 0 on SIGTERM', async () => {
    let status = 200;
    const target = await withHttpServer((_req, res) => res.writeHead(status).end('ok'));
    const dir = configDir();
    dir.write('p.yaml', httpProbeYaml([{ name: 'web', url: target.url }]));
    const daemon = await startCli(['--config', dir.path]);
    const scrape = async () => (await fetch(`${daemon.baseUrl}/metrics`)).text();
    await eventually(async () => sample(await scrape(), 'probe_success', { probe: 'web' }) === 1);
    status = 500;
    // Waits for the 500 itself: on a busy machine a run may also time out (success 0, status 0).
    const text = await eventually(async () => {
      const body = await scrape();
      return sample(body, 'probe_http_status_code', { probe: 'web' }) === 500 ? body : undefined;
    });
    expect(sample(text, 'probe_success', { probe: 'web' })).toBe(0);
    expect(
      sample(text, 'prismwatch_probe_runs_total', { probe: 'web', failure: 'status_mismatch' }),
    ).toBeGreaterThanOrEqual(1);

    dir.write('p.yaml', httpProbeYaml([{ name: 'web2', url: target.url }]));
    daemon.child.kill('SIGHUP');
    await eventually(async () => {
      const body = await scrape();
      return body.includes('probe="web2"') && !body.includes('probe="web"');
    });

    daemon.child.kill('SIGTERM');
    expect(await daemon.exited()).toBe(0);
    expect(daemon.logs.some((line) => line.msg === 'prismwatch stopped')).toBe(true);
  });

  it('starts on the shipped defaults with no flags at all, watching itself', async () => {
    const daemon = await startCli([]);
    const scrape = async () => (await fetch(`${daemon.baseUrl}/metrics`)).text();
    const started = daemon.logs.find((line) => String(line.msg).startsWith('prismwatch started'));
    // The first thing a newcomer reads: where the page is and where alerts go, not four WARNs.
    expect(started).toMatchObject({
      probes: 14,
      status_page: `${daemon.baseUrl}/`,
      alerts_to: ['log/log/0'],
    });
    expect(started!.msg).toBe(
      `prismwatch started: status page ${daemon.baseUrl}/ — alerts go to this log only (no receiver is set up; see alerts/routing.yaml)`,
    );
    expect(daemon.logs.some((line) => /switched off/.test(String(line.msg)))).toBe(false);
    await eventually(
      async () => sample(await scrape(), 'probe_success', { probe: 'prismwatch-healthy' }) === 1,
      45_000,
    );
    daemon.child.kill('SIGINT');
    expect(await daemon.exited()).toBe(0);
  }, 240_000);

  it('refuses to start on a broken config with exit 2 and a file:line message', async () => {
    const dir = configDir();
    dir.write(
      'bad.yaml',
      'probes:\n  - name: x\n    kind: http\n    url: http://127.0.0.1:1/\n    intervl: 5s\n',
    );
    const result = await runCli(['run', '--web.listen-address', '127.0.0.1:0', '--config', dir.path]);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain(
      'bad.yaml:5:5 probes[0].intervl: unknown key "intervl" (did you mean "interval"?)',
    );
  });
});

describe('prismwatch check', () => {
  it('exits 0 with a one-line summary for the shipped config, naming integrations that are switched off', async () => {
    const result = await runCli(['check']);
    expect(result.code).toBe(0);
    const lines = result.stdout.trimEnd().split('\n');
    expect(lines[0]).toBe(
      'OK: 6 file(s), 14 probe(s) (1 host, 6 http, 2 security_headers, 1 rate_limit, 1 tls, 1 dns, 1 postgres, 1 redis), 18 rule(s), 2 SLO(s), 3 receiver(s)',
    );
    expect(lines.slice(1)).toEqual([
      'note: pager/email/0 is switched off (smarthost is empty)',
      'note: pager/webhook/0 is switched off (url is empty)',
      'note: team/email/0 is switched off (smarthost is empty)',
      'note: team/webhook/0 is switched off (url is empty)',
    ]);
  });

  it('prints every problem with file:line:column and exits 1', async () => {
    const result = await runCli([
      'check',
      'test/fixtures/config/invalid-duration.yaml',
      'test/fixtures/config/invalid-kind.yaml',
    ]);
    expect(result.code).toBe(1);
    expect(result.stderr).toBe(
      [
        'test/fixtures/config/invalid-duration.yaml:5:14 probes[0].timeout: expected a duration like "5s", got "fast"',
        // Found in the same pass although neither probe is valid; in line order within the file.
        'test/fixtures/config/invalid-kind.yaml:2:11 probes[0].name: duplicate probe name "api" (first defined at test/fixtures/config/invalid-duration.yaml:2)',
        `test/fixtures/config/invalid-kind.yaml:3:11 probes[0].kind: expected one of ${KIND_LIST}, got "htp" (did you mean "http"?)`,
        '3 problem(s) found',
        '',
      ].join('\n'),
    );
  });
});

describe('prismwatch probe', () => {
  it('prints a readable report and exits 0 on success', async () => {
    const target = await withHttpServer((_req, res) => {
      res.setHeader('x-served-by', 'test');
      res.end('hello');
    });
    const result = await runCli(['probe', `${target.url}/health`]);
    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(
      new RegExp(`^GET ${target.url}/health\\n  result     OK in [\\d.]+ ms\\n  status     200\\n`),
    );
    expect(result.stdout).toContain('  phases     resolve ');
    expect(result.stdout).toContain('    x-served-by: test');
  });

  it('exits 1 with the failure reason, and prints JSON on request', async () => {
    const target = await withHttpServer((_req, res) => res.writeHead(503).end());
    const text = await runCli(['probe', target.url]);
    expect(text.code).toBe(1);
    expect(text.stdout).toContain('  failure    status_mismatch: expected status 200-299, got 503');
    const json = await runCli(['probe', '--json', '--status', '5xx', target.url]);
    expect(json.code).toBe(0);
    expect(JSON.parse(json.stdout)).toMatchObject({ ok: true, facts: { http: { statusCode: 503 } } });
  });

  it('rejects a malformed option with exit 2', async () => {
    const result = await runCli(['probe', '--timeout', 'soon', 'http://127.0.0.1:1/']);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('timeout: expected a duration like "5s"');
  });
});

describe('prismwatch probe --kind', () => {
  it('runs a tls probe once and reports the certificate', async () => {
    const { makeCa, makeLeaf, writeCaFile } = await import('../helpers/certs.js');
    const { withHttpsServer } = await import('../helpers/servers.js');
    const ca = await makeCa();
    const target = await withHttpsServer(await makeLeaf({ ca }), (_req, res) => res.end());
    const result = await runCli([
      'probe',
      '--kind',
      'tls',
      '--ca-file',
      writeCaFile(ca),
      `127.0.0.1:${target.port}`,
    ]);
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(/^tls:\/\/127\.0\.0\.1:\d+\n {2}result {5}OK in /);
    expect(result.stdout).toMatch(
      / {2}tls {8}TLSv1\.3 TLS_\w+; certificate expires \d{4}-\d\d-\d\d \(\d+ days\)/,
    );
  });
});

describe('shipped examples', () => {
  it('are valid configuration', async () => {
    const result = await runCli(['check', 'probes/examples']);
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
  });
});

describe('prismwatch probe for every kind', () => {
  it('host and dns kinds take their positional target', async () => {
    const host = await runCli(['probe', '--kind', 'host', '/']);
    expect(host.code).toBe(0);
    expect(host.stdout).toMatch(/^host \(\/\)\n {2}result {5}OK in /);
    const { withDnsServer } = await import('../helpers/dns-server.js');
    const { server } = await withDnsServer({
      'MX prismai.test': {
        answers: [{ type: 'MX', name: 'prismai.test', data: { preference: 5, exchange: 'mx.prismai.test' } }],
      },
    });
    const dns = await runCli([
      'probe',
      '--kind',
      'dns',
      '--server',
      server,
      '--type',
      'mx',
      '--json',
      'prismai.test',
    ]);
    expect(dns.code).toBe(0);
    expect(JSON.parse(dns.stdout).facts.dns).toMatchObject({
      rcode: 'NOERROR',
      answers: ['5 mx.prismai.test'],
    });
  });
});

describe('prismwatch run flags', () => {
  it('rejects malformed numbers and durations with exit 2 instead of ignoring them', async () => {
    const concurrency = await runCli([
      'run',
      '--web.listen-address',
      '127.0.0.1:0',
      '--max-concurrency',
      'lots',
    ]);
    expect(concurrency.code).toBe(2);
    expect(concurrency.stderr).toBe(
      'prismwatch: --max-concurrency expects a whole number of at least 1, got "lots"\n',
    );
    const grace = await runCli(['run', '--web.listen-address', '127.0.0.1:0', '--shutdown-grace', 'a while']);
    expect(grace.code).toBe(2);
    expect(grace.stderr).toBe(
      'prismwatch: --shutdown-grace expects a duration like "10s" (at most 24d), got "a while"\n',
    );
    const external = await runCli([
      'run',
      '--web.listen-address',
      '127.0.0.1:0',
      '--web.external-url',
      'prismwatch:9797',
    ]);
    expect(external.code).toBe(2);
    expect(external.stderr).toBe(
      'prismwatch: --web.external-url expects an absolute http or https URL like "https://prismwatch.example.com", got "prismwatch:9797"\n',
    );
  });
});

describe('prismwatch alerts', () => {
  it('lists the daemon alerts as a table and exits 1 while one fires', async () => {
    const target = await withHttpServer((_req, res) => res.writeHead(503).end());
    const dir = configDir();
    dir.write('p.yaml', httpProbeYaml([{ name: 'web', url: target.url }]));
    dir.write(
      'r.yaml',
      "rules:\n  - { alert: ProbeDown, severity: critical, signal: up, op: '==', threshold: 0, annotations: { summary: '{{probe}} is down' } }\n",
    );
    const daemon = await startCli(['--config', dir.path, '--rules.evaluation-interval', '100ms']);
    const result = await eventually(async () => {
      const run = await runCli(['alerts', '--url', daemon.baseUrl]);
      return run.code === 1 ? run : undefined;
    });
    expect(result.stdout).toMatch(
      /^STATE +SEVERITY +ALERT +SUBJECT +SINCE +SUMMARY\nFIRING +critical +ProbeDown +web +\d+s +web is down\n$/,
    );
    const unreachable = await runCli(['alerts', '--url', 'http://127.0.0.1:1']);
    expect(unreachable.code).toBe(2);
    expect(unreachable.stderr).toMatch(/^prismwatch: could not read alerts from http:\/\/127\.0\.0\.1:1: /);
  });
});

describe('prismwatch run on a busy port', () => {
  it('says which address is taken and exits 1', async () => {
    const busy = await withHttpServer((_req, res) => res.end());
    const result = await runCli(['run', '--web.listen-address', `127.0.0.1:${busy.port}`]);
    expect(result.code).toBe(1);
    expect(result.stderr).toBe(`prismwatch: could not listen on 127.0.0.1:${busy.port}: EADDRINUSE\n`);
  });
});
