/** The `domain` facts section: a domain's registration expiry from RDAP, and what is shown of it. */
import { escapeHtml } from '../../util/html.js';
import { defineFacts } from '../definition.js';
import { gauge } from '../families.js';

export interface DomainFacts {
  readonly domain: string;
  /** Epoch ms; undefined when the registry publishes no expiration event. */
  readonly expiresAt?: number;
  readonly registrar?: string;
  readonly status: readonly string[];
  /** The RDAP server asked. */
  readonly server: string;
  /** When the answer was fetched (answers are cached, by default for a day). */
  readonly fetchedAt: number;
}

declare module '../../model/probe.js' {
  interface ProbeFacts {
    domain?: DomainFacts;
  }
}

const DAY = 86_400_000;
const daysLeft = (facts: DomainFacts, now: number) =>
  facts.expiresAt === undefined ? undefined : (facts.expiresAt - now) / DAY;

export const domainFacts = defineFacts({
  key: 'domain',
  families: [
    gauge<DomainFacts>(
      'prismwatch_domain_expiry_timestamp_seconds',
      "When the domain's registration expires (RDAP expiration event, Unix seconds).",
      (facts) => (facts.expiresAt === undefined ? undefined : facts.expiresAt / 1000),
    ),
    gauge<DomainFacts>(
      'prismwatch_domain_rdap_fetched_timestamp_seconds',
      'When the RDAP answer in use was fetched (answers are cached).',
      (facts) => facts.fetchedAt / 1000,
    ),
  ],
  signals: [
    {
      name: 'domain_expiry_days',
      read: (facts, now) => daysLeft(facts, now),
      promql: (s) => `(prismwatch_domain_expiry_timestamp_seconds${s} - time()) / 86400`,
      unit: 'days',
    },
  ],
  report: (facts, out, { now }) => {
    const days = daysLeft(facts, now);
    out.row(
      'domain',
      facts.expiresAt === undefined
        ? `${facts.domain}: no expiration date published`
        : `${facts.domain} expires ${new Date(facts.expiresAt).toISOString().slice(0, 10)} (${Math.floor(days!)} days)`,
    );
    if (facts.registrar) out.row('registrar', facts.registrar);
    if (facts.status.length > 0) out.row('status', facts.status.join(', '));
    out.row('rdap', `${facts.server} (fetched ${new Date(facts.fetchedAt).toISOString()})`);
  },
  evidence: (facts, measures, now) => {
    const days = daysLeft(facts, now);
    if (days === undefined) return `${facts.domain}: no expiration date published`;
    measures.domain_days = Math.round(days);
    return `${facts.domain} registered for ${Math.floor(days)} more days`;
  },
  statusColumn: {
    header: 'Check',
    position: 3,
    cell: (facts, now) => {
      const days = daysLeft(facts, now);
      if (days === undefined) return { html: 'no expiry published' };
      return { html: `domain ${escapeHtml(String(Math.floor(days)))} d`, warn: days < 30 };
    },
  },
});
