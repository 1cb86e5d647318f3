/**
 * Private locations, as the operator runs them: one control plane and three `prismwatch agent`
 * processes, each agent in its own network namespace with a link to the target and a link to the
 * control plane (test/helpers/netns.ts). Checked against the notifications a webhook sink gets:
 * - one agent's link to the target cut: exactly one ProbeLocationDegraded about it, no page;
 * - one agent's link to the control plane cut for two minutes: AgentDown (a warning), no page,
 *   and once it is back its results from the outage arrive, in order, leaving no gap;
 * - the target stopped: exactly one ProbeDown page, naming all three locations;
 * - an agent killed with SIGKILL: AgentDown, and no alert about its target.
 * Beside it, Prometheus scrapes the control plane and evaluates `rules export` of the same rules:
 * at each step it fires the same alerts as prismwatch's own quorum (the two ways agree).
 * Root only (ip netns) and Prometheus; in CI a missing one fails instead of skipping.
 */
import { describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config/load.js';
import { exportPrometheusRules } from '../../src/rules/export.js';
import { agentToken, startAgentCli } from '../helpers/agents.js';
import { startCli } from '../helpers/cli.js';
import { configDir } from '../helpers/config-dir.js';
import { eventually, sample } from '../helpers/metrics.js';
import { makeLocations, netnsAvailable, startNetnsTarget } from '../helpers/netns.js';
import { prismwatchScrape, prometheusAvailable, startPrometheus } from '../helpers/prometheus.js';
import { webhookSink } from '../helpers/sinks.js';

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
const OUTAGE_MS = 120_000;

interface Notice {
  status: string;
  alerts: Array<{ status: string; labels: Record<string, string>; annotations: Record<string, string> }>;
}

describe('three agents and one control plane, in network namespaces', () => {
  it('can run in CI (root for ip netns)', () => {
    if (process.env.CI === 'true')
      expect(netnsAvailable && prometheusAvailable, 'needs root, iproute2 and prometheus').toBe(true);
  });

  it.runIf(netnsAvailable && prometheusAvailable)(
    'a broken location is one warning; a cut agent replays without a gap; a broken target is one page; a dead agent is AgentDown',
    async () => {
      const net = makeLocations(3);
      let target = await startNetnsTarget(net.target);
      const sink = await webhookSink();
      const tokens = net.locations.map(() => agentToken());
      const dir = configDir();
      dir.write(
        'c.yaml',
        `probes:
  - { name: checkout, kind: http, url: "http://${net.sharedTargetAddress}:8080/", interval: 500ms, timeout: 400ms }
agents:
${tokens.map((token, i) => `  - { name: loc${i + 1}, token_sha256: "${token.sha256}", down_after: 10s }`).join('\n')}
rules:
  - { alert: ProbeDown, severity: critical, signal: up, op: '==', threshold: 0, for: 8s, quorum: 2, annotations: { summary: '{{probe}} is down' } }
route: { receiver: hooks, group_by: [alertname, probe, location], group_wait: 100ms, group_interval: 500ms }
receivers:
  - { name: hooks, webhook_configs: [{ url: "${sink.url}" }] }
`,
      );
      const control = await startCli([
        '--config',
        dir.path,
        '--web.listen-address',
        '0.0.0.0:0',
        '--rules.evaluation-interval',
        '500ms',
      ]);
      const port = new URL(control.baseUrl).port;
      const agents = await Promise.all(
        net.locations.map((location, i) =>
          startAgentCli(
            ['--control-plane', `http://${location.rootAddress}:${port}`, '--location', `loc${i + 1}`],
            { PRISMWATCH_AGENT_TOKEN: tokens[i]!.token },
            { netns: location.netns },
          ),
        ),
      );
      const local = `http://127.0.0.1:${port}`;
      const loaded = loadConfig([dir.path]);
      const prometheus = await startPrometheus({
        scrapeConfigs: prismwatchScrape(`127.0.0.1:${port}`),
        rules: exportPrometheusRules(loaded.rules, loaded.probes, []).yaml,
      });
      /** Prometheus's firing alerts, as "alertname:location" ("-" without one). */
      const prometheusFiring = async () =>
        (await prometheus.alerts())
          .filter((alert) => alert.state === 'firing')
          .map((alert) => `${alert.labels.alertname}:${alert.labels.location ?? '-'}`)
          .sort();
      const scrape = async () => (await fetch(`${local}/metrics`)).text();
      const agentStates = async () =>
        (await (await fetch(`${local}/api/v1/agents`)).json()) as Array<{
          name: string;
          state: string;
          backlog: number;
        }>;
      const notices = () => sink.delivered.map((delivery) => delivery.body as unknown as Notice);
      const firing = (alertname: string) =>
        notices().filter(
          (n) => n.status === 'firing' && n.alerts.some((a) => a.labels.alertname === alertname),
        );
      const resolved = (alertname: string) =>
        notices().filter(
          (n) => n.status === 'resolved' && n.alerts.some((a) => a.labels.alertname === alertname),
        );
      const upEverywhere = async () => {
        const text = await scrape();
        return [1, 2, 3].every(
          (i) => sample(text, 'probe_success', { probe: 'checkout', location: `loc${i}` }) === 1,
        );
      };
      await eventually(upEverywhere, 120_000, 250);

      // 1. loc1 loses its link to the target: a warning about loc1, no page.
      net.setLink(0, false);
      await eventually(() => firing('ProbeLocationDegraded').length === 1, 60_000, 250);
      await sleep(9_000);
      expect(firing('ProbeLocationDegraded')).toHaveLength(1);
      expect(firing('ProbeLocationDegraded')[0]!.alerts[0]!.labels).toMatchObject({
        location: 'loc1',
        probe: 'checkout',
        severity: 'warning',
        quorum_rule: 'ProbeDown',
      });
      expect(firing('ProbeDown')).toHaveLength(0);
      await eventually(
        async () => (await prometheusFiring()).join() === 'ProbeLocationDegraded:loc1',
        60_000,
        500,
      );
      net.setLink(0, true);
      await eventually(() => resolved('ProbeLocationDegraded').length === 1, 60_000, 250);
      await eventually(upEverywhere, 60_000, 250);

      // 2. loc2 loses its link to the control plane for two minutes: AgentDown, then a replay without a gap.
      const pagesBefore = firing('ProbeDown').length + firing('ProbeLocationDegraded').length;
      const cutAt = Date.now();
      net.setRootLink(1, false);
      await eventually(() => firing('AgentDown').length === 1, 60_000, 250);
      expect(firing('AgentDown')[0]!.alerts[0]!.labels).toMatchObject({
        location: 'loc2',
        severity: 'warning',
      });
      await sleep(Math.max(0, OUTAGE_MS - (Date.now() - cutAt)));
      const restoredAt = Date.now();
      net.setRootLink(1, true);
      await eventually(
        async () => (await agentStates()).every((agent) => agent.state === 'up' && agent.backlog === 0),
        120_000,
        500,
      );
      await eventually(() => resolved('AgentDown').length === 1, 60_000, 250);
      const history = (await (await fetch(`${local}/api/v1/probes/checkout@loc2/results`)).json()) as Array<{
        at: string;
        ok: boolean;
      }>;
      const during = history
        .map((entry) => Date.parse(entry.at))
        .filter((at) => at >= cutAt && at <= restoredAt);
      // Runs every 500 ms for two minutes: about 240 of them (a loaded machine skips some runs,
      // which is not a gap in what was taken: a lost batch would leave 500 runs out).
      expect(during.length).toBeGreaterThan(100);
      const gaps = during.slice(1).map((at, i) => at - during[i]!);
      expect(Math.max(...gaps)).toBeLessThan(5_000);
      expect(firing('ProbeDown').length + firing('ProbeLocationDegraded').length).toBe(pagesBefore);

      // 3. The target stops: every location sees it, one page naming them all.
      target.kill('SIGKILL');
      await eventually(() => firing('ProbeDown').length === 1, 60_000, 250);
      await sleep(9_000);
      expect(firing('ProbeDown')).toHaveLength(1);
      const page = firing('ProbeDown')[0]!.alerts[0]!;
      expect(page.labels.location).toBeUndefined();
      expect(page.annotations.locations).toBe('loc1, loc2, loc3');
      await eventually(async () => (await prometheusFiring()).join() === 'ProbeDown:-', 60_000, 500);
      expect(firing('ProbeLocationDegraded')).toHaveLength(1); // still only step 1's
      target = await startNetnsTarget(net.target);
      await eventually(() => resolved('ProbeDown').length === 1, 60_000, 250);

      // 4. loc3's agent is killed: AgentDown about it, nothing about its target.
      const quietBefore = firing('ProbeDown').length + firing('ProbeLocationDegraded').length;
      agents[2]!.child.kill('SIGKILL');
      await eventually(
        () => firing('AgentDown').some((n) => n.alerts[0]!.labels.location === 'loc3'),
        60_000,
        250,
      );
      await sleep(5_000);
      expect(firing('ProbeDown').length + firing('ProbeLocationDegraded').length).toBe(quietBefore);
      expect(control.child.exitCode).toBeNull();
    },
    600_000,
  );
});
