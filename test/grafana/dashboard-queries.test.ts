/**
 * Every query of every shipped dashboard, run against Debian's real Prometheus scraping a daemon
 * with a probe of every kind: a panel must show data for each probe of a kind it applies to
 * (scripts/build-dashboards.mjs APPLIES_TO; unlisted panels apply to all), show none for the
 * others, and then explain itself (noValue) instead of Grafana's bare "No data". Variables are
 * substituted per probe, as Grafana would; a probe that has not run yet must still be offered.
 * Once the Phases panel never showed HTTP phases, the default `host` selection left most panels
 * empty, and "Notification failures" said No data instead of 0.
 */
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it, onTestFinished } from 'vitest';
import { APPLIES_TO } from '../../scripts/build-dashboards.mjs';
import { blackboxAvailable, blackboxJob, startBlackbox } from '../helpers/blackbox.js';
import { makeCa, makeLeaf, writeCaFile } from '../helpers/certs.js';
import { configDir } from '../helpers/config-dir.js';
import { startDaemon } from '../helpers/daemon.js';
import { withDnsServer } from '../helpers/dns-server.js';
import { withGrpcHealthServer } from '../helpers/grpc-server.js';
import { eventually } from '../helpers/metrics.js';
import {
  type PromSample,
  prismwatchScrape,
  prometheusAvailable,
  requirePrometheus,
  startPrometheus,
} from '../helpers/prometheus.js';
import { exportedIn, metricNames } from '../helpers/promql.js';
import { withRdapRegistry } from '../helpers/rdap.js';
import { refusedPort, withHttpsServer } from '../helpers/servers.js';
import { webhookSink } from '../helpers/sinks.js';
import { withWebPage } from '../helpers/web-page.js';
import { withWsServer } from '../helpers/ws-server.js';

interface Panel {
  title: string;
  targets?: Array<{ expr: string }>;
  fieldConfig?: { defaults?: { noValue?: string } };
}
interface Dashboard {
  uid: string;
  panels: Panel[];
  templating: {
    list: Array<{ name: string; type: string; query?: { query?: string }; current?: { value?: string } }>;
  };
}

const DIR = 'grafana/dashboards';
const dashboards = readdirSync(DIR)
  .filter((file) => file.endsWith('.json'))
  .map((file) => JSON.parse(readFileSync(join(DIR, file), 'utf8')) as Dashboard);

/** The probes the daemon runs, by name → kind; `later` is cron-scheduled and never runs here. */
const PROBES: Record<string, string> = {
  web: 'http',
  cert: 'tls',
  port: 'tcp',
  resolver: 'dns',
  box: 'host',
  pg: 'postgres',
  maria: 'mysql',
  cache: 'redis',
  limits: 'rate_limit',
  grade: 'security_headers',
  flow: 'multi_http',
  job: 'heartbeat',
  registration: 'domain',
  live: 'websocket',
  health: 'grpc',
  page: 'browser',
  loopback: 'icmp',
  suite: 'playwright',
};

function appliesTo(uid: string, title: string, kind: string): boolean {
  const kinds = (APPLIES_TO as Record<string, Record<string, string[]>>)[uid]?.[title];
  return kinds === undefined || kinds.includes(kind);
}

/** Grafana's variables as it would fill them for one probe. */
function substitute(expr: string, probe?: string): string {
  // $job as Grafana fills "All" of label_values(prismwatch_build_info, job): prismwatch's jobs only.
  let out = expr
    .replaceAll('$__rate_interval', '20s')
    .replaceAll('$__interval', '5s')
    .replaceAll('$job', '(prismwatch)')
    .replaceAll('$location', '.*');
  if (probe) out = out.replaceAll('$probe', probe).replaceAll('$kind', PROBES[probe]!);
  return out;
}

describe('dashboard queries against a real Prometheus', () => {
  it('are run in CI', () => requirePrometheus());

  it.runIf(prometheusAvailable)(
    'show data for every probe kind each panel applies to, and explain themselves for the others',
    async () => {
      const ca = await makeCa();
      const leaf = await makeLeaf({ ca, hosts: ['127.0.0.1'] });
      const site = await withHttpsServer(leaf, (req, res) => {
        if (req.url === '/limits') {
          res.setHeader('x-ratelimit-limit', '100');
          res.setHeader('x-ratelimit-remaining', '60');
          res.setHeader('x-ratelimit-reset', '30');
        }
        res
          .writeHead(200, {
            'content-type': 'text/html',
            'strict-transport-security': 'max-age=31536000',
            'content-security-policy': "default-src 'none'",
            'x-content-type-options': 'nosniff',
          })
          .end('<html></html>');
      });
      const { server: dns } = await withDnsServer({
        'A prismai.test': { answers: [{ type: 'A', name: 'prismai.test', data: '203.0.113.1' }] },
      });
      const sink = await webhookSink();
      const rdap = await withRdapRegistry({ 'prismai.test': 200 });
      const health = await withGrpcHealthServer({ '': 1 }, leaf);
      const web = await withWebPage(50);
      const live = await withWsServer((socket) => socket.on('message', () => socket.send('pong')), leaf);
      const caFile = writeCaFile(ca);
      const specs = mkdtempSync(join(tmpdir(), 'prismwatch-specs-'));
      onTestFinished(() => rmSync(specs, { recursive: true, force: true }));
      writeFileSync(
        join(specs, 'home.spec.ts'),
        "import { test, expect } from '@playwright/test';\ntest('home', async ({ page }) => {\n  await page.goto('/');\n  await expect(page.locator('h1')).toHaveText('PrismAI');\n});\n",
      );
      const tls = `tls: { ca_file: "${caFile}" }`;
      const dir = configDir();
      dir.write(
        'all.yaml',
        `probes:
  - { name: web, kind: http, url: "${site.url}/", interval: 2s, timeout: 1900ms, ${tls} }
  - { name: cert, kind: tls, target: "127.0.0.1:${site.port}", interval: 2s, timeout: 1900ms, ${tls} }
  - { name: port, kind: tcp, target: "127.0.0.1:${site.port}", interval: 2s, timeout: 1900ms, ${tls} }
  - { name: resolver, kind: dns, server: "${dns}", query_name: prismai.test, interval: 2s, timeout: 1900ms }
  - { name: box, kind: host, interval: 2s, timeout: 1900ms }
  - { name: pg, kind: postgres, url: "postgres://postgres@127.0.0.1:5432/postgres", interval: 2s, timeout: 1900ms }
  - { name: maria, kind: mysql, url: "mysql://root@127.0.0.1:3306/test", interval: 2s, timeout: 1900ms }
  - { name: cache, kind: redis, url: "redis://127.0.0.1:6379", interval: 2s, timeout: 1900ms }
  - { name: limits, kind: rate_limit, url: "${site.url}/limits", interval: 2s, timeout: 1900ms, ${tls} }
  - { name: grade, kind: security_headers, url: "${site.url}/", http_url: false, interval: 2s, timeout: 1900ms, ${tls} }
  - { name: flow, kind: multi_http, interval: 2s, timeout: 1900ms, ${tls}, steps: [{ name: home, url: "${site.url}/" }, { name: again, url: "${site.url}/" }] }
  - { name: registration, kind: domain, domain: prismai.test, bootstrap: "${rdap.bootstrap}", tls: { ca_file: "${rdap.caFile}" }, interval: 2s, timeout: 1900ms }
  - { name: live, kind: websocket, url: "${live.url}", send: ping, expect: { contains: [pong] }, interval: 2s, timeout: 1900ms, ${tls} }
  - { name: health, kind: grpc, target: "${health.target}", tls: { ca_file: "${caFile}" }, interval: 2s, timeout: 1900ms }
  - { name: page, kind: browser, url: "${web.url}/", interval: 10s, timeout: 9s }
  - { name: loopback, kind: icmp, target: 127.0.0.1, interval: 2s, timeout: 1900ms }
  - { name: suite, kind: playwright, tests: "${specs}", base_url: "${web.url}", interval: 2m, timeout: 100s }
  - { name: job, kind: heartbeat, period: 1h, token: f3b0c44298fc1c149afbf4c8996fb924, interval: 2s, timeout: 1900ms }
  - { name: later, kind: http, url: "${site.url}/", schedule: "0 0 1 1 *", ${tls} }
rules:
  - { alert: Watched, severity: warning, signal: up, op: '>=', threshold: 0 }
slos:
  - { name: web-availability, select: { names: [web] }, objective: 99, window: 30d }
route: { receiver: hooks, group_wait: 100ms, group_interval: 1s }
receivers:
  - { name: hooks, webhook_configs: [{ url: "${sink.url}" }] }
`,
      );
      const { daemon } = await startDaemon(dir.path, { evaluationIntervalMs: 200 });
      // The heartbeat's job runs once (start, success), so its run time and last ping exist.
      for (const ping of ['/start', '']) {
        expect((await fetch(`${daemon.baseUrl}/ping/f3b0c44298fc1c149afbf4c8996fb924${ping}`)).status).toBe(
          200,
        );
      }
      // blackbox_exporter beside prismwatch, as operators run both for a while: one target it
      // finds down, and its own process series. None of it may reach a prismwatch dashboard.
      const blackbox = blackboxAvailable ? await startBlackbox(caFile) : undefined;
      const prometheus = await startPrometheus({
        scrapeConfigs:
          prismwatchScrape(new URL(daemon.baseUrl).host) +
          (blackbox
            ? `${blackboxJob('blackbox', 'http', `http://127.0.0.1:${await refusedPort()}/`, blackbox)}  - job_name: blackbox_self\n    static_configs: [{ targets: [${JSON.stringify(blackbox)}] }]\n`
            : ''),
      });
      // Enough scrapes of every probe for rate() over 20s, a success of each (a run that timed out
      // on a busy machine reports no TLS or security facts), and a notification sent.
      await eventually(
        async () => {
          const scraped = await prometheus.query(
            'count_over_time(probe_success{job="prismwatch"}[20s]) >= 6',
          );
          const succeeded = await prometheus.query(
            'max_over_time(probe_success{job="prismwatch"}[20s]) == 1',
          );
          const sent = await prometheus.query('prismwatch_notifications_total');
          const all = Object.keys(PROBES).length;
          return scraped.length === all && succeeded.length === all && sent.length > 0 ? true : undefined;
        },
        // A Playwright run (a sandbox, the runner, a Chromium) can take most of a minute on a
        // starved machine: its first success is the slowest to come.
        150_000,
        250,
      );

      // Every panel as Grafana would query it now. A TLS probe whose last run timed out on a busy
      // machine has no certificate series at that instant, as blackbox_exporter's would not: the
      // check is repeated (a few seconds apart) until it holds or the time is up, and the last
      // problems are the failure.
      // The SLO's budget and burn rates exist only once it has an hour of data (slo/engine.ts).
      const sloIsYoung = async () =>
        (await prometheus.query('time() - prismwatch_slo_observed_since_timestamp_seconds < 3600')).length >
        0;
      const check = async (): Promise<string[]> => {
        const problems: string[] = [];
        // Every metric a query names is one prismwatch exports (an `or` branch may be empty
        // for this config, so the per-kind checks below would not catch a typo in it).
        const exported = exportedIn(await (await fetch(`${daemon.baseUrl}/metrics`)).text());
        for (const dashboard of dashboards) {
          const queries = [
            ...dashboard.panels.flatMap((panel) => (panel.targets ?? []).map((target) => target.expr)),
            // label_values(selector, label): the selector is the query.
            ...dashboard.templating.list.flatMap(
              (variable) => /^label_values\((.+), \w+\)$/.exec(variable.query?.query ?? '')?.[1] ?? [],
            ),
          ];
          for (const expr of queries)
            for (const name of metricNames(expr))
              if (!exported(name)) problems.push(`${dashboard.uid}: ${name} is not exported`);
        }
        const run = async (expr: string): Promise<PromSample[]> => {
          try {
            return await prometheus.query(expr);
          } catch (error) {
            problems.push(`${expr}: ${String(error)}`);
            return [];
          }
        };
        for (const dashboard of dashboards) {
          const perProbe = dashboard.templating.list.some((variable) => variable.name === 'probe');
          for (const variable of dashboard.templating.list.filter((v) => v.type === 'query')) {
            // label_values(selector, label) as Grafana runs it: the label's values over the series.
            const [, selector, label] = /^label_values\((.+), (\w+)\)$/.exec(variable.query!.query!)!;
            const values = new Set(
              (await run(`count by (${label}) (${substitute(selector!, 'web')})`)).map(
                (s) => s.metric[label!],
              ),
            );
            // No location here (a single instance): the variable is empty and "All" matches everything.
            if (label === 'location') continue;
            const expected =
              label === 'probe'
                ? [...Object.keys(PROBES).filter((p) => PROBES[p] === 'http'), 'later']
                : label === 'job'
                  ? ['prismwatch']
                  : [...new Set(Object.values(PROBES))];
            if (label === 'job' && values.size !== 1)
              problems.push(`${dashboard.uid} variable job lists ${[...values].join(', ')}`);
            for (const value of expected)
              if (!values.has(value))
                problems.push(`${dashboard.uid} variable ${variable.name} lacks ${value}`);
            if (variable.current?.value && !values.has(variable.current.value))
              problems.push(
                `${dashboard.uid} variable ${variable.name} defaults to a missing ${variable.current.value}`,
              );
          }
          for (const panel of dashboard.panels) {
            const where = `${dashboard.uid} "${panel.title}"`;
            const restricted = Object.keys(PROBES).some(
              (probe) => !appliesTo(dashboard.uid, panel.title, PROBES[probe]!),
            );
            if (restricted && !panel.fieldConfig?.defaults?.noValue)
              problems.push(`${where}: applies to some kinds only but does not say why it is empty`);
            const exprs = (panel.targets ?? []).map((target) => target.expr);
            if (perProbe) {
              for (const [probe, kind] of Object.entries(PROBES)) {
                const results = await Promise.all(exprs.map((expr) => run(substitute(expr, probe))));
                const shows = results.some((result) => result.length > 0);
                const should = appliesTo(dashboard.uid, panel.title, kind);
                if (shows !== should)
                  problems.push(`${where} for ${probe} (${kind}): ${shows ? 'data' : 'empty'}`);
              }
              continue;
            }
            const results = (await Promise.all(exprs.map((expr) => run(substitute(expr))))).flat();
            for (const sample of results)
              if (sample.metric.job !== undefined && sample.metric.job !== 'prismwatch')
                problems.push(`${where}: shows job ${sample.metric.job}`);
            // Counts lose the job label: blackbox's down target must not be counted with them.
            if (panel.title === 'Probes down') {
              const own = await run('count(probe_success{job="prismwatch"} == 0) or vector(0)');
              if (results[0]?.value !== own[0]?.value)
                problems.push(`${where}: ${results[0]?.value}, prismwatch has ${own[0]?.value} down`);
              if (blackbox && (await run('probe_success{job="blackbox"} == 0')).length !== 1)
                problems.push('blackbox_exporter has not probed its down target yet');
            }
            const young = panel.fieldConfig?.defaults?.noValue?.includes('an hour of data') === true;
            if (results.length === 0 && !(young && (await sloIsYoung()))) problems.push(`${where}: empty`);
            // A panel per probe (legend by probe) covers exactly the probes of the kinds it applies to.
            const byProbe = results.filter((sample) => sample.metric.probe !== undefined);
            if (byProbe.length === 0) continue;
            const seen = new Set(byProbe.map((sample) => sample.metric.probe));
            for (const [probe, kind] of Object.entries(PROBES)) {
              const should = appliesTo(dashboard.uid, panel.title, kind);
              if (seen.has(probe) !== should)
                problems.push(`${where}: ${seen.has(probe) ? 'shows' : 'lacks'} ${probe} (${kind})`);
            }
          }
        }
        return problems;
      };
      let problems = await check();
      for (const deadline = Date.now() + 60_000; problems.length > 0 && Date.now() < deadline; ) {
        await new Promise((resolve) => setTimeout(resolve, 2_000));
        problems = await check();
      }
      expect(problems).toEqual([]);
    },
    360_000,
  );
});
