/**
 * Security and certificate rules read security and certificate facts, never availability
 * (issue 15: a refused connect or a 500 paged as a "security breach", a closed port 443 as
 * "certificate invalid"). Real probes against loopback servers; the signal's value from each.
 */
import { describe, expect, it } from 'vitest';
import type { ProbeResult } from '../../src/model/probe.js';
import { ProbeHistory } from '../../src/results/history.js';
import { computeSignal } from '../../src/rules/signals.js';
import { days, makeCa, makeLeaf, writeCaFile } from '../helpers/certs.js';
import { probe } from '../helpers/probe.js';
import { refusedPort, withHttpServer, withHttpsServer } from '../helpers/servers.js';

function signal(name: string, result: ProbeResult): number | undefined {
  const history = new ProbeHistory(16);
  history.record(result);
  return computeSignal(name, { history, now: Date.now(), windowMs: 60_000, minSamples: 1 });
}

describe('cert_invalid', () => {
  it('is 1 for a rejected certificate, 0 for a good one, and no data when nothing answers', async () => {
    const ca = await makeCa();
    const expired = await withHttpsServer(
      await makeLeaf({ ca, notBefore: days(-60), notAfter: days(-1) }),
      (_req, res) => res.end(),
    );
    const good = await withHttpsServer(await makeLeaf({ ca }), (_req, res) => res.end());
    const tls = { ca_file: writeCaFile(ca) };
    const rejected = await probe({ kind: 'tls', target: `127.0.0.1:${expired.port}`, tls });
    expect(rejected.failure?.code).toBe('tls_error');
    expect(signal('cert_invalid', rejected)).toBe(1);
    expect(signal('cert_invalid', await probe({ kind: 'tls', target: `127.0.0.1:${good.port}`, tls }))).toBe(
      0,
    );
    const refused = await probe({ kind: 'tls', target: `127.0.0.1:${await refusedPort()}`, tls });
    expect(refused.failure?.code).toBe('connect_refused');
    expect(signal('cert_invalid', refused)).toBeUndefined();
    expect(signal('up', refused)).toBe(0); // ProbeDown and CertificateCheckFailing still see it
  });
});

describe('security_policy_failed', () => {
  it('is 1 below the policy, 0 when it holds, and no data for a refused connect or a 500', async () => {
    const bare = await withHttpServer((_req, res) =>
      res.writeHead(200, { 'content-type': 'text/html' }).end('<p>hi'),
    );
    const broken = await withHttpServer((_req, res) => res.writeHead(500).end());
    const below = await probe({ kind: 'security_headers', url: bare.url, min_grade: 'A' });
    expect(below.failure?.code).toBe('security_policy');
    expect(signal('security_policy_failed', below)).toBe(1);
    const lenient = await probe({ kind: 'security_headers', url: bare.url, min_grade: 'F' });
    expect(lenient.ok).toBe(true);
    expect(signal('security_policy_failed', lenient)).toBe(0);
    const down = await probe({ kind: 'security_headers', url: `http://127.0.0.1:${await refusedPort()}/` });
    expect(signal('security_policy_failed', down)).toBeUndefined();
    const erroring = await probe({ kind: 'security_headers', url: broken.url, min_grade: 'A' });
    expect(erroring.failure?.code).toBe('status_mismatch');
    expect(signal('security_policy_failed', erroring)).toBeUndefined();
  });
});
