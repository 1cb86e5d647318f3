/**
 * Agents and an HA control plane on PostgreSQL: the agent is given every instance; only the
 * leader takes results (the others answer 503 and the agent moves on); when the leader stops,
 * the agent reports to the new one, and every result is counted once across the two.
 */
import { describe, expect, it } from 'vitest';
import { agentToken, startAgent } from '../helpers/agents.js';
import { configDir } from '../helpers/config-dir.js';
import { startDaemon } from '../helpers/daemon.js';
import { eventually, sample } from '../helpers/metrics.js';
import { freshDatabase } from '../helpers/postgres.js';
import { withHttpServer } from '../helpers/servers.js';

const total = (text: string) => sample(text, 'prismwatch_agent_results_total', { agent: 'eu-1' }) ?? 0;

describe('agents with an HA control plane', () => {
  it('report to whichever instance leads, and each result is counted once across a handover', async () => {
    const url = await freshDatabase();
    const target = await withHttpServer((_req, res) => res.end('ok'));
    const token = agentToken();
    const dir = configDir();
    dir.write(
      'c.yaml',
      `probes:
  - { name: web, kind: http, url: "${target.url}/", interval: 300ms, timeout: 250ms }
agents:
  - { name: eu-1, token_sha256: "${token.sha256}" }
`,
    );
    const options = { stateUrl: url, stateLeaseMs: 2_000, evaluationIntervalMs: 200, logLevel: 'silent' };
    const a = await startDaemon(dir.path, options);
    const b = await startDaemon(dir.path, options);
    const leading = async (instance: typeof a) => /^prismwatch_leader 1/m.test(await instance.scrape());
    await eventually(async () => (await leading(a)) !== (await leading(b)));
    const [leader, follower] = (await leading(a)) ? [a, b] : [b, a];
    // The follower first in the list: the agent must find the leader by itself.
    const { agent } = startAgent({
      url: [follower.daemon.baseUrl, leader.daemon.baseUrl],
      token: token.token,
      location: 'eu-1',
    });
    await eventually(async () => total(await leader.scrape()) >= 10);
    expect(total(await follower.scrape())).toBe(0);

    await leader.daemon.stop();
    const takenByOld = total(await leader.daemon.selfMetrics.registry.metrics());
    await eventually(async () => (await leading(follower)) && total(await follower.scrape()) >= 10);
    // Quiet the agent, then compare: everything acknowledged was counted, once.
    await agent.stop(1_000);
    const takenByNew = total(await follower.scrape());
    expect(takenByOld + takenByNew).toBe(agent.acknowledged);
  }, 120_000);
});
