/**
 * Quorum across locations, as exported rules in Debian's promtool: three locations report
 * probe_success for one target. One location failing alone is a ProbeLocationDegraded warning
 * about that location; two failing is the ProbeDown page (and no warning); all up is nothing.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { stringify } from 'yaml';
import { loadConfig } from '../../src/config/load.js';
import { exportPrometheusRules } from '../../src/rules/export.js';
import { configDir } from '../helpers/config-dir.js';

const available = spawnSync('promtool', ['--version']).status === 0;

function quorumConfig(ruleQuorum: string) {
  const dir = configDir();
  dir.write(
    'q.yaml',
    `probes:
  - { name: web, kind: http, url: "http://127.0.0.1:1/" }
rules:
  - { alert: ProbeDown, severity: critical, signal: up, op: '==', threshold: 0${ruleQuorum} }
  - { alert: SlowPage, severity: warning, signal: latency_p95, op: '>', threshold: 2s }
`,
  );
  return loadConfig([dir.path], {});
}

describe('quorum rules for several locations', () => {
  it('wraps critical rules in a count across locations, with a per-location warning; warnings stay as they are', () => {
    const config = quorumConfig('');
    const { yaml } = exportPrometheusRules(config.rules, config.probes, [], { quorum: 2 });
    expect(yaml).toContain(
      'expr: count without (location, instance) (max without (replica) (probe_success{probe!=""} == 0)) >= 2',
    );
    expect(yaml).toContain(
      'expr: max without (replica) (probe_success{probe!=""} == 0) unless on (probe) (count without (location, instance) (max without (replica) (probe_success{probe!=""} == 0)) >= 2)',
    );
    expect(yaml).not.toMatch(
      /count without \(location, instance\) \(max without \(replica\) \(histogram_quantile/,
    );
    // The rule's own key does the same without the flag.
    expect(exportPrometheusRules(quorumConfig(', quorum: 2').rules, config.probes).yaml).toContain('>= 2');
  });

  it.runIf(available)('page only when two of three locations agree (promtool test rules)', () => {
    const config = quorumConfig(', quorum: 2');
    const dir = mkdtempSync(join(tmpdir(), 'prismwatch-quorum-'));
    writeFileSync(join(dir, 'rules.yml'), exportPrometheusRules(config.rules, config.probes).yaml);
    // Minutes 0-4 all up; 5-9 location a down; 10-14 a and b down; 15-19 all up again.
    const series = (location: string, down: (minute: number) => boolean) => ({
      series: `probe_success{probe="web",kind="http",job="prismwatch",instance="${location}:9797",location="${location}"}`,
      values: Array.from({ length: 20 }, (_, minute) => (down(minute) ? 0 : 1)).join(' '),
    });
    const labels = { probe: 'web', kind: 'http', job: 'prismwatch' };
    const test = {
      rule_files: ['rules.yml'],
      evaluation_interval: '1m',
      tests: [
        {
          interval: '1m',
          input_series: [
            series('a', (m) => m >= 5 && m < 15),
            series('b', (m) => m >= 10 && m < 15),
            series('c', () => false),
          ],
          alert_rule_test: [
            { eval_time: '3m', alertname: 'ProbeDown', exp_alerts: [] },
            { eval_time: '3m', alertname: 'ProbeLocationDegraded', exp_alerts: [] },
            { eval_time: '7m', alertname: 'ProbeDown', exp_alerts: [] },
            {
              eval_time: '7m',
              alertname: 'ProbeLocationDegraded',
              exp_alerts: [
                {
                  exp_labels: {
                    ...labels,
                    instance: 'a:9797',
                    location: 'a',
                    severity: 'warning',
                    quorum_rule: 'ProbeDown',
                  },
                  exp_annotations: {
                    summary: 'web: ProbeDown seen from a only (fewer than 2 locations)',
                    description:
                      "Fewer than 2 locations see ProbeDown for web: most likely a's own network, not the target. It pages as ProbeDown when 2 locations agree.",
                  },
                },
              ],
            },
            {
              eval_time: '12m',
              alertname: 'ProbeDown',
              exp_alerts: [{ exp_labels: { ...labels, severity: 'critical' } }],
            },
            { eval_time: '12m', alertname: 'ProbeLocationDegraded', exp_alerts: [] },
            { eval_time: '17m', alertname: 'ProbeDown', exp_alerts: [] },
            { eval_time: '17m', alertname: 'ProbeLocationDegraded', exp_alerts: [] },
          ],
        },
      ],
    };
    writeFileSync(join(dir, 'test.yml'), stringify(test, { lineWidth: 0 }));
    const run = spawnSync('promtool', ['test', 'rules', join(dir, 'test.yml')], {
      encoding: 'utf8',
      cwd: dir,
    });
    expect(run.stdout + run.stderr).toContain('SUCCESS');
    expect(run.status).toBe(0);
  });

  it('is installed in CI', () => {
    if (process.env.CI === 'true')
      expect(available, 'promtool is missing: .ci/run must install prometheus').toBe(true);
  });
});
