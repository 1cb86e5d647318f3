/**
 * What private locations cost the control plane. A control plane (the built CLI, its own
 * process) receives 100 agents × 100 probes at a 10 s interval: 10,000 location copies and
 * 1,000 results a second. The agents are real (agent/agent.ts) and share this process; their
 * probes hit a loopback HTTP target. Then every agent's link is cut for a while and restored, and
 * the replay of what they queued meanwhile is timed.
 *
 * npm run bench:private-locations [-- --agents 100 --probes 100 --outage 600]
 *   steady: the control plane's CPU per result (its own process_cpu_seconds_total over a minute)
 *   and its RSS; replay: results per second taken after the outage, until every backlog is empty.
 * Prints a Markdown table for docs/benchmarks.md.
 */
import { createHash, randomBytes } from 'node:crypto';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { createServer as createHttpServer } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { PrismwatchAgent } from '../src/agent/agent.js';
import { createLogger } from '../src/log.js';
import { freePort, spawnPrismwatch } from './lib.js';

const { values } = parseArgs({
  options: {
    agents: { type: 'string', default: '100' },
    probes: { type: 'string', default: '100' },
    outage: { type: 'string', default: '600' },
    steady: { type: 'string', default: '60' },
  },
});
const AGENTS = Number(values.agents);
const PROBES = Number(values.probes);
const OUTAGE_S = Number(values.outage);
const STEADY_S = Number(values.steady);
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
const log = createLogger({ level: process.env.BENCH_LOG ?? 'silent' });

function agentToken() {
  const token = randomBytes(24).toString('base64url');
  return { token, sha256: createHash('sha256').update(token).digest('hex') };
}

async function metricsOf(port: number): Promise<Map<string, number>> {
  const text = await (await fetch(`http://127.0.0.1:${port}/metrics`)).text();
  const out = new Map<string, number>();
  for (const line of text.split('\n')) {
    if (line.startsWith('#') || !line) continue;
    const space = line.lastIndexOf(' ');
    out.set(line.slice(0, space), Number(line.slice(space + 1)));
  }
  return out;
}

const sum = (metrics: Map<string, number>, prefix: string) =>
  [...metrics].filter(([key]) => key.startsWith(prefix)).reduce((total, [, value]) => total + value, 0);

async function main(): Promise<void> {
  const target = createHttpServer((_req, res) => res.end('ok'));
  await new Promise<void>((resolve) => target.listen(0, '127.0.0.1', resolve));
  const targetPort = (target.address() as { port: number }).port;
  const dir = mkdtempSync(join(tmpdir(), 'prismwatch-bench-locations-'));
  const tokens = Array.from({ length: AGENTS }, () => agentToken());
  const probes = Array.from(
    { length: PROBES },
    (_, i) =>
      `  - { name: p${i}, kind: http, url: "http://127.0.0.1:${targetPort}/${i}", interval: 10s, timeout: 5s }`,
  );
  const agents = tokens.map(
    (token, i) => `  - { name: a${i}, token_sha256: "${token.sha256}", down_after: 10m, lagging_after: 30m }`,
  );
  writeFileSync(
    join(dir, 'c.yaml'),
    `probes:\n${probes.join('\n')}\nagents:\n${agents.join('\n')}\nrules:\n  - { alert: ProbeDown, severity: critical, signal: up, op: '==', threshold: 0, for: 1m, quorum: 2 }\n`,
  );
  const port = await freePort();
  const control = spawnPrismwatch(dir, port);
  const controlUrl = `http://127.0.0.1:${port}`;
  for (;;) {
    try {
      if ((await fetch(`${controlUrl}/-/ready`)).ok) break;
    } catch {
      // not listening yet
    }
    await sleep(200);
  }
  const dataDirs = tokens.map(() => mkdtempSync(join(tmpdir(), 'prismwatch-bench-agent-')));
  const start = (i: number) => {
    const agent = new PrismwatchAgent({
      urls: [controlUrl],
      token: tokens[i]!.token,
      location: `a${i}`,
      dataDir: dataDirs[i]!,
      log,
    });
    agent.start();
    return agent;
  };
  let running = tokens.map((_, i) => start(i));
  // Every copy has run at least once (10 s interval, spread): then measure.
  await sleep(25_000);
  const before = await metricsOf(port);
  const t0 = performance.now();
  await sleep(STEADY_S * 1000);
  const after = await metricsOf(port);
  const seconds = (performance.now() - t0) / 1000;
  const results =
    sum(after, 'prismwatch_agent_results_total') - sum(before, 'prismwatch_agent_results_total');
  const cpu = (after.get('process_cpu_seconds_total') ?? 0) - (before.get('process_cpu_seconds_total') ?? 0);
  const rssMb = (after.get('process_resident_memory_bytes') ?? 0) / 1024 / 1024;

  // The outage: agents stop reporting (their probes go on, into their outboxes), then come back.
  // Run as a stop for OUTAGE_S with the outboxes filled by the agents' own probes would take the
  // full outage; the agents are stopped and their outboxes filled with OUTAGE_S of runs instead,
  // each a copy of a real result (the same bytes on the wire).
  await Promise.all(running.map((agent) => agent.stop(2_000)));
  const { AgentOutbox } = await import('../src/state/agent-outbox.js');
  const perAgent = Math.round((OUTAGE_S / 10) * PROBES);
  // A real run's result against the target, so the replayed bytes are what an agent sends.
  const { runProbe } = await import('../src/probers/run-probe.js');
  const { retainedResult } = await import('../src/probers/retain.js');
  const { loadConfig } = await import('../src/config/load.js');
  const spec = loadConfig([dir]).probes[0]!;
  const sampleResult = retainedResult(await runProbe(spec, { log }));
  const now = Date.now();
  for (const [i, path] of dataDirs.entries()) {
    const outbox = new AgentOutbox(path);
    for (let k = 0; k < perAgent; k++) {
      const probe = k % PROBES;
      const at = now - OUTAGE_S * 1000 + Math.floor(k / PROBES) * 10_000 + probe * 97;
      outbox.append(`p${probe}`, JSON.stringify({ ...sampleResult, startedAt: at }));
    }
    outbox.close();
    if (i === 0) process.stdout.write(`(each outbox holds ${perAgent} results)\n`);
  }
  const beforeReplay = await metricsOf(port);
  const r0 = performance.now();
  running = tokens.map((_, i) => start(i));
  const queued = perAgent * AGENTS;
  for (;;) {
    await sleep(500);
    // The agents go on probing meanwhile, so their outboxes are never quite empty: the replay is
    // over once each has had its queued results acknowledged.
    if (running.every((agent) => agent.acknowledged >= perAgent)) break;
  }
  const replaySeconds = (performance.now() - r0) / 1000;
  const afterReplay = await metricsOf(port);
  const replayCpu =
    (afterReplay.get('process_cpu_seconds_total') ?? 0) -
    (beforeReplay.get('process_cpu_seconds_total') ?? 0);
  const replayRss = (afterReplay.get('process_resident_memory_bytes') ?? 0) / 1024 / 1024;
  await Promise.all(running.map((agent) => agent.stop(2_000)));
  control.kill('SIGTERM');
  target.close();

  const fmt = (n: number, digits = 0) =>
    n.toLocaleString('en-US', { maximumFractionDigits: digits, minimumFractionDigits: digits });
  process.stdout.write(`
| ${AGENTS} agents × ${PROBES} probes, 10 s interval | figure |
| --- | --- |
| results taken, steady (${fmt(seconds)} s) | ${fmt(results / seconds)} /s |
| control plane CPU per result, steady | ${fmt((cpu / Math.max(1, results)) * 1e6, 1)} µs (${fmt((cpu / seconds) * 100, 1)} % of a core) |
| control plane RSS, steady | ${fmt(rssMb)} MB |
| replay after a ${fmt(OUTAGE_S / 60)}-minute outage (${fmt(queued)} results queued) | ${fmt(replaySeconds, 1)} s, ${fmt(queued / replaySeconds)} results/s |
| control plane CPU per replayed result | ${fmt((replayCpu / queued) * 1e6, 1)} µs |
| control plane RSS after the replay | ${fmt(replayRss)} MB |
`);
  process.exit(0);
}

await main();
