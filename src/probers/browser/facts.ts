/** The `browser` facts section: a page load's Web Vitals, errors and failed requests, and what is shown of it. */
import { escapeHtml } from '../../util/html.js';
import { defineFacts } from '../definition.js';
import { gauge, gaugePer } from '../families.js';
import { rate, type WebVitals } from './vitals.js';

export interface FailedRequest {
  /** Redacted (no userinfo, secret parameters hidden). */
  readonly url: string;
  /** The HTTP status, or 0 when the request failed without one (refused, blocked, aborted). */
  readonly status: number;
  readonly error?: string;
}

export interface BrowserFacts {
  /** The main document's status (0 when it never answered). */
  readonly statusCode: number;
  readonly vitals: WebVitals;
  readonly consoleErrors: readonly string[];
  readonly failedRequests: readonly FailedRequest[];
  readonly requests: number;
  /** Where the failure's screenshot is served (/artifacts/…), when one was taken. */
  readonly screenshot?: string;
}

declare module '../../model/probe.js' {
  interface ProbeFacts {
    browser?: BrowserFacts;
  }
}

const VITALS = ['lcp', 'fcp', 'ttfb', 'inp', 'cls'] as const;

const format = (metric: (typeof VITALS)[number], value: number) =>
  metric === 'cls'
    ? value.toFixed(3)
    : value < 1
      ? `${Math.round(value * 1000)} ms`
      : `${value.toFixed(2)} s`;

/** One vital's series for a rule's selector (always `{…}`), without the `metric` label. */
const vitalSeries = (selector: string, metric: string) =>
  `max without (metric) (prismwatch_browser_web_vital${selector.replace(/}$/, `,metric="${metric}"}`)})`;

export const browserFacts = defineFacts({
  key: 'browser',
  families: [
    gaugePer<BrowserFacts, { metric: string; value: number }>(
      'prismwatch_browser_web_vital',
      'Web Vitals of the last page load: lcp, fcp, ttfb, inp in seconds, cls as a score; absent when the page gave none.',
      (facts) =>
        VITALS.flatMap((metric) => {
          const value = facts.vitals[metric];
          return value === undefined ? [] : [{ metric, value }];
        }),
      (item) => ['metric', item.metric],
      (item) => item.value,
    ),
    gauge<BrowserFacts>(
      'prismwatch_browser_console_errors',
      'Console errors and uncaught exceptions of the last page load.',
      (facts) => facts.consoleErrors.length,
    ),
    gauge<BrowserFacts>(
      'prismwatch_browser_failed_requests',
      'Requests of the last page load that failed or answered 4xx/5xx.',
      (facts) => facts.failedRequests.length,
    ),
    gauge<BrowserFacts>(
      'prismwatch_browser_requests',
      'Requests the last page load made.',
      (facts) => facts.requests,
    ),
  ],
  signals: [
    ...(['lcp', 'fcp', 'ttfb', 'inp'] as const).map((metric) => ({
      name: `${metric}_seconds`,
      read: (facts: BrowserFacts) => facts.vitals[metric],
      promql: (s: string) => vitalSeries(s, metric),
    })),
    {
      name: 'cls',
      read: (facts: BrowserFacts) => facts.vitals.cls,
      promql: (s: string) => vitalSeries(s, 'cls'),
    },
    {
      name: 'console_errors',
      read: (facts: BrowserFacts) => facts.consoleErrors.length,
      promql: (s: string) => `prismwatch_browser_console_errors${s}`,
    },
    {
      name: 'failed_requests',
      read: (facts: BrowserFacts) => facts.failedRequests.length,
      promql: (s: string) => `prismwatch_browser_failed_requests${s}`,
    },
  ],
  report: (facts, out) => {
    out.row('page', `HTTP ${facts.statusCode}, ${facts.requests} requests`);
    for (const metric of VITALS) {
      const value = facts.vitals[metric];
      if (value !== undefined)
        out.row(metric.toUpperCase(), `${format(metric, value)} (${rate(metric, value)})`);
    }
    for (const error of facts.consoleErrors.slice(0, 5)) out.row('console', error);
    for (const request of facts.failedRequests.slice(0, 5))
      out.row('failed', `${request.status || request.error || 'failed'} ${request.url}`);
    if (facts.screenshot) out.row('screenshot', facts.screenshot);
  },
  evidence: (facts, measures) => {
    if (facts.vitals.lcp !== undefined) measures.lcp_ms = Math.round(facts.vitals.lcp * 1000);
    const lcp = facts.vitals.lcp === undefined ? 'no LCP' : `LCP ${format('lcp', facts.vitals.lcp)}`;
    return `${lcp}, CLS ${facts.vitals.cls.toFixed(3)}, ${facts.consoleErrors.length} console error(s), ${facts.failedRequests.length} failed request(s)`;
  },
  artifacts: (facts) => (facts.screenshot ? [facts.screenshot] : []),
  statusColumn: {
    header: 'Check',
    position: 3,
    cell: (facts) => {
      const lcp = facts.vitals.lcp;
      const text = lcp === undefined ? 'page: no LCP' : `LCP ${format('lcp', lcp)}`;
      const errors = facts.consoleErrors.length + facts.failedRequests.length;
      const shot = facts.screenshot ? ` <a href="${escapeHtml(facts.screenshot)}">screenshot</a>` : '';
      return {
        html: `${escapeHtml(text)}${errors > 0 ? `, ${errors} error(s)` : ''}${shot}`,
        warn: (lcp !== undefined && rate('lcp', lcp) === 'poor') || errors > 0,
      };
    },
  },
});
