/** The `icmp` facts section: one burst of echo requests, its loss and round trips. */

import { formatValue } from '../../util/exposition.js';
import { escapeHtml } from '../../util/html.js';
import { defineFacts } from '../definition.js';
import { gauge } from '../families.js';

export interface IcmpFacts {
  /** The address the burst went to (the name resolved). */
  readonly address: string;
  readonly sent: number;
  readonly received: number;
  /** 0 to 1. */
  readonly lossRatio: number;
  readonly rttMinMs?: number;
  readonly rttAvgMs?: number;
  readonly rttMaxMs?: number;
  /** Mean difference between consecutive round trips. */
  readonly jitterMs?: number;
  /** TTL (IPv4) or hop limit (IPv6) of the last reply. */
  readonly hopLimit?: number;
}

declare module '../../model/probe.js' {
  interface ProbeFacts {
    icmp?: IcmpFacts;
  }
}

const STATS = [
  ['min', 'rttMinMs'],
  ['avg', 'rttAvgMs'],
  ['max', 'rttMaxMs'],
  ['jitter', 'jitterMs'],
] as const;

export const icmpFacts = defineFacts({
  key: 'icmp',
  // probe_icmp_duration_seconds carries the phases, as blackbox_exporter's does.
  exportsPhases: true,
  families: [
    {
      // blackbox_exporter's name; its rtt phase is one reply's, here the burst's average.
      name: 'probe_icmp_duration_seconds',
      type: 'gauge',
      help: 'Duration of ICMP phases: resolve, and rtt (the average round trip of the last burst).',
      lines: (labels, facts, context) => {
        let out = `probe_icmp_duration_seconds{${labels},phase="resolve"} ${formatValue((context.phases.resolve ?? 0) / 1000)}\n`;
        if (facts.rttAvgMs !== undefined)
          out += `probe_icmp_duration_seconds{${labels},phase="rtt"} ${formatValue(facts.rttAvgMs / 1000)}\n`;
        return out;
      },
    },
    gauge<IcmpFacts>(
      'probe_icmp_reply_hop_limit',
      'TTL (IPv4) or hop limit (IPv6) of the last echo reply.',
      (facts) => facts.hopLimit,
    ),
    gauge<IcmpFacts>(
      'prismwatch_icmp_packet_loss_ratio',
      "Share of the last burst's echo requests that got no reply (0 to 1).",
      (facts) => facts.lossRatio,
    ),
    {
      name: 'prismwatch_icmp_rtt_seconds',
      type: 'gauge',
      help: 'Round trip of the last burst: stat="min", "avg", "max", and "jitter" (mean difference between consecutive replies).',
      lines: (labels, facts) => {
        let out = '';
        for (const [stat, key] of STATS) {
          const ms = facts[key];
          if (ms !== undefined)
            out += `prismwatch_icmp_rtt_seconds{${labels},stat="${stat}"} ${formatValue(ms / 1000)}\n`;
        }
        return out;
      },
    },
  ],
  signals: [
    {
      name: 'packet_loss_ratio',
      read: (facts) => facts.lossRatio,
      promql: (s) => `prismwatch_icmp_packet_loss_ratio${s}`,
    },
    {
      name: 'icmp_rtt_seconds',
      read: (facts) => (facts.rttAvgMs === undefined ? undefined : facts.rttAvgMs / 1000),
      promql: (s) => `max without (stat) (prismwatch_icmp_rtt_seconds${s.replace(/}$/, ',stat="avg"}')})`,
    },
  ],
  report: (facts, out) => {
    out.row('address', facts.address);
    out.row(
      'echo',
      `${facts.received} of ${facts.sent} answered (${Math.round(facts.lossRatio * 100)} % lost)`,
    );
    if (facts.rttAvgMs !== undefined)
      out.row(
        'rtt',
        `min ${facts.rttMinMs!.toFixed(3)} / avg ${facts.rttAvgMs.toFixed(3)} / max ${facts.rttMaxMs!.toFixed(3)} ms, jitter ${facts.jitterMs!.toFixed(3)} ms`,
      );
    if (facts.hopLimit !== undefined) out.row('hop limit', String(facts.hopLimit));
  },
  evidence: (facts) =>
    facts.rttAvgMs === undefined
      ? `no echo reply of ${facts.sent}`
      : `${facts.received} of ${facts.sent} replies, avg ${facts.rttAvgMs.toFixed(1)} ms`,
  statusColumn: {
    header: 'Check',
    position: 3,
    cell: (facts) => ({
      html:
        facts.rttAvgMs === undefined
          ? 'no echo reply'
          : `ping ${escapeHtml(facts.rttAvgMs.toFixed(1))} ms, ${escapeHtml(String(Math.round(facts.lossRatio * 100)))} % lost`,
      warn: facts.received < facts.sent,
    }),
  },
});
