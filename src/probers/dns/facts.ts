/** The `dns` facts section: the answer to a DNS query, and what is shown of it. */
import { defineFacts } from '../definition.js';
import { gauge } from '../families.js';

export interface DnsFacts {
  /** The response code, or "NONE" when no response came. */
  readonly rcode: string;
  readonly answers: readonly string[];
  readonly lookupMs: number;
}

declare module '../../model/probe.js' {
  interface ProbeFacts {
    dns?: DnsFacts;
  }
}

export const dnsFacts = defineFacts({
  key: 'dns',
  families: [
    gauge<DnsFacts>(
      'probe_dns_lookup_time_seconds',
      'How long the DNS query took, in seconds.',
      (dns) => dns.lookupMs / 1000,
    ),
    gauge<DnsFacts>(
      'probe_dns_answer_rrs',
      'Number of records in the answer section.',
      (dns) => dns.answers.length,
    ),
  ],
  evidence: (dns) => `${dns.rcode}: ${dns.answers.slice(0, 3).join(', ') || 'no answers'}`,
  report: (dns, out) =>
    out.row('dns', `${dns.rcode}: ${dns.answers.length > 0 ? dns.answers.join(', ') : 'no answers'}`),
});
