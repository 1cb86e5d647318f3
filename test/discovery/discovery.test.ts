/**
 * Discovery end to end: 5,000 targets from a watched file_sd file become probes (their source
 * shown in the API), a rewrite of the file applies like a reload, a broken file or an inventory
 * over its limit keeps the probes it had; an HTTP SD server is polled the way Prometheus polls
 * it, and its failures keep the last targets too.
 */
import { mkdirSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { configDir } from '../helpers/config-dir.js';
import { startDaemon } from '../helpers/daemon.js';
import { eventually } from '../helpers/metrics.js';
import { withHttpServer } from '../helpers/servers.js';

interface ProbeEntry {
  name: string;
  labels: Record<string, string>;
  source: string;
  discovered?: { source: string; target: string };
}

interface SourceEntry {
  name: string;
  type: string;
  targets: number;
  error?: string;
  skipped: number;
  skippedTargets?: Array<{ target: string; reason: string }>;
}

async function getJson<T>(url: string): Promise<T> {
  return (await (await fetch(url)).json()) as T;
}

function groups(count: number, perGroup: number, prefix = 'svc') {
  return Array.from({ length: Math.ceil(count / perGroup) }, (_, g) => ({
    targets: Array.from(
      { length: Math.min(perGroup, count - g * perGroup) },
      (_, i) => `${prefix}-${g}-${i}.internal:8080`,
    ),
    labels: { team: `team-${g % 5}` },
  }));
}

/** Written as config management writes: a temporary file renamed over the old one. */
function writeAtomically(path: string, value: unknown) {
  const temporary = `${path}.tmp`;
  writeFileSync(temporary, typeof value === 'string' ? value : JSON.stringify(value));
  renameSync(temporary, path);
}

describe('discovery', () => {
  it('makes 5,000 file_sd targets probes, follows the watched file, and keeps them through a broken write', async () => {
    const target = await withHttpServer((_req, res) => res.writeHead(200).end('ok'));
    const dir = configDir();
    mkdirSync(join(dir.path, 'targets'));
    const file = join(dir.path, 'targets', 'inventory.json');
    writeAtomically(file, groups(5_000, 100));
    dir.write(
      'c.yaml',
      `probes:
  - { name: "inventory:svc-0-0.internal:8080", kind: http, url: "${target.url}/hand", interval: 1h }
discovery:
  - name: inventory
    file_sd: { files: [targets/*.json], refresh_interval: 1h }
    template:
      kind: http
      # A yearly schedule: 5,000 probes exist without 5,000 first runs at once, a burst that
      # starved the timing-sensitive paging scenarios running beside this test.
      schedule: "0 0 1 1 *"
      url: "${target.url}/t/\${target.address}"
      labels: { team: "\${target.labels.team}" }
`,
    );
    const { daemon } = await startDaemon(dir.path);
    const probes = () => getJson<ProbeEntry[]>(`${daemon.baseUrl}/api/v1/probes`);
    const sources = () => getJson<SourceEntry[]>(`${daemon.baseUrl}/api/v1/discovery`);
    const started = performance.now();
    await eventually(async () => (await probes()).length === 5_000);
    console.log(
      `discovery: 5,000 file_sd targets applied ${Math.round(performance.now() - started)} ms after start`,
    );

    const all = await probes();
    // The hand-written probe keeps its name; the target that would have taken it is skipped.
    const handWritten = all.find((probe) => probe.name === 'inventory:svc-0-0.internal:8080');
    expect(handWritten?.source).toMatch(/c\.yaml:2$/);
    expect(handWritten?.discovered).toBeUndefined();
    const one = all.find((probe) => probe.name === 'inventory:svc-3-7.internal:8080')!;
    expect(one).toMatchObject({
      labels: { team: 'team-3' },
      discovered: { source: 'inventory', target: 'svc-3-7.internal:8080' },
    });
    expect(one.source).toMatch(/c\.yaml:4$/);
    const [status] = await sources();
    expect(status).toMatchObject({ name: 'inventory', type: 'file_sd', targets: 5_000, skipped: 1 });
    expect(status!.skippedTargets![0]).toEqual({
      target: 'svc-0-0.internal:8080',
      reason: 'probe name "inventory:svc-0-0.internal:8080" is already taken',
    });

    // The inventory shrinks, gains ten targets and relabels a group: applied like a reload.
    const next = groups(4_000, 100);
    next[0]!.labels.team = 'moved';
    next.push({
      targets: Array.from({ length: 10 }, (_, i) => `new-${i}.internal:8080`),
      labels: { team: 'new' },
    });
    writeAtomically(file, next);
    await eventually(async () => (await probes()).length === 4_010);
    const after = await probes();
    expect(after.find((probe) => probe.name === 'inventory:new-9.internal:8080')?.labels.team).toBe('new');
    expect(after.find((probe) => probe.name === 'inventory:svc-0-5.internal:8080')?.labels.team).toBe(
      'moved',
    );
    expect(after.some((probe) => probe.name === 'inventory:svc-45-0.internal:8080')).toBe(false);

    // A broken write keeps every probe and says why.
    writeAtomically(file, '[{"targets": ["half-written');
    await eventually(async () => (await sources())[0]?.error?.includes('not valid JSON'));
    expect((await probes()).length).toBe(4_010);
    const metrics = await (await fetch(`${daemon.baseUrl}/metrics`)).text();
    expect(metrics).toMatch(/prismwatch_discovery_refresh_failures_total\{source="inventory"\} [1-9]/);
    expect(metrics).toContain('prismwatch_discovery_targets{source="inventory"} 4010');
  }, 240_000);

  it('a reload re-applies a changed template to the targets the source holds; a source removed takes its probes', async () => {
    const dir = configDir();
    mkdirSync(join(dir.path, 'targets'));
    writeAtomically(join(dir.path, 'targets', 'a.yaml'), '- targets: ["10.0.0.1:22", "10.0.0.2:22"]\n');
    const config = (interval: string) => `discovery:
  - name: ssh
    file_sd: { files: [targets/*.yaml] }
    template: { kind: tcp, target: "\${target.address}", interval: ${interval} }
`;
    dir.write('c.yaml', config('1h'));
    const { daemon } = await startDaemon(dir.path);
    const probes = () =>
      getJson<Array<ProbeEntry & { intervalSeconds: number }>>(`${daemon.baseUrl}/api/v1/probes`);
    await eventually(async () => (await probes()).length === 2);
    dir.write('c.yaml', config('30m'));
    expect((await daemon.reload()).ok).toBe(true);
    expect((await probes()).map((probe) => probe.intervalSeconds)).toEqual([1_800, 1_800]);
    // A template that no longer loads: the reload fails and the running probes stay.
    dir.write('c.yaml', config('1h').replace('kind: tcp', 'kind: tcpp'));
    const refused = await daemon.reload();
    expect(refused.ok).toBe(false);
    expect(refused.message).toContain('discovery[0].template.kind');
    expect((await probes()).length).toBe(2);
    dir.write('c.yaml', 'probes: []\n');
    expect((await daemon.reload()).ok).toBe(true);
    expect(await probes()).toEqual([]);
    expect(await getJson(`${daemon.baseUrl}/api/v1/discovery`)).toEqual([]);
  }, 120_000);

  it('polls an HTTP SD endpoint as Prometheus does, refuses an inventory over max_targets, and skips what the template cannot make a probe of', async () => {
    let answer: { status: number; body: string; type?: string } = {
      status: 200,
      body: JSON.stringify([
        { targets: ['db-1:5432', 'db-2:5432'], labels: { team: 'data', url: 'http://127.0.0.1:9/x' } },
        { targets: ['db-3:5432'], labels: { team: 'data' } },
      ]),
    };
    const seen: Array<Record<string, unknown>> = [];
    const inventory = await withHttpServer((req, res) => {
      seen.push({ ...req.headers });
      res.on('error', () => {});
      res.writeHead(answer.status, { 'content-type': answer.type ?? 'application/json' });
      if (answer.body === 'stall') return; // Headers, then nothing: a hung inventory.
      if (answer.body === 'endless') {
        // 64 KiB at a time until the client hangs up: far past the 32 MiB limit if it never did.
        const chunk = Buffer.alloc(64 * 1024, 0x20);
        const more = () => {
          while (!res.destroyed && res.write(chunk));
          if (!res.destroyed) res.once('drain', more);
        };
        res.write('[');
        more();
        return;
      }
      res.end(answer.body);
    });
    const dir = configDir();
    dir.write(
      'c.yaml',
      `discovery:
  - name: cmdb
    http_sd:
      url: "${inventory.url}/targets"
      refresh_interval: 1s
      headers: { authorization: "Bearer s3cret-inventory-token" }
    max_targets: 3
    template:
      kind: http
      name: "db-\${target.address}"
      url: "\${target.labels.url}"
      interval: 1h
`,
    );
    const { daemon, logs } = await startDaemon(dir.path);
    const probes = () => getJson<ProbeEntry[]>(`${daemon.baseUrl}/api/v1/probes`);
    const sources = () => getJson<SourceEntry[]>(`${daemon.baseUrl}/api/v1/discovery`);
    await eventually(async () => (await probes()).length === 2);
    expect(seen[0]).toMatchObject({
      accept: 'application/json',
      authorization: 'Bearer s3cret-inventory-token',
      'x-prometheus-refresh-interval-seconds': '1',
    });
    expect((await probes()).map((probe) => probe.name).sort()).toEqual(['db-db-1:5432', 'db-db-2:5432']);
    // db-3 has no url label: its URL is empty, so it makes no probe, and the API says why.
    const [status] = await sources();
    expect(status).toMatchObject({ name: 'cmdb', type: 'http_sd', targets: 3, skipped: 1 });
    expect(status!.skippedTargets![0]!.target).toBe('db-3:5432');
    expect(status!.skippedTargets![0]!.reason).toMatch(/^url: /);

    // Over max_targets: refused, and the probes stay.
    answer = {
      status: 200,
      body: JSON.stringify([
        { targets: ['a:1', 'b:1', 'c:1', 'd:1'], labels: { url: 'http://127.0.0.1:9/' } },
      ]),
    };
    await eventually(async () => (await sources())[0]?.error?.includes('above max_targets 3'));
    expect((await probes()).length).toBe(2);

    // A failing endpoint, then a wrong content type: the probes stay, the error says which.
    answer = { status: 503, body: 'maintenance' };
    await eventually(async () => (await sources())[0]?.error?.includes('HTTP 503'));
    answer = { status: 200, body: '[]', type: 'text/html' };
    await eventually(async () => (await sources())[0]?.error?.includes('content type "text/html"'));
    expect((await probes()).length).toBe(2);

    // A hostile inventory: an endless body is cut at the limit, a stalled one at the timeout.
    answer = { status: 200, body: 'endless' };
    await eventually(async () => (await sources())[0]?.error?.includes('larger than'));
    answer = { status: 200, body: 'stall' };
    await eventually(async () => /timeout/i.test((await sources())[0]?.error ?? ''));
    expect((await probes()).length).toBe(2);

    // An empty list is an empty inventory: the probes go.
    answer = { status: 200, body: '[]' };
    await eventually(async () => (await probes()).length === 0);
    expect((await sources())[0]).toMatchObject({ targets: 0, skipped: 0 });
    expect(JSON.stringify(logs.lines)).not.toContain('s3cret-inventory-token');
  }, 240_000);
});
