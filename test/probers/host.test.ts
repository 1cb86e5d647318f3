import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parseFileNr, parseLoadavg, parseMeminfo } from '../../src/probers/host/proc.js';
import { probe } from '../helpers/probe.js';

describe('/proc parsers (fixture text)', () => {
  it('computes memory used from MemAvailable, like node_exporter users do', () => {
    const memory = parseMeminfo(readFileSync('test/fixtures/proc/meminfo', 'utf8'));
    expect(memory).toEqual({
      totalBytes: 24_606_820 * 1024,
      availableBytes: 4_921_364 * 1024,
      usedRatio: 1 - 4_921_364 / 24_606_820,
    });
    expect(memory!.usedRatio).toBeCloseTo(0.8, 3);
  });

  it('falls back to MemFree + Buffers + Cached on kernels without MemAvailable', () => {
    expect(
      parseMeminfo(readFileSync('test/fixtures/proc/meminfo-old-kernel', 'utf8'))?.usedRatio,
    ).toBeCloseTo(0.6, 6);
  });

  it('rejects text it cannot read rather than guessing', () => {
    expect(parseMeminfo('garbage')).toBeUndefined();
    expect(parseLoadavg('x y z')).toBeUndefined();
    expect(parseFileNr('')).toBeUndefined();
  });

  it('parses load averages and file handles', () => {
    expect(parseLoadavg('0.52 0.58 0.59 2/389 12345\n')).toEqual({ load1: 0.52, load5: 0.58, load15: 0.59 });
    expect(parseFileNr('3104\t0\t9223372036854775807\n')).toEqual({
      allocated: 3104,
      maximum: 2 ** 63, // the kernel reports 2^63 − 1; as a double it rounds to 2^63
    });
  });
});

describe('host prober (this machine)', () => {
  it('reads memory, disks, load and file handles', async () => {
    const result = await probe({ kind: 'host', mounts: ['/', '/tmp'] });
    expect(result.failure).toBeUndefined();
    const host = result.facts.host!;
    expect(host.memory.usedRatio).toBeGreaterThan(0);
    expect(host.memory.usedRatio).toBeLessThan(1);
    expect(host.disks.map((disk) => disk.mount)).toEqual(['/', '/tmp']);
    expect(host.disks[0]!.freeRatio).toBeGreaterThan(0);
    expect(host.openFds).toBeGreaterThan(2);
  });

  it('fails with threshold_exceeded past a configured limit, saying by how much', async () => {
    const result = await probe({ kind: 'host', max_memory_used_ratio: 0 });
    expect(result.failure?.code).toBe('threshold_exceeded');
    expect(result.failure?.message).toMatch(/^memory used \d+\.\d%, above the limit of 0\.0%$/);
    const disk = await probe({ kind: 'host', min_disk_free_ratio: 1 });
    expect(disk.failure?.message).toMatch(/^disk \/ has \d+\.\d% free, below the limit of 100\.0%$/);
  });

  it('reports read_error for a mount that does not exist', async () => {
    const result = await probe({ kind: 'host', mounts: ['/does/not/exist'] });
    expect(result.failure).toEqual({ code: 'read_error', message: 'could not read /does/not/exist: ENOENT' });
  });
});
