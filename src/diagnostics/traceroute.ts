/**
 * Where the network path to a target stops: Debian's `traceroute` (UDP probes, no root needed),
 * one probe per hop, bounded in hops and in time, read into hops and said in one line —
 * "path stops after hop 4, 10.0.0.1" or "path reaches 10.0.3.7 in 5 hops". Like the icmp kind's
 * ping, it is a program run and read, never a crash: a missing binary or a refusal is a sentence.
 */
import { runProgram } from '../util/run-program.js';

export interface Hop {
  readonly hop: number;
  /** Undefined when nothing answered at this distance. */
  readonly address?: string;
}

const HOP_RE = /^\s*(\d+)\s+(\S+)/;
/** PRISMWATCH_TRACEROUTE names another binary. */
const TRACEROUTE = process.env.PRISMWATCH_TRACEROUTE ?? 'traceroute';

/** `traceroute -n` output → hops, in order; lines it does not know are skipped. */
export function parseTraceroute(text: string): Hop[] {
  const hops: Hop[] = [];
  for (const raw of text.split('\n')) {
    const match = HOP_RE.exec(raw.slice(0, 500));
    if (!match) continue;
    const hop = Number(match[1]);
    if (!Number.isSafeInteger(hop) || hop < 1 || hop > 255) continue;
    hops.push(match[2] === '*' ? { hop } : { hop, address: match[2]! });
  }
  return hops;
}

/** The path in words: where it stops, or that it reaches the destination. */
export function describePath(hops: readonly Hop[], destination: string): string {
  const answered = hops.filter((hop) => hop.address !== undefined);
  const last = answered.at(-1);
  if (!last) return `no hop towards ${destination} answered`;
  if (last.address === destination)
    return `path reaches ${destination} in ${last.hop} hop${last.hop === 1 ? '' : 's'}`;
  return `path stops after hop ${last.hop}, ${last.address}`;
}

export interface TraceOptions {
  readonly maxHops: number;
  /** Seconds to wait for each hop's answer. */
  readonly waitSeconds: number;
  /** Kills traceroute when it fires (shutdown, or the overall bound). */
  readonly signal: AbortSignal;
}

/** The path to `address` in words, or why it could not be taken; `missing` when there is no traceroute. */
export async function tracePath(address: string, options: TraceOptions): Promise<string | { missing: true }> {
  const run = await runProgram(
    TRACEROUTE,
    ['-n', '-q', '1', '-w', String(options.waitSeconds), '-m', String(options.maxHops), address],
    options.signal,
  );
  if (run.missing) return { missing: true };
  const hops = parseTraceroute(run.output);
  if (hops.length === 0) {
    const why = run.errors.trim().split('\n')[0]?.slice(0, 200);
    return `no path taken${why ? `: ${why}` : ''}`;
  }
  return describePath(hops, address);
}
