/**
 * What iputils `ping -n` prints, read into numbers: each reply line
 * (`64 bytes from 127.0.0.1: icmp_seq=1 ttl=64 time=0.045 ms`) and the summary
 * (`3 packets transmitted, 2 received, …`). Per-reply round trips give min, average, max and
 * jitter (the mean difference between consecutive replies, as RFC 3550 smooths it out); the summary
 * gives loss. Anything else on the lines is ignored: the output is the target's only in what the
 * replies carry, and nothing here can throw or take more than one pass over it.
 */
export interface PingStats {
  readonly sent: number;
  readonly received: number;
  readonly rttsMs: readonly number[];
  /** The TTL (IPv4) or hop limit (IPv6) of the last reply. */
  readonly hopLimit?: number;
}

const REPLY_RE = /^\d+ bytes from \S+ icmp_seq=\d+ (?:ttl|hlim)=(\d+) time=(\d+(?:\.\d+)?) ms/;
const SUMMARY_RE = /^(\d+) packets transmitted, (\d+) (?:packets )?received/;
const MAX_LINE = 500;

export function parsePingOutput(text: string): PingStats | undefined {
  const rttsMs: number[] = [];
  let hopLimit: number | undefined;
  let summary: { sent: number; received: number } | undefined;
  for (const raw of text.split('\n')) {
    const line = raw.slice(0, MAX_LINE).trim();
    const reply = REPLY_RE.exec(line);
    if (reply) {
      // A duplicate reply (DUP!) says nothing new about the path's round trip.
      if (line.includes('DUP!')) continue;
      hopLimit = Number(reply[1]);
      rttsMs.push(Number(reply[2]));
      continue;
    }
    const counts = SUMMARY_RE.exec(line);
    if (counts) summary = { sent: Number(counts[1]), received: Number(counts[2]) };
  }
  if (!summary) return undefined;
  return {
    sent: summary.sent,
    received: Math.min(summary.received, summary.sent),
    rttsMs,
    ...(hopLimit !== undefined ? { hopLimit } : {}),
  };
}

export function rttSummary(
  rttsMs: readonly number[],
): { minMs: number; avgMs: number; maxMs: number; jitterMs: number } | undefined {
  if (rttsMs.length === 0) return undefined;
  let min = Number.POSITIVE_INFINITY;
  let max = 0;
  let sum = 0;
  let jitter = 0;
  for (let i = 0; i < rttsMs.length; i++) {
    const rtt = rttsMs[i]!;
    min = Math.min(min, rtt);
    max = Math.max(max, rtt);
    sum += rtt;
    if (i > 0) jitter += Math.abs(rtt - rttsMs[i - 1]!);
  }
  return {
    minMs: min,
    avgMs: sum / rttsMs.length,
    maxMs: max,
    jitterMs: rttsMs.length > 1 ? jitter / (rttsMs.length - 1) : 0,
  };
}
