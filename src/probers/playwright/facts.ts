/** The `playwright` facts section: each test's outcome, duration, vitals and artifacts, and what is shown of them. */

import { escapeLabelValue, formatValue } from '../../util/exposition.js';
import { escapeHtml } from '../../util/html.js';
import type { WebVitals } from '../browser/vitals.js';
import { defineFacts } from '../definition.js';
import { gauge, gaugePer } from '../families.js';
import type { ReportedTest } from './report.js';

/** A test as the report gave it, with its vitals computed and its files moved to the artifact store. */
export type PlaywrightTestFacts = Omit<ReportedTest, 'screenshotPath' | 'tracePath' | 'timeline'> & {
  readonly vitals?: WebVitals;
  /** Where the failure's screenshot is served (/artifacts/…, public) and its trace (/api/v1/artifacts/…, token). */
  readonly screenshot?: string;
  readonly trace?: string;
};

export interface PlaywrightFacts {
  readonly tests: readonly PlaywrightTestFacts[];
  readonly passed: number;
  readonly failed: number;
  readonly skipped: number;
  /** The run's largest memory (its process tree's PSS), bytes. */
  readonly peakMemoryBytes: number;
  /** Hosts the tests tried to reach that allowed_hosts does not name. */
  readonly refusedHosts: readonly string[];
}

declare module '../../model/probe.js' {
  interface ProbeFacts {
    playwright?: PlaywrightFacts;
  }
}

const VITALS = ['lcp', 'fcp', 'ttfb', 'inp', 'cls'] as const;
const ran = (facts: PlaywrightFacts) => facts.tests.filter((test) => test.status !== 'skipped');

/** "checkout › pays (checkout.spec.ts:14)": how a test is named in messages. */
export const testName = (test: Pick<PlaywrightTestFacts, 'title' | 'file' | 'line'>) =>
  `${test.title} (${test.file}:${test.line})`;

export function describeFailure(test: PlaywrightTestFacts): string {
  const what = test.status === 'timedOut' ? 'timed out' : (test.error ?? test.status);
  return `${testName(test)}${test.step ? ` at step "${test.step}"` : ''}: ${what}`;
}

export const playwrightFacts = defineFacts({
  key: 'playwright',
  families: [
    gaugePer<PlaywrightFacts, [string, number]>(
      'prismwatch_playwright_tests',
      'Tests of the last run by outcome: passed, failed (timed out included), skipped.',
      (facts) => [
        ['passed', facts.passed],
        ['failed', facts.failed],
        ['skipped', facts.skipped],
      ],
      ([status]) => ['status', status],
      ([, value]) => value,
    ),
    gaugePer<PlaywrightFacts, PlaywrightTestFacts>(
      'prismwatch_playwright_test_success',
      'Whether each test of the last run passed (skipped tests have no sample).',
      ran,
      (test) => ['test', test.title],
      (test) => (test.status === 'passed' ? 1 : 0),
    ),
    gaugePer<PlaywrightFacts, PlaywrightTestFacts>(
      'prismwatch_playwright_test_duration_seconds',
      'How long each test of the last run took.',
      ran,
      (test) => ['test', test.title],
      (test) => test.durationMs / 1000,
    ),
    {
      name: 'prismwatch_playwright_web_vital',
      type: 'gauge',
      help: "Web Vitals of each test's page when it ended: lcp, fcp, ttfb, inp in seconds, cls as a score.",
      lines: (labels, facts) => {
        let out = '';
        for (const test of facts.tests)
          for (const metric of VITALS) {
            const value = test.vitals?.[metric];
            if (value !== undefined)
              out += `prismwatch_playwright_web_vital{${labels},test="${escapeLabelValue(test.title)}",metric="${metric}"} ${formatValue(value)}\n`;
          }
        return out;
      },
    },
    gauge<PlaywrightFacts>(
      'prismwatch_playwright_peak_memory_bytes',
      "The last run's largest memory: the runner's, the browser's and the tests' processes together (PSS).",
      (facts) => facts.peakMemoryBytes,
    ),
  ],
  signals: [
    {
      name: 'failed_tests',
      read: (facts: PlaywrightFacts) => facts.failed,
      promql: (s: string) => `prismwatch_playwright_tests${s.replace(/}$/, ',status="failed"}')}`,
    },
  ],
  report: (facts, out) => {
    out.row('tests', `${facts.passed} passed, ${facts.failed} failed, ${facts.skipped} skipped`);
    for (const test of facts.tests.slice(0, 20)) {
      const mark = test.status === 'passed' ? 'ok' : test.status;
      out.row(mark, `${testName(test)} ${Math.round(test.durationMs)} ms`);
      if (test.status !== 'passed' && test.status !== 'skipped')
        out.row(
          '',
          `${test.step ? `step "${test.step}": ` : ''}${test.status === 'timedOut' ? 'timed out' : (test.error ?? test.status)}${test.errorAt ? ` (${test.errorAt})` : ''}`,
        );
      if (test.vitals?.lcp !== undefined)
        out.row('', `LCP ${test.vitals.lcp.toFixed(2)} s, CLS ${test.vitals.cls.toFixed(3)}`);
      if (test.screenshot) out.row('', `screenshot ${test.screenshot}`);
      if (test.trace) out.row('', `trace ${test.trace} (npx playwright show-trace)`);
    }
    for (const host of facts.refusedHosts) out.row('refused', `${host} (not in allowed_hosts)`);
  },
  evidence: (facts, measures) => {
    measures.failed_tests = facts.failed;
    return `${facts.passed} passed, ${facts.failed} failed, ${facts.skipped} skipped`;
  },
  artifacts: (facts) =>
    facts.tests.flatMap((test) => [
      ...(test.screenshot ? [test.screenshot] : []),
      ...(test.trace ? [test.trace] : []),
    ]),
  statusColumn: {
    header: 'Check',
    position: 3,
    cell: (facts) => {
      const failed = facts.tests.filter((test) => test.status === 'failed' || test.status === 'timedOut');
      const links = failed
        .slice(0, 3)
        // The trace is not linked here: it is served only with the API token.
        .flatMap((test) =>
          test.screenshot ? [`<a href="${escapeHtml(test.screenshot)}">screenshot</a>`] : [],
        );
      return {
        html: `${facts.passed}/${facts.passed + facts.failed} tests passed${links.length ? ` ${links.join(' ')}` : ''}`,
        warn: facts.failed > 0,
      };
    },
  },
});
