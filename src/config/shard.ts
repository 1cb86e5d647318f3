/**
 * `--shard i/n`: this instance runs the probes whose name hashes to shard i of n (1-based). The
 * hash is of the name only, so a probe stays on its shard across reloads and restarts, and adding
 * probes moves none of the others. Several shards behind one Prometheus (and an Alertmanager
 * cluster for notifications) scale past one process and survive one instance's loss.
 */
import { createHash } from 'node:crypto';
import { PrismwatchError } from '../errors.js';

export interface Shard {
  /** 1-based. */
  readonly index: number;
  readonly count: number;
}

export function parseShard(text: string): Shard {
  const match = /^(\d+)\/(\d+)$/.exec(text.trim());
  const index = Number(match?.[1]);
  const count = Number(match?.[2]);
  if (!match || count < 1 || index < 1 || index > count)
    throw new PrismwatchError(
      'PRISMWATCH_USAGE',
      `--shard expects i/n with 1 <= i <= n, like 1/3, got "${text}"`,
    );
  return { index, count };
}

export function shardOf(name: string, count: number): number {
  const digest = createHash('sha256').update(`shard\u0000${name}`).digest();
  return (digest.readUInt32BE(0) % count) + 1;
}

export function inShard(name: string, shard: Shard | undefined): boolean {
  return shard === undefined || shard.count === 1 || shardOf(name, shard.count) === shard.index;
}
