/**
 * Private locations on loopback (no root needed): a control plane and two in-process agents,
 * each agent's link running through a relay the test cuts. What an operator relies on:
 * - results arrive as each location's own series, history and status;
 * - a link cut for a while loses nothing: the results taken meanwhile are replayed in order with
 *   their own timestamps, so the location's history has no gap, and nothing pages (AgentDown is
 *   a warning about the agent, not about the target);
 * - a target down for every location is one page naming the locations, never a warning per location.
 */
import { describe, expect, it } from 'vitest';
import { agentToken, relayTo, startAgent } from '../helpers/agents.js';
import { configDir } from '../helpers/config-dir.js';
import { startDaemon } from '../helpers/daemon.js';
import { eventually, sample } from '../helpers/metrics.js';
import { withHttpServer } from '../helpers/servers.js';
import { webhookSink } from '../helpers/sinks.js';

interface Notice {
  status: string;
  alerts: Array<{ status: string; labels: Record<string, string>; annotations: Record<string, string> }>;
}

describe('agents at private locations, on loopback', () => {
  it('replays a cut link without a gap and pages nothing; a target down everywhere is one page', async () => {
    const state = { up: true };
    const target = await withHttpServer((_req, res) => res.writeHead(state.up ? 200 : 503).end());
    const sink = await webhookSink();
    const eu = agentToken();
    const us = agentToken();
    const dir = configDir();
    dir.write(
      'c.yaml',
      `probes:
  - { name: web, kind: http, url: "${target.url}/", interval: 500ms, timeout: 400ms }
agents:
  - { name: eu-1, token_sha256: "${eu.sha256}", down_after: 3s }
  - { name: us-1, token_sha256: "${us.sha256}", down_after: 3s }
rules:
  - { alert: ProbeDown, severity: critical, signal: up, op: '==', threshold: 0, for: 4s, quorum: 2, annotations: { summary: '{{probe}} is down' } }
route: { receiver: hooks, group_by: [alertname, probe, location, agent], group_wait: 100ms, group_interval: 300ms }
receivers:
  - { name: hooks, webhook_configs: [{ url: "${sink.url}" }] }
`,
    );
    const { daemon, scrape } = await startDaemon(dir.path, { evaluationIntervalMs: 200, logLevel: 'warn' });
    const port = Number(new URL(daemon.baseUrl).port);
    const euLink = await relayTo(port);
    const usLink = await relayTo(port);
    const euAgent = startAgent({ url: euLink.url, token: eu.token, location: 'eu-1' });
    startAgent({ url: usLink.url, token: us.token, location: 'us-1' });
    const notices = () => sink.delivered.map((delivery) => delivery.body as unknown as Notice);
    const firing = (alertname: string) =>
      notices().filter(
        (n) => n.status === 'firing' && n.alerts.some((a) => a.labels.alertname === alertname),
      );
    const agents = async () =>
      (await (await fetch(`${daemon.baseUrl}/api/v1/agents`)).json()) as Array<{
        name: string;
        state: string;
        backlog: number;
      }>;

    await eventually(async () => {
      const text = await scrape();
      return (
        sample(text, 'probe_success', { probe: 'web', location: 'eu-1' }) === 1 &&
        sample(text, 'probe_success', { probe: 'web', location: 'us-1' }) === 1
      );
    });
    expect((await agents()).map((agent) => agent.state)).toEqual(['up', 'up']);
    // The status page: the probe × location matrix and the agents.
    await eventually(async () => {
      const page = await (await fetch(`${daemon.baseUrl}/`)).text();
      return (
        page.includes('Private locations') &&
        /<th scope="row">eu-1<\/th><td>eu-1<\/td><td><span class="state up">/.test(page)
      );
    });

    // One badge over both locations, and one per location.
    const badge = async (name: string) => (await fetch(`${daemon.baseUrl}/badge/${name}/status.svg`)).text();
    expect(await badge('web')).toMatch(/>up</);
    expect(await badge('web@eu-1')).toMatch(/>up</);

    // eu-1's link to the control plane goes for long enough to be AgentDown; its probes go on.
    const cutAt = Date.now();
    await euLink.cut();
    await eventually(() => firing('AgentDown').length === 1);
    await eventually(() => euAgent.agent.outbox.depth >= 10);
    const restoredAt = Date.now();
    await euLink.restore();
    await eventually(async () =>
      (await agents()).every((agent) => agent.state === 'up' && agent.backlog === 0),
    );
    await eventually(() =>
      notices().some((n) => n.status === 'resolved' && n.alerts[0]!.labels.alertname === 'AgentDown'),
    );
    const history = (await (
      await fetch(`${daemon.baseUrl}/api/v1/probes/web@eu-1/results`)
    ).json()) as Array<{ at: string; ok: boolean }>;
    const times = history
      .map((entry) => Date.parse(entry.at))
      .filter((at) => at >= cutAt - 2_000 && at <= restoredAt);
    expect(times.length).toBeGreaterThanOrEqual(10);
    const gaps = times.slice(1).map((at, i) => at - times[i]!);
    // Runs every 500 ms; a loaded machine delays some, but a lost batch would leave seconds out.
    expect(Math.max(...gaps), `gaps ${gaps.join(',')}`).toBeLessThan(2_500);
    expect(history.every((entry) => entry.ok)).toBe(true);
    expect(firing('AgentDown')[0]!.alerts[0]!.labels).toMatchObject({
      agent: 'eu-1',
      location: 'eu-1',
      severity: 'warning',
    });
    expect(firing('ProbeDown')).toHaveLength(0);
    expect(firing('ProbeLocationDegraded')).toHaveLength(0);

    // The target goes down for everyone: one page, without a location, naming both.
    state.up = false;
    await eventually(() => firing('ProbeDown').length === 1);
    const page = firing('ProbeDown')[0]!.alerts[0]!;
    expect(page.labels.location).toBeUndefined();
    expect(page.annotations.locations).toBe('eu-1, us-1');
    // The incident records who saw it.
    const { incidents } = (await (await fetch(`${daemon.baseUrl}/api/v1/incidents`)).json()) as {
      incidents: Array<{ alertname: string; reason: string }>;
    };
    expect(incidents.find((incident) => incident.alertname === 'ProbeDown')?.reason).toContain(
      '(seen from eu-1, us-1)',
    );
    state.up = true;
    await eventually(() =>
      notices().some((n) => n.status === 'resolved' && n.alerts[0]!.labels.alertname === 'ProbeDown'),
    );
    expect(firing('ProbeDown')).toHaveLength(1);
    expect(firing('ProbeLocationDegraded')).toHaveLength(0);
  }, 240_000);

  it('a reload that changes what an agent runs reaches it, like a reload; a revoked token is refused at once', async () => {
    const target = await withHttpServer((_req, res) => res.end('ok'));
    const eu = agentToken();
    const dir = configDir();
    const config = (probes: string, revoked = false) =>
      `probes:\n${probes}agents:\n  - { name: eu-1, token_sha256: "${eu.sha256}", revoked: ${revoked} }\n`;
    const one = `  - { name: a, kind: http, url: "${target.url}/a", interval: 300ms, timeout: 250ms }\n`;
    const two = `${one}  - { name: b, kind: http, url: "${target.url}/b", interval: 300ms, timeout: 250ms }\n`;
    dir.write('c.yaml', config(one));
    const { daemon, scrape } = await startDaemon(dir.path, { logLevel: 'warn' });
    const { agent } = startAgent({ url: daemon.baseUrl, token: eu.token, location: 'eu-1' });
    await eventually(
      async () => sample(await scrape(), 'probe_success', { probe: 'a', location: 'eu-1' }) === 1,
    );
    dir.write('c.yaml', config(two));
    expect((await daemon.reload()).ok).toBe(true);
    await eventually(
      async () => sample(await scrape(), 'probe_success', { probe: 'b', location: 'eu-1' }) === 1,
    );
    expect(agent.probes.map((spec) => spec.name).sort()).toEqual(['a', 'b']);
    dir.write('c.yaml', config(two, true));
    expect((await daemon.reload()).ok).toBe(true);
    const received = async () =>
      ((await (await fetch(`${daemon.baseUrl}/api/v1/agents`)).json()) as Array<{ received: number }>)[0]!
        .received;
    await eventually(async () => /reason="revoked"\} [1-9]/.test(await scrape()));
    const after = await received();
    await new Promise((resolve) => setTimeout(resolve, 1_500));
    expect(await received()).toBe(after);
    // Its probes stay its location's (held), not moved to the control plane's own.
    const probes = (await (await fetch(`${daemon.baseUrl}/api/v1/probes`)).json()) as Array<{ name: string }>;
    expect(probes.map((probe) => probe.name).sort()).toEqual(['a@eu-1', 'b@eu-1']);
  }, 120_000);
});
