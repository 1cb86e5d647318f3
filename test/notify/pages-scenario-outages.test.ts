/**
 * Issue 15's acceptance, the run with sink outages: the SMTP server is down while the error burst
 * pages and the webhook while the outage does. Each notice still arrives exactly once per channel,
 * after its sink is back; the channel that stayed up is on time; nothing else is sent.
 */
import { describe, expect, it } from 'vitest';
import { assess, report, runPagesScenario } from '../helpers/pages-scenario.js';

describe('what pages when, with receivers down', () => {
  it('delays a notice while its sink is down, never loses or repeats one', async () => {
    const run = await runPagesScenario({ outages: true, detectionPhases: false });
    const assessment = assess(run);
    console.log(report('Paging scenario with sink outages', run, assessment));
    expect(assessment.unexpected).toEqual([]);
    expect(assessment.duplicates).toBe(0);
    expect(assessment.recall).toBe(1);
    for (const notice of assessment.notices) {
      expect.soft(notice, `${notice.alert} ${notice.channel} ${notice.status}`).toMatchObject({
        count: 1,
        late: false,
        wrongProbes: false,
        reasonless: false,
      });
    }
  }, 420_000);
});
