/** --shard i/n: disjoint, complete and stable splits of the probes across instances. */
import { describe, expect, it } from 'vitest';
import { inShard, parseShard, shardOf } from '../../src/config/shard.js';
import { runCli } from '../helpers/cli.js';
import { configDir, httpProbeYaml } from '../helpers/config-dir.js';
import { startDaemon } from '../helpers/daemon.js';

describe('shards', () => {
  it('split probes disjointly and completely, evenly enough, and the same way every time', () => {
    const names = Array.from({ length: 3_000 }, (_, i) => `probe-${i}`);
    const counts = [0, 0, 0];
    for (const name of names) counts[shardOf(name, 3) - 1]! += 1;
    for (const count of counts) expect(count).toBeGreaterThan(900);
    expect(names.filter((name) => inShard(name, { index: 2, count: 3 })).length).toBe(counts[1]);
    expect(shardOf('probe-42', 3)).toBe(shardOf('probe-42', 3));
    expect(inShard('anything', undefined)).toBe(true);
  });

  it('parses i/n and refuses nonsense', () => {
    expect(parseShard('2/3')).toEqual({ index: 2, count: 3 });
    expect(() => parseShard('0/3')).toThrow(/1 <= i <= n/);
    expect(() => parseShard('4/3')).toThrow(/1 <= i <= n/);
    expect(() => parseShard('half')).toThrow(/like 1\/3/);
  });

  it('two daemons with 1/2 and 2/2 run every probe exactly once between them', async () => {
    const dir = configDir();
    const probes = Array.from({ length: 20 }, (_, i) => ({
      name: `p${i}`,
      url: 'http://127.0.0.1:1/',
      interval: '1h',
    }));
    dir.write('p.yaml', httpProbeYaml(probes));
    const names = async (shard: { index: number; count: number }) => {
      const { daemon } = await startDaemon(dir.path, { shard });
      return ((await (await fetch(`${daemon.baseUrl}/api/v1/probes`)).json()) as Array<{ name: string }>).map(
        (p) => p.name,
      );
    };
    const first = await names({ index: 1, count: 2 });
    const second = await names({ index: 2, count: 2 });
    expect(first.length).toBeGreaterThan(0);
    expect(second.length).toBeGreaterThan(0);
    expect([...first, ...second].sort()).toEqual(probes.map((probe) => probe.name).sort());
    const bad = await runCli(['run', '--shard', '3/2', '--web.listen-address', '127.0.0.1:0']);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain('--shard expects i/n');
  });
});
