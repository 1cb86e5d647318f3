/** The `multi_http` facts section: each step of the last run, and what is shown of it. */
import { PHASES, type Phase } from '../../model/failure.js';
import { escapeLabelValue, formatValue } from '../../util/exposition.js';
import { escapeHtml } from '../../util/html.js';
import { defineFacts } from '../definition.js';
import { gaugePer } from '../families.js';

export interface StepFacts {
  readonly name: string;
  readonly method: string;
  /** The URL as configured (references unfilled, secrets redacted): never a run's token. */
  readonly url: string;
  /** `skipped`: an earlier step failed, so this one was not sent. */
  readonly outcome: 'passed' | 'failed' | 'skipped';
  /** Of the last response received; 0 when none came. */
  readonly statusCode: number;
  readonly durationMs: number;
  readonly phases: Readonly<Record<Phase, number>>;
  readonly redirects: number;
  /** Why it failed (extracted values scrubbed). */
  readonly failure?: string;
}

export interface MultiHttpFacts {
  readonly steps: readonly StepFacts[];
  /** The step that failed, when one did. */
  readonly failedStep?: string;
}

declare module '../../model/probe.js' {
  interface ProbeFacts {
    multiHttp?: MultiHttpFacts;
  }
}

const ran = (flow: MultiHttpFacts) => flow.steps.filter((step) => step.outcome !== 'skipped');

export const multiHttpFacts = defineFacts({
  key: 'multiHttp',
  families: [
    gaugePer<MultiHttpFacts, StepFacts>(
      'probe_multi_http_step_success',
      'Whether each step of the last run passed (1) or failed (0); steps not reached have no sample.',
      ran,
      (step) => ['step', step.name],
      (step) => (step.outcome === 'passed' ? 1 : 0),
    ),
    gaugePer<MultiHttpFacts, StepFacts>(
      'probe_multi_http_step_status_code',
      'HTTP status code of the last response of each step run (0 when none came).',
      ran,
      (step) => ['step', step.name],
      (step) => step.statusCode,
    ),
    {
      name: 'probe_multi_http_step_duration_seconds',
      type: 'gauge',
      help: 'Duration of each HTTP phase of each step run, summed over its redirects.',
      lines: (labels, flow) => {
        let out = '';
        for (const step of ran(flow)) {
          const stepLabel = escapeLabelValue(step.name);
          for (const phase of PHASES) {
            out += `probe_multi_http_step_duration_seconds{${labels},step="${stepLabel}",phase="${phase}"} ${formatValue(step.phases[phase] / 1000)}\n`;
          }
        }
        return out;
      },
    },
  ],
  signals: [
    {
      // 1 when a step failed, 0 when every step passed: "which" is in the alert's evidence.
      name: 'step_failed',
      read: (flow) => (flow.failedStep === undefined ? 0 : 1),
      promql: (selector) => `1 - min without (step) (probe_multi_http_step_success${selector})`,
    },
  ],
  report: (flow, out) => {
    for (const step of flow.steps) {
      const head = `${step.method} ${step.url}`;
      if (step.outcome === 'skipped') {
        out.row(`step ${step.name}`, `${head}: not run (an earlier step failed)`);
        continue;
      }
      const status = step.statusCode > 0 ? `${step.statusCode}` : 'no response';
      const redirects = step.redirects > 0 ? `, ${step.redirects} redirect(s)` : '';
      const verdict = step.outcome === 'passed' ? 'ok' : `FAILED: ${step.failure ?? 'unknown'}`;
      out.row(
        `step ${step.name}`,
        `${head} → ${status} in ${Math.round(step.durationMs)} ms${redirects}, ${verdict}`,
      );
    }
  },
  evidence: (flow) => {
    const passed = flow.steps.filter((step) => step.outcome === 'passed').length;
    return flow.failedStep === undefined
      ? `all ${flow.steps.length} steps passed`
      : `step ${flow.failedStep} failed (${passed} of ${flow.steps.length} passed)`;
  },
  statusColumn: {
    header: 'Check',
    position: 3,
    cell: (flow) => {
      const passed = flow.steps.filter((step) => step.outcome === 'passed').length;
      const failed = flow.failedStep === undefined ? '' : ` ✗ ${escapeHtml(flow.failedStep)}`;
      return {
        html: `${passed}/${flow.steps.length} steps${failed}`,
        warn: flow.failedStep !== undefined,
      };
    },
  },
});
