/** The `security` facts section: an Observatory-style grade of a response's security headers. */
import { escapeLabelValue } from '../../util/exposition.js';
import { escapeHtml } from '../../util/html.js';
import { defineFacts } from '../definition.js';
import { gauge, infoGauge } from '../families.js';

export interface SecurityFacts {
  readonly score: number;
  readonly grade: string;
  readonly algorithmVersion: number;
  readonly passed: number;
  readonly failed: number;
  readonly notEvaluated: number;
  readonly results: ReadonlyArray<{
    readonly test: string;
    readonly result: string;
    readonly modifier: number;
    readonly pass: boolean | undefined;
  }>;
  /** Headers that disclose implementation details (OWASP); findings, not scored. */
  readonly disclosing: readonly string[];
  /**
   * Risks reported outside the score, where the live Observatory's grade does not see them
   * (cors-any-origin-with-credentials: the preflight echoes any Origin and allows credentials).
   */
  readonly findings: readonly string[];
  readonly url: string;
}

declare module '../../model/probe.js' {
  interface ProbeFacts {
    security?: SecurityFacts;
  }
}

export const securityFacts = defineFacts({
  key: 'security',
  families: [
    gauge<SecurityFacts>(
      'prismwatch_security_score',
      'Security headers score, as the MDN HTTP Observatory computes it.',
      (security) => security.score,
    ),
    infoGauge<SecurityFacts>(
      'prismwatch_security_grade_info',
      'Security headers grade (A+ … F), as a label.',
      'grade',
      (security) => security.grade,
    ),
    gauge<SecurityFacts>(
      'prismwatch_security_findings',
      'Security risks prismwatch reports outside the Observatory score (a CORS preflight that echoes any Origin with credentials); 0 when none.',
      (security) => security.findings.length,
    ),
    {
      name: 'prismwatch_security_test_pass',
      type: 'gauge',
      help: 'Whether each Observatory test passed (1) or failed (0); the outcome is the result label. Tests not evaluated are absent.',
      lines: (labels, security) => {
        let out = '';
        for (const test of security.results) {
          if (test.pass === undefined) continue;
          out += `prismwatch_security_test_pass{${labels},test="${escapeLabelValue(test.test)}",result="${escapeLabelValue(test.result)}"} ${test.pass ? 1 : 0}\n`;
        }
        return out;
      },
    },
  ],
  signals: [
    {
      // 1 when the grade or a header policy failed, 0 when it held; no data when the page could
      // not be graded (refused, 5xx): those are the site's availability, not its security.
      name: 'security_policy_failed',
      read: (_security, _now, result) => (result.failure?.code === 'security_policy' ? 1 : 0),
      promql: (selector) =>
        `((1 - probe_success${selector}) and on (probe) prismwatch_security_score${selector})`,
    },
    {
      // How many risks outside the score the last run found (0 or more): a rule can page on one
      // the grade does not count.
      name: 'security_finding',
      read: (security) => security.findings.length,
      promql: (selector) => `prismwatch_security_findings${selector}`,
    },
    {
      name: 'security_score',
      read: (security) => security.score,
      promql: (selector) => `prismwatch_security_score${selector}`,
    },
  ],
  report: (security, out) => {
    out.row(
      'grade',
      `${security.grade} (${security.score}), ${security.passed} passed, ${security.failed} failed, ${security.notEvaluated} not evaluated (Observatory v${security.algorithmVersion})`,
    );
    for (const test of security.results) {
      const mark = test.pass === undefined ? '·' : test.pass ? '✓' : '✗';
      out.raw(
        `    ${mark} ${test.test.padEnd(32)} ${test.result} (${test.modifier >= 0 ? '+' : ''}${test.modifier})`,
      );
    }
    if (security.disclosing.length > 0) out.row('discloses', security.disclosing.join(', '));
    if (security.findings.length > 0)
      out.row('findings', `${security.findings.join(', ')} (outside the score)`);
  },
  evidence: (security, measures) => {
    measures.security_grade = security.grade;
    measures.security_score = security.score;
    const findings =
      security.findings.length > 0 ? `; finding outside the score: ${security.findings.join(', ')}` : '';
    return `grade ${security.grade} (score ${security.score}, ${security.passed} tests passed)${findings}`;
  },
  statusColumn: {
    header: 'Security',
    position: 1,
    cell: (security) => ({
      ...(security.findings.length > 0 ? { warn: true } : {}),
      html: `<span class="grade g-${escapeHtml(security.grade.replace('+', 'plus').replace('-', 'minus'))}">${escapeHtml(security.grade)}</span>${security.findings.map((finding) => ` <span class="finding" title="outside the Observatory score">⚠ ${escapeHtml(finding)}</span>`).join('')}`,
    }),
  },
});
