/** Route matching, inheritance, inhibition and the routing sections' config errors. */
import { beforeEach, describe, expect, it } from 'vitest';
import { ConfigError } from '../../src/errors.js';
import { matches, parseMatcher } from '../../src/model/matchers.js';
import { Inhibitor } from '../../src/muting/inhibit.js';
import { matchRoutes } from '../../src/notify/routing/route.js';
import { runCli } from '../helpers/cli.js';
import { configDir } from '../helpers/config-dir.js';
import { routingConfig } from '../helpers/notifier.js';

const tree = `
route:
  receiver: default
  group_by: [alertname]
  group_wait: 5s
  routes:
    - receiver: audit
      continue: true
    - receiver: pager
      matchers: ['severity="critical"']
      group_wait: 1s
      routes:
        - receiver: db-team
          matchers: ['probe=~"(postgres|mysql)-.*"']
    - receiver: team
      matchers: ['severity!="critical"']
receivers:
  - name: default
  - name: audit
  - name: pager
  - name: db-team
  - name: team
`;

describe('matchers', () => {
  it('parses Alertmanager matchers, anchors regexes, and reads a missing label as ""', () => {
    const regex = parseMatcher('severity=~"crit"');
    expect(typeof regex).toBe('object');
    expect(matches(regex as never, { severity: 'critical' })).toBe(false);
    expect(matches(parseMatcher('severity=~"crit.*"') as never, { severity: 'critical' })).toBe(true);
    expect(matches(parseMatcher('team!="ops"') as never, {})).toBe(true);
    expect(matches(parseMatcher('probe=api') as never, { probe: 'api' })).toBe(true);
    expect(parseMatcher('severity')).toMatch(/expected a matcher/);
    expect(parseMatcher('probe=~"("')).toMatch(/regular expression/);
  });
});

describe('route tree', () => {
  let notify: ReturnType<typeof routingConfig>['notify'];
  beforeEach(() => {
    notify = routingConfig(tree).notify;
  });

  it('follows continue, takes the first matching child, and descends into nested routes', () => {
    const receivers = (labels: Record<string, string>) =>
      matchRoutes(notify.route, labels).map((route) => route.receiver);
    expect(receivers({ severity: 'critical', probe: 'api' })).toEqual(['audit', 'pager']);
    expect(receivers({ severity: 'critical', probe: 'postgres-main' })).toEqual(['audit', 'db-team']);
    expect(receivers({ severity: 'warning', probe: 'api' })).toEqual(['audit', 'team']);
  });

  it('inherits group_by and timers from the parent, with Alertmanager defaults at the root', () => {
    const [, dbTeam] = matchRoutes(notify.route, { severity: 'critical', probe: 'mysql-1' });
    expect(dbTeam).toMatchObject({
      groupBy: ['alertname'],
      groupWaitMs: 1_000,
      groupIntervalMs: 300_000,
      repeatIntervalMs: 14_400_000,
    });
    expect(dbTeam!.id).toBe('{}/{severity="critical"}/{probe=~"(postgres|mysql)-.*"}');
  });

  it('an inhibitor never lets an alert mute itself, and needs equal labels to match', () => {
    const rules = [
      {
        source: [parseMatcher('severity="critical"') as never],
        target: [parseMatcher('severity=~".+"') as never],
        equal: ['probe'],
        muteAftermath: true,
      },
    ];
    const critical = { fingerprint: 'c', labels: { severity: 'critical', probe: 'a' } };
    const inhibitor = new Inhibitor(rules, [critical]);
    expect(inhibitor.inhibitedBy(critical)).toBeUndefined();
    expect(
      inhibitor.inhibitedBy({ fingerprint: 'w', labels: { severity: 'warning', probe: 'a' } }),
    ).toBeDefined();
    expect(
      inhibitor.inhibitedBy({ fingerprint: 'x', labels: { severity: 'warning', probe: 'b' } }),
    ).toBeUndefined();
  });
});

describe('routing config errors', () => {
  const issuesOf = (yaml: string) => {
    try {
      routingConfig(yaml);
      return [];
    } catch (error) {
      if (!(error instanceof ConfigError)) throw error;
      return error.issues.map((issue) => `${issue.line}:${issue.column} ${issue.path}: ${issue.message}`);
    }
  };

  it('names the line and key of a route to a receiver that does not exist', () => {
    expect(
      issuesOf(
        'route:\n  receiver: log\n  routes:\n    - receiver: pagr\nreceivers:\n  - name: log\n  - name: pager\n',
      ),
    ).toEqual(['4:17 route.routes[0].receiver: expected one of the receivers log, pager, got "pagr"']);
  });

  it('names escalation steps that would tell nobody new, or name no receiver', () => {
    expect(
      issuesOf(`route:
  receiver: primary
  escalate:
    - { after: 10m, receiver: primary }
    - { after: 20m, receiver: secondary }
    - { after: 30m, receiver: secondary }
    - { after: 40m, receiver: nobody }
    - { after: 10ms, receiver: manager }
receivers: [{ name: primary }, { name: secondary }, { name: manager }]
`),
    ).toEqual(['8:16 route.escalate[4].after: expected a duration of at least 1s, got "10ms"']);
    expect(
      issuesOf(`route:
  receiver: primary
  escalate:
    - { after: 10m, receiver: primary }
    - { after: 20m, receiver: secondary }
    - { after: 30m, receiver: secondary }
    - { after: 40m, receiver: nobody }
receivers: [{ name: primary }, { name: secondary }]
`),
    ).toEqual([
      '4:31 route.escalate[0].receiver: expected a receiver other than the route\'s own ("primary")',
      '6:31 route.escalate[2].receiver: "secondary" is already an earlier escalation step',
      '7:31 route.escalate[3].receiver: expected one of the receivers primary, secondary, got "nobody"',
    ]);
  });

  it('suggests the key meant by a typo in a receiver integration', () => {
    const issues = issuesOf(
      'route:\n  receiver: hooks\nreceivers:\n  - name: hooks\n    webhook_configs:\n      - url: http://127.0.0.1:9/x\n        signing_secrt: x\n',
    );
    expect(issues, issues.join('\n')).toHaveLength(1);
    expect(issues[0]).toMatch(
      /^7:9 receivers\[0\]\.webhook_configs\[0\]\.signing_secrt: .*did you mean "signing_secret"/,
    );
  });

  it('rejects a bad matcher, a duplicate receiver, a second route and matchers on the root', () => {
    const dir = configDir();
    dir.write(
      'a.yaml',
      'route:\n  receiver: x\n  matchers: [\'a="b"\']\nreceivers:\n  - name: x\n  - name: x\n',
    );
    dir.write(
      'b.yaml',
      "route:\n  receiver: x\ninhibit_rules:\n  - source_matchers: ['severity']\n    target_matchers: ['a=\"b\"']\n",
    );
    return runCli(['check', dir.path]).then((result) => {
      expect(result.code).toBe(1);
      expect(result.stderr).toContain('a.yaml:6:11 receivers[1].name: duplicate receiver name "x"');
      expect(result.stderr).toContain('b.yaml:2:3 route: expected one `route` across all files');
      expect(result.stderr).toContain('a.yaml:3:13 route.matchers: expected no matchers on the root route');
      expect(result.stderr).toMatch(
        /b\.yaml:4:23 inhibit_rules\[0\]\.source_matchers\[0\]: expected a matcher/,
      );
    });
  });
});

describe('prismwatch routes test', () => {
  it('prints the receivers of the shipped routing, like amtool config routes test', async () => {
    expect((await runCli(['routes', 'test', 'severity=critical', 'probe=api'])).stdout).toBe('log,pager\n');
    expect((await runCli(['routes', 'test', 'severity=warning', 'probe=api'])).stdout).toBe('log,team\n');
    const verbose = await runCli(['routes', 'test', '--verbose', 'severity=critical']);
    expect(verbose.stdout).toContain('pager  ← route {}/{severity="critical"}');
    expect(verbose.stdout).toContain('pager/webhook/0  (switched off: url is empty)');
    // Time intervals are part of how a route notifies: -v shows them by name.
    const dir = configDir();
    dir.write(
      'r.yaml',
      `time_intervals:
  - { name: deploys, time_intervals: [{ weekdays: [wednesday] }] }
route:
  receiver: log
  routes: [{ receiver: log, matchers: ['probe="api"'], mute_time_intervals: [deploys] }]
receivers: [{ name: log, log_configs: [{}] }]
`,
    );
    const timed = await runCli(['routes', 'test', '-v', '-c', dir.path, 'probe=api']);
    expect(timed.stdout).toContain('mute_time_intervals [deploys]');
    // Escalation steps are part of how a route pages: -v shows each and its receiver's integrations.
    dir.write(
      'r.yaml',
      `route:
  receiver: log
  routes:
    - receiver: primary
      matchers: ['severity="critical"']
      escalate: [{ after: 30m, receiver: manager }, { after: 10m, receiver: secondary }]
receivers:
  - { name: log, log_configs: [{}] }
  - { name: primary, log_configs: [{}] }
  - { name: secondary, webhook_configs: [{ url: "http://127.0.0.1:9/hook" }] }
  - { name: manager, log_configs: [{}] }
`,
    );
    const escalating = await runCli(['routes', 'test', '-v', '-c', dir.path, 'severity=critical']);
    expect(escalating.stdout).toContain(
      '  primary/log/0\n  escalate after 10m unacknowledged → secondary\n    secondary/webhook/0\n  escalate after 30m unacknowledged → manager\n    manager/log/0\n',
    );
    const bad = await runCli(['routes', 'test', 'severity']);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain('expected labels as name=value');
  });
});
