/**
 * Path evidence: traceroute's output read into hops and said in a line (and never thrown on), and
 * end to end — a probe whose target sits behind a router in network namespaces goes down when the
 * test cuts the router's link to it, and the incident and the alert say where the path stops.
 */
import { spawnSync } from 'node:child_process';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { describePath, parseTraceroute } from '../../src/diagnostics/traceroute.js';
import { fuzz, runs } from '../fuzz/budget.js';
import { startCli } from '../helpers/cli.js';
import { configDir } from '../helpers/config-dir.js';
import { eventually } from '../helpers/metrics.js';
import { makeRoutedTarget, netnsAvailable } from '../helpers/netns.js';

const tracerouteAvailable = spawnSync('traceroute', ['--version']).status === 0;
const pingAvailable = spawnSync('ping', ['-V']).status === 0;

describe('traceroute output', () => {
  it('reads hops and says where the path stops or that it arrives', () => {
    const stopped = parseTraceroute(
      'traceroute to 10.9.2.2 (10.9.2.2), 16 hops max, 60 byte packets\n 1  10.9.1.2  0.061 ms\n 2  10.9.1.2  0.050 ms !N\n',
    );
    expect(stopped).toEqual([
      { hop: 1, address: '10.9.1.2' },
      { hop: 2, address: '10.9.1.2' },
    ]);
    expect(describePath(stopped, '10.9.2.2')).toBe('path stops after hop 2, 10.9.1.2');
    const silent = parseTraceroute(' 1  10.0.0.1  1.2 ms\n 2  *\n 3  *\n');
    expect(describePath(silent, '10.9.2.2')).toBe('path stops after hop 1, 10.0.0.1');
    expect(describePath(parseTraceroute(' 1  10.0.0.1  1 ms\n 2  10.9.2.2  2 ms\n'), '10.9.2.2')).toBe(
      'path reaches 10.9.2.2 in 2 hops',
    );
    expect(describePath(parseTraceroute(' 1  *\n'), '10.9.2.2')).toBe('no hop towards 10.9.2.2 answered');
  });

  it('fuzz: any output is hops numbered 1 to 255, or none', async () => {
    await fuzz(
      'traceroute output',
      fc.property(
        fc.array(
          fc.oneof(fc.string({ maxLength: 60 }), fc.constantFrom(' 1  10.0.0.1  1 ms', ' 2  *', ' 999  x')),
          { maxLength: 10 },
        ),
        (lines) => {
          for (const hop of parseTraceroute(lines.join('\n'))) {
            expect(hop.hop).toBeGreaterThanOrEqual(1);
            expect(hop.hop).toBeLessThanOrEqual(255);
          }
        },
      ),
      runs(500),
    );
  });

  it('is installed in CI (traceroute)', () => {
    if (process.env.CI === 'true')
      expect(tracerouteAvailable, 'traceroute is missing: .ci/run must install it').toBe(true);
  });
});

describe('path evidence through a daemon', () => {
  it.runIf(netnsAvailable && tracerouteAvailable && pingAvailable)(
    'a target whose router loses its link: the incident says the path stops at the router',
    async () => {
      const routed = makeRoutedTarget();
      const dir = configDir();
      dir.write(
        'c.yaml',
        `probes:
  - { name: behind-router, kind: icmp, target: ${routed.address}, count: 1, interval: 2s, timeout: 1500ms }
rules:
  - { alert: TargetUnreachable, severity: critical, signal: up, op: '==', threshold: 0 }
`,
      );
      const daemon = await startCli(['--config', dir.path, '--rules.evaluation-interval', '200ms']);
      const status = async () =>
        (await (await fetch(`${daemon.baseUrl}/api/v1/probes`)).json()) as Array<{
          name: string;
          state: string;
        }>;
      await eventually(async () => (await status())[0]?.state === 'up');
      routed.setTargetLink(false);
      const incident = await eventually(async () => {
        const { incidents } = (await (await fetch(`${daemon.baseUrl}/api/v1/incidents`)).json()) as {
          incidents: Array<{ reason: string }>;
        };
        return incidents.find((entry) => entry.reason.includes('path stops'));
      });
      console.log(`incident: ${incident.reason}`);
      expect(incident.reason).toContain(`(path stops after hop`);
      expect(incident.reason).toContain(routed.router);
      expect(incident.reason).toMatch(/^icmp_no_reply: /);
      const alerts = (await (await fetch(`${daemon.baseUrl}/api/v1/alerts`)).json()) as unknown;
      expect(JSON.stringify(alerts)).toContain(`"path":"path stops after hop`);
    },
    120_000,
  );
});
