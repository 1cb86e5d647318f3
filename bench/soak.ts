/**
 * A bounded soak: a prismwatch process (a child, measured from /proc and its /metrics) probing a
 * mix of healthy, failing and flapping loopback targets, alerts firing and resolving into a
 * webhook sink, and the config reloaded (changed) every `reloadEveryS`. Every `sampleEveryS` it
 * records RSS, V8 heap used, open file descriptors and outbox depth; at the end it reports the
 * slope of RSS and heap over the second half (after warm-up), the change in open descriptors
 * (the lowest count of the last third against that of the first third), and whether the
 * outbox drained. `npm run soak` (20 minutes, 2,000 probes); test/faults/soak.test.ts runs a short
 * version in CI.
 */
import { mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { freePort, spawnPrismwatch } from './lib.js';

export interface SoakOptions {
  readonly probes: number;
  readonly seconds: number;
  readonly intervalS: number;
  readonly reloadEveryS: number;
  readonly sampleEveryS: number;
  readonly log?: (line: string) => void;
}

export interface SoakReport {
  readonly samples: Array<{ t: number; rssMb: number; heapMb: number; fds: number; outbox: number }>;
  readonly rssSlopeMbPerMin: number;
  readonly heapSlopeMbPerMin: number;
  readonly fdChange: number;
  readonly reloads: { ok: number; failed: number };
  readonly notifications: number;
  readonly outboxAtEnd: number;
  readonly probeRuns: number;
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

async function listen(server: Server): Promise<number> {
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
  return (server.address() as { port: number }).port;
}

function metric(text: string, name: string): number {
  let total = 0;
  for (const line of text.split('\n')) {
    if (line.startsWith(`${name} `) || line.startsWith(`${name}{`))
      total += Number(line.slice(line.lastIndexOf(' ') + 1));
  }
  return total;
}

/** Least-squares slope of y over t (seconds), per minute. */
function slopePerMinute(points: Array<[number, number]>): number {
  const n = points.length;
  if (n < 2) return 0;
  const mt = points.reduce((sum, [t]) => sum + t, 0) / n;
  const my = points.reduce((sum, [, y]) => sum + y, 0) / n;
  const num = points.reduce((sum, [t, y]) => sum + (t - mt) * (y - my), 0);
  const den = points.reduce((sum, [t]) => sum + (t - mt) ** 2, 0);
  return den === 0 ? 0 : (num / den) * 60;
}

export async function runSoak(options: SoakOptions): Promise<SoakReport> {
  const log = options.log ?? ((line: string) => process.stderr.write(`${line}\n`));
  let flapUp = true;
  const healthy = createServer((_req, res) => res.end('ok'));
  const failing = createServer((_req, res) => res.writeHead(500).end('broken'));
  const flapping = createServer((_req, res) => res.writeHead(flapUp ? 200 : 503).end());
  let notifications = 0;
  const sink = createServer((req, res) => {
    req.resume();
    req.on('end', () => {
      notifications += 1;
      res.end('ok');
    });
  });
  const ports = {
    healthy: await listen(healthy),
    failing: await listen(failing),
    flapping: await listen(flapping),
    sink: await listen(sink),
    prismwatch: await freePort(),
  };
  const flapTimer = setInterval(() => {
    flapUp = !flapUp;
  }, options.intervalS * 3_000);

  const dir = mkdtempSync(join(tmpdir(), 'prismwatch-soak-'));
  const configFile = join(dir, 'soak.yaml');
  const writeConfig = (generation: number) => {
    const lines = [`# generation ${generation}`, 'probes:'];
    for (let i = 0; i < options.probes; i++) {
      const kind = i % 10 === 0 ? 'failing' : i % 10 === 1 ? 'flapping' : 'healthy';
      lines.push(
        `  - { name: ${kind}-${i}, kind: http, url: "http://127.0.0.1:${ports[kind]}/${i}", interval: ${options.intervalS}s, timeout: ${Math.min(5, options.intervalS * 0.8)}s, labels: { mix: ${kind} } }`,
      );
    }
    lines.push(
      'rules:',
      "  - { alert: ProbeDown, severity: critical, signal: up, op: '==', threshold: 0, annotations: { summary: '{{probe}} down' } }",
      `route: { receiver: hooks, group_by: [alertname, mix], group_wait: 1s, group_interval: 5s, repeat_interval: 1m }`,
      'receivers:',
      `  - { name: hooks, webhook_configs: [{ url: "http://127.0.0.1:${ports.sink}/hook" }] }`,
    );
    writeFileSync(configFile, `${lines.join('\n')}\n`);
  };
  writeConfig(0);
  const child = spawnPrismwatch(dir, ports.prismwatch, {
    args: ['--rules.evaluation-interval', '1s'],
    env: { PRISMWATCH_API_TOKEN: 'soak' },
  });
  const base = `http://127.0.0.1:${ports.prismwatch}`;
  const scrape = async () => (await fetch(`${base}/metrics`)).text();
  for (let i = 0; i < 100; i++) {
    try {
      if ((await fetch(`${base}/-/ready`)).ok) break;
    } catch {
      // starting
    }
    await sleep(100);
  }
  const samples: SoakReport['samples'] = [];
  const reloads = { ok: 0, failed: 0 };
  const started = Date.now();
  let generation = 0;
  let nextReload = options.reloadEveryS;
  try {
    while ((Date.now() - started) / 1000 < options.seconds) {
      await sleep(options.sampleEveryS * 1000);
      const t = (Date.now() - started) / 1000;
      if (t >= nextReload) {
        nextReload += options.reloadEveryS;
        writeConfig(++generation);
        const answer = await fetch(`${base}/-/reload`, {
          method: 'POST',
          headers: { authorization: 'Bearer soak' },
        });
        if (answer.ok) reloads.ok += 1;
        else reloads.failed += 1;
        await answer.arrayBuffer();
      }
      const text = await scrape();
      const status = readFileSync(`/proc/${child.pid}/status`, 'utf8');
      const sample = {
        t,
        rssMb: Number(/VmRSS:\s+(\d+)/.exec(status)?.[1] ?? 0) / 1024,
        heapMb: metric(text, 'nodejs_heap_size_used_bytes') / 1024 / 1024,
        fds: readdirSync(`/proc/${child.pid}/fd`).length,
        outbox: metric(text, 'prismwatch_notification_outbox_depth'),
      };
      samples.push(sample);
      log(
        `t=${t.toFixed(0)}s rss=${sample.rssMb.toFixed(0)}MB heap=${sample.heapMb.toFixed(0)}MB fds=${sample.fds} outbox=${sample.outbox} notifications=${notifications}`,
      );
    }
    // Stop flapping, then give the last notifications up to 20 s to drain before judging the
    // outbox: something queued in the final seconds is in flight, not lost.
    clearInterval(flapTimer);
    flapUp = true;
    let text = await scrape();
    for (let i = 0; i < 40 && metric(text, 'prismwatch_notification_outbox_depth') > 0; i++) {
      await sleep(500);
      text = await scrape();
    }
    const secondHalf = samples.filter((sample) => sample.t >= options.seconds / 2);
    return {
      samples,
      rssSlopeMbPerMin: slopePerMinute(secondHalf.map((sample) => [sample.t, sample.rssMb])),
      heapSlopeMbPerMin: slopePerMinute(secondHalf.map((sample) => [sample.t, sample.heapMb])),
      // In-flight probes open sockets, so single samples jump (24 to 69 on a busy machine, where
      // runs pile up); a leak raises the floor, so the lowest count of each end is compared.
      fdChange:
        Math.min(...secondHalf.slice(-Math.ceil(secondHalf.length / 3)).map((sample) => sample.fds)) -
        Math.min(...samples.slice(0, Math.ceil(samples.length / 3)).map((sample) => sample.fds)),
      reloads,
      notifications,
      outboxAtEnd: metric(text, 'prismwatch_notification_outbox_depth'),
      probeRuns: metric(text, 'prismwatch_probe_runs_total'),
    };
  } finally {
    clearInterval(flapTimer);
    child.kill('SIGTERM');
    await new Promise((resolve) => child.once('exit', resolve));
    for (const server of [healthy, failing, flapping, sink]) {
      server.closeAllConnections();
      server.close();
    }
  }
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const args = process.argv.slice(2);
  const option = (name: string, fallback: number) => {
    const i = args.indexOf(`--${name}`);
    return i === -1 ? fallback : Number(args[i + 1]);
  };
  const report = await runSoak({
    probes: option('probes', 2_000),
    seconds: option('seconds', 1_200),
    intervalS: option('interval', 10),
    reloadEveryS: option('reload-every', 60),
    sampleEveryS: option('sample-every', 10),
  });
  const { samples: _samples, ...summary } = report;
  console.log(JSON.stringify(summary, null, 2));
}
