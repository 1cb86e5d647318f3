/**
 * The jira receiver against a loopback Jira: one issue per incident, found again by its label;
 * comments and the resolve transition; a create whose answer was lost never makes a second
 * issue; a refused token is final.
 */
import { describe, expect, it } from 'vitest';
import { rejectedForGood, routeTo } from '../helpers/channel-contract.js';
import { eventually } from '../helpers/metrics.js';
import { alertFor, resolved, startNotifier } from '../helpers/notifier.js';
import { jiraStandIn } from '../helpers/vendor-standins.js';

const AUTH = `Basic ${Buffer.from('ops@example.test:jira-token').toString('base64')}`;
const jira = (url: string, token = 'jira-token') =>
  `jira_configs: [{ api_url: "${url}", user: ops@example.test, api_token: ${token}, project: OPS, labels: [prod], resolve_transition: Done, timeout: 2s }]`;

describe('jira receiver', () => {
  it('opens one issue per incident, comments on resolution and moves it to Done; a new incident opens a new one', async () => {
    const site = await jiraStandIn(AUTH);
    const { evaluate } = startNotifier(routeTo(jira(site.url)));
    const alert = alertFor();
    evaluate([alert]);
    await eventually(() => site.issues.length === 1);
    const issue = site.issues[0]!;
    expect(issue.fields.summary).toMatch(/^\[FIRING:1\] HighErrorRate/);
    expect(issue.fields.labels).toEqual([expect.stringMatching(/^prismwatch-[0-9a-f]{24}$/), 'prod']);
    evaluate([resolved(alert)]);
    await eventually(() => issue.done);
    expect(issue.comments).toHaveLength(1);
    expect(issue.comments[0]).toContain('RESOLVED');
    // The same group fires again later: its old issue is done, so a new incident has its own.
    evaluate([alertFor({ firedAt: Date.now() })]);
    await eventually(() => site.issues.length === 2);
    expect(site.problems).toEqual([]);
  });

  it('a create whose answer was lost is found again on the retry: still one issue', async () => {
    const site = await jiraStandIn(AUTH);
    site.lostAnswers = 1;
    const { evaluate } = startNotifier(routeTo(jira(site.url)));
    evaluate([alertFor()]);
    await eventually(() => site.issues.length === 1 && site.issues[0]!.comments.length === 1);
    expect(site.issues).toHaveLength(1);
    expect(site.problems).toEqual([]);
  });

  it('does not retry a refused token, and says so', async () => {
    const site = await jiraStandIn('Basic other');
    await rejectedForGood(site, jira(site.url), 'Jira refused: auth: invalid');
  });
});
