/**
 * The icmp kind: iputils ping's output read into loss and round trips (and never thrown on,
 * whatever it says), real echo bursts to 127.0.0.1 and ::1, and across a link in network
 * namespaces that the test cuts: replies, then none.
 */
import { spawnSync } from 'node:child_process';
import { chmodSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { parsePingOutput, rttSummary } from '../../src/probers/icmp/ping-output.js';
import { fuzz, runs } from '../fuzz/budget.js';
import { runCli } from '../helpers/cli.js';
import { makeLocations, netnsAvailable } from '../helpers/netns.js';
import { probe } from '../helpers/probe.js';

const pingAvailable = spawnSync('ping', ['-V']).status === 0;

const OUTPUT = `PING 127.0.0.1 (127.0.0.1) 56(84) bytes of data.
64 bytes from 127.0.0.1: icmp_seq=1 ttl=64 time=0.074 ms
64 bytes from 127.0.0.1: icmp_seq=2 ttl=64 time=0.051 ms
64 bytes from 127.0.0.1: icmp_seq=2 ttl=64 time=0.090 ms (DUP!)
64 bytes from 127.0.0.1: icmp_seq=4 ttl=63 time=0.151 ms

--- 127.0.0.1 ping statistics ---
4 packets transmitted, 3 received, +1 duplicates, 25% packet loss, time 604ms
rtt min/avg/max/mdev = 0.051/0.092/0.151/0.044 ms
`;

describe('ping output', () => {
  it('reads replies, loss and hop limit; a duplicate reply is not a round trip', () => {
    const stats = parsePingOutput(OUTPUT)!;
    expect(stats).toEqual({ sent: 4, received: 3, rttsMs: [0.074, 0.051, 0.151], hopLimit: 63 });
    const rtt = rttSummary(stats.rttsMs)!;
    expect(rtt.minMs).toBe(0.051);
    expect(rtt.maxMs).toBe(0.151);
    expect(rtt.avgMs).toBeCloseTo(0.092, 3);
    expect(rtt.jitterMs).toBeCloseTo((0.023 + 0.1) / 2, 6);
    expect(parsePingOutput('ping: connect: Network is unreachable\n')).toBeUndefined();
    expect(
      parsePingOutput(
        'PING ::1(::1) 56 data bytes\n64 bytes from ::1: icmp_seq=1 ttl=64 time=0.090 ms\n\n1 packets transmitted, 1 received, 0% packet loss, time 0ms\n',
      ),
    ).toEqual({ sent: 1, received: 1, rttsMs: [0.09], hopLimit: 64 });
  });

  it('fuzz: any output is stats with received ≤ sent, or nothing', async () => {
    const line = fc.oneof(
      fc.string({ maxLength: 80 }),
      fc.constantFrom(...OUTPUT.split('\n')),
      fc
        .tuple(fc.nat(), fc.nat())
        .map(([sent, received]) => `${sent} packets transmitted, ${received} received`),
    );
    await fuzz(
      'ping output',
      fc.property(fc.array(line, { maxLength: 12 }), (lines) => {
        const stats = parsePingOutput(lines.join('\n'));
        if (stats) {
          expect(stats.received).toBeLessThanOrEqual(stats.sent);
          for (const rtt of stats.rttsMs) expect(Number.isFinite(rtt)).toBe(true);
        }
      }),
      runs(500),
    );
  });
});

describe('icmp prober', () => {
  it('is installed in CI (iputils-ping)', () => {
    if (process.env.CI === 'true')
      expect(pingAvailable, 'ping is missing: .ci/run must install iputils-ping').toBe(true);
  });

  it.runIf(pingAvailable)('pings 127.0.0.1 and ::1: every reply, round trips and hop limit', async () => {
    for (const target of ['127.0.0.1', '::1']) {
      const result = await probe({ kind: 'icmp', target, count: 3, timeout: '10s' });
      expect(result.failure).toBeUndefined();
      expect(result.facts.icmp).toMatchObject({ address: target, sent: 3, received: 3, lossRatio: 0 });
      expect(result.facts.icmp!.rttAvgMs).toBeGreaterThan(0);
      expect(result.facts.icmp!.hopLimit).toBeGreaterThan(0);
    }
  });

  it('says what is missing when ping is not there', async () => {
    const result = await runCli(['probe', '--kind', 'icmp', '127.0.0.1'], {
      PRISMWATCH_PING: '/nonexistent/ping',
    });
    expect(result.code).not.toBe(0);
    expect(result.stdout).toContain(
      'icmp_unavailable: ping is not installed (/nonexistent/ping): apt-get install iputils-ping',
    );
  });

  it.runIf(netnsAvailable && pingAvailable)(
    'across a routed link in network namespaces: replies while it is up, icmp_no_reply once it is cut',
    async () => {
      const { locations, setLink, sharedTargetAddress } = makeLocations(1);
      // The probe's ping runs in the location's namespace, as a prismwatch there would.
      const wrapper = join(mkdtempSync(join(tmpdir(), 'prismwatch-ping-')), 'ping');
      writeFileSync(wrapper, `#!/bin/sh\nexec ip netns exec ${locations[0]!.netns} ping "$@"\n`);
      chmodSync(wrapper, 0o755);
      const ping = (args: string[]) =>
        runCli(
          ['probe', '--kind', 'icmp', '--json', '-t', '5s', '--count', '3', sharedTargetAddress, ...args],
          {
            PRISMWATCH_PING: wrapper,
          },
        );
      const up = JSON.parse((await ping([])).stdout);
      expect(up.ok).toBe(true);
      // The target namespace answers from its loopback address, routed over the link.
      expect(up.facts.icmp).toMatchObject({ received: 3, hopLimit: 64 });
      setLink(0, false);
      const cut = JSON.parse((await ping([])).stdout);
      expect(cut.ok).toBe(false);
      expect(cut.failure).toMatchObject({ code: 'icmp_no_reply' });
      expect(cut.facts.icmp).toMatchObject({ received: 0, lossRatio: 1 });
    },
    60_000,
  );
});
