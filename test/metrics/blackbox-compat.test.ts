/**
 * Dashboards written for blackbox_exporter, on prismwatch: Debian's real Prometheus scrapes
 * prismwatch with the documented scrape config (docs/metrics.md) (helpers/prometheus.ts prismwatchScrape) and Debian's
 * blackbox_exporter probing the same
 * HTTPS, TLS-over-TCP and DNS targets. Per instance, the queries community blackbox dashboards are
 * built on must give prismwatch's probe the same series (metric names and label names, phases)
 * as blackbox's; what blackbox exports and prismwatch does not is exactly the list in docs/metrics.md. Before,
 * every probe shared the scrape's one instance.
 */
import { describe, expect, it } from 'vitest';
import { BLACKBOX, blackboxAvailable, blackboxJob, startBlackbox } from '../helpers/blackbox.js';
import { makeCa, makeLeaf, writeCaFile } from '../helpers/certs.js';
import { configDir } from '../helpers/config-dir.js';
import { startDaemon } from '../helpers/daemon.js';
import { withDnsServer } from '../helpers/dns-server.js';
import { eventually } from '../helpers/metrics.js';
import {
  type PromSample,
  prismwatchScrape,
  prometheusAvailable,
  startPrometheus,
} from '../helpers/prometheus.js';
import { withHttpsServer } from '../helpers/servers.js';

/** What blackbox exports and prismwatch does not (docs/metrics.md, "blackbox_exporter dashboards"). */
const KNOWN_GAPS: Record<string, string[]> = {
  http: [
    'probe_dns_lookup_time_seconds', // prismwatch: probe_http_duration_seconds{phase="resolve"}
    'probe_failed_due_to_regex',
    'probe_ip_addr_hash',
    'probe_ip_protocol',
    'probe_ssl_last_chain_info',
  ],
  tcp: [
    'probe_dns_lookup_time_seconds',
    'probe_failed_due_to_regex',
    'probe_ip_addr_hash',
    'probe_ip_protocol',
    'probe_ssl_last_chain_info',
  ],
  dns: [
    'probe_dns_additional_rrs',
    'probe_dns_authority_rrs',
    'probe_dns_duration_seconds',
    'probe_dns_query_succeeded',
    'probe_ip_addr_hash',
    'probe_ip_protocol',
  ],
};

/** The queries community blackbox dashboards are built on, per instance. */
const DASHBOARD_QUERIES = [
  'probe_success',
  'probe_duration_seconds',
  'avg_over_time(probe_success[30s])',
  'probe_http_status_code',
  'probe_http_duration_seconds',
  'sum by (instance) (probe_http_duration_seconds)',
  'probe_http_version',
  'probe_http_ssl',
  'probe_http_redirects',
  'probe_http_content_length',
  'probe_ssl_earliest_cert_expiry - time()',
  'probe_tls_version_info',
  'probe_dns_lookup_time_seconds',
];

/** Metric name and label names of each series, sorted; values of `phase` kept (they must match). */
function shape(samples: readonly PromSample[], drop: readonly string[]): string[] {
  return samples
    .map((sample) => {
      const names = Object.keys(sample.metric)
        .filter((name) => !drop.includes(name))
        .sort()
        .map((name) => (name === 'phase' || name === '__name__' ? `${name}=${sample.metric[name]}` : name));
      return names.join(',');
    })
    .sort();
}

describe('blackbox_exporter dashboards on prismwatch', () => {
  it('run in CI', () => {
    if (process.env.CI === 'true') {
      expect(prometheusAvailable, 'prometheus is missing: .ci/run must install it').toBe(true);
      expect(blackboxAvailable, `${BLACKBOX} is missing: .ci/run must install it`).toBe(true);
    }
  });

  it.runIf(prometheusAvailable && blackboxAvailable)(
    'give each probe its instance and the series blackbox gives it, under the documented scrape config',
    async () => {
      const ca = await makeCa();
      const site = await withHttpsServer(await makeLeaf({ ca, hosts: ['127.0.0.1'] }), (_req, res) =>
        res.writeHead(200, { 'content-type': 'text/html' }).end('<html>ok</html>'),
      );
      const { server: dns } = await withDnsServer({
        'A prismai.test': { answers: [{ type: 'A', name: 'prismai.test', data: '203.0.113.1' }] },
      });
      const caFile = writeCaFile(ca);
      const tls = `tls: { ca_file: "${caFile}" }`;
      const dir = configDir();
      dir.write(
        'p.yaml',
        `probes:
  - { name: web, kind: http, url: "${site.url}/", interval: 250ms, ${tls} }
  - { name: port, kind: tcp, target: "127.0.0.1:${site.port}", interval: 250ms, ${tls} }
  - { name: resolver, kind: dns, server: "${dns}", query_name: prismai.test, interval: 250ms }
`,
      );
      const { daemon } = await startDaemon(dir.path);
      const exporter = await startBlackbox(caFile);
      const targets = { http: `${site.url}/`, tcp: `127.0.0.1:${site.port}`, dns };
      const prometheus = await startPrometheus({
        scrapeConfigs:
          prismwatchScrape(new URL(daemon.baseUrl).host) +
          blackboxJob('blackbox_http', 'http', targets.http, exporter) +
          blackboxJob('blackbox_tcp', 'tcp_tls', targets.tcp, exporter) +
          blackboxJob('blackbox_dns', 'dns', targets.dns, exporter),
      });
      const pairs = [
        { kind: 'http', blackbox: targets.http, probe: 'web' },
        { kind: 'tcp', blackbox: targets.tcp, probe: 'port' },
        { kind: 'dns', blackbox: targets.dns, probe: 'resolver' },
      ] as const;
      await eventually(
        async () => {
          const up = await prometheus.query('count_over_time(probe_success[30s]) >= 3');
          return up.length === 6 ? true : undefined;
        },
        45_000,
        250,
      );

      // The instance variable lists each probe once; one instance is one probe.
      const instances = await prometheus.query('count by (instance) (probe_success{job=~"prismwatch"})');
      expect(instances.map((s) => s.metric.instance).sort()).toEqual(['port', 'resolver', 'web']);
      expect(instances.every((s) => s.value === 1)).toBe(true);

      const problems: string[] = [];
      for (const pair of pairs) {
        const ours = `{job="prismwatch",instance="${pair.probe}"}`;
        const theirs = `{job=~"blackbox_.*",instance="${pair.blackbox}"}`;
        for (const query of DASHBOARD_QUERIES) {
          const at = (selector: string) => query.replace(/(probe_[a-z_]+)/, `$1${selector}`);
          const metric = /probe_[a-z_]+/.exec(query)![0];
          if (KNOWN_GAPS[pair.kind]!.includes(metric)) continue;
          const reference = await prometheus.query(at(theirs));
          if (reference.length === 0) continue;
          const got = await prometheus.query(at(ours));
          // replica: the documented scrape config's own label, so HA replicas never merge.
          const extra = ['instance', 'job', 'probe', 'kind', 'replica'];
          if (JSON.stringify(shape(got, extra)) !== JSON.stringify(shape(reference, extra)))
            problems.push(
              `${pair.kind} ${query}: blackbox ${JSON.stringify(shape(reference, extra))}, prismwatch ${JSON.stringify(shape(got, extra))}`,
            );
        }
        // Every probe_* family blackbox has for this target, prismwatch has too, but the known gaps.
        const names = async (selector: string) =>
          new Set(
            (
              await prometheus.query(
                `count by (__name__) (${selector.replace('{', '{__name__=~"probe_.*",')})`,
              )
            ).map((s) => s.metric.__name__!),
          );
        const theirNames = await names(theirs);
        const ourNames = await names(ours);
        const missing = [...theirNames].filter((name) => !ourNames.has(name)).sort();
        if (JSON.stringify(missing) !== JSON.stringify(KNOWN_GAPS[pair.kind]))
          problems.push(
            `${pair.kind}: blackbox has ${JSON.stringify(missing)} that prismwatch lacks; known: ${JSON.stringify(KNOWN_GAPS[pair.kind])}`,
          );
      }
      expect(problems).toEqual([]);
    },
    120_000,
  );
});
