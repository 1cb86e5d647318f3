/**
 * Issue 15's acceptance, the run with sink outages: the SMTP server is down while the error burst
 * pages and the webhook while the outage does. Each notice still arrives exactly once per channel,
 * after its sink is back; the channel that stayed up is on time; nothing else is sent.
 */
import { describe, it } from 'vitest';
import { expectAcceptance, runPagesScenario } from '../helpers/pages-scenario.js';

describe('what pages when, with receivers down', () => {
  it('delays a notice while its sink is down, never loses or repeats one', async () => {
    const run = await runPagesScenario({ outages: true, detectionPhases: false });
    expectAcceptance('Paging scenario with sink outages', run, { early: false });
  }, 420_000);
});
