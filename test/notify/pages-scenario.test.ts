/**
 * Issue 15's acceptance: the shipped rules and routing, time-scaled, through every incident of the
 * checklist (helpers/pages-scenario.ts). Exactly the expected notices, once per receiver and
 * channel, each within the delay `prismwatch rules pages` documents (+ 5 s), each naming its reason.
 */
import { describe, expect, it } from 'vitest';
import { expectAcceptance, runPagesScenario } from '../helpers/pages-scenario.js';

describe('what pages when, run', () => {
  it('pages once per incident, on time, with the reason, and nothing else', async () => {
    const run = await runPagesScenario({ outages: false, detectionPhases: true });
    expectAcceptance('Paging scenario', run, { early: true });
    expect([...run.mutedFiring].sort()).toEqual(
      ['CertificateCheckFailing', 'CertificateExpiringSoon', 'HealthCheckFailing', 'HighErrorRate'].sort(),
    );
  }, 420_000);
});
