/**
 * A probe's failure stays in its probe: errors thrown from the prober, the connector and the
 * result itself all end as failure `internal` (or a catalogue code) for that run, never as an
 * exception that reaches the process.
 */
import { describe, expect, it } from 'vitest';
import type { ProbeSpec } from '../../src/model/probe.js';
import { FAILURE_CODES } from '../../src/probers/index.js';
import { runProbe } from '../../src/probers/run-probe.js';
import { captureLog } from '../helpers/log.js';
import { specFrom } from '../helpers/probe.js';
import { withTcpServer } from '../helpers/servers.js';

async function run(spec: ProbeSpec) {
  const logs = captureLog('error');
  const result = await runProbe(spec, { log: logs.log });
  return { result, logs };
}

describe('the run boundary', () => {
  it('a prober handed settings it cannot read fails as internal, logged with its stack', async () => {
    const spec = { ...specFrom({ kind: 'http', url: 'http://127.0.0.1:1/' }), settings: {} };
    const { result, logs } = await run(spec);
    expect(result.failure?.code).toBe('internal');
    expect(logs.lines.some((line) => (line.err as { stack?: string })?.stack?.includes('at '))).toBe(true);
  });

  it('a kind with no prober fails as internal', async () => {
    const { result } = await run({ ...specFrom({ kind: 'http', url: 'http://127.0.0.1:1/' }), kind: 'nope' });
    expect(result.failure).toMatchObject({ code: 'internal', message: 'no prober for kind "nope"' });
  });

  it('a connector that throws while setting up TLS (a malformed key) settles the run', async () => {
    const target = await withTcpServer((socket) => socket.on('data', () => {}));
    const spec = specFrom({ kind: 'tls', target: `127.0.0.1:${target.port}` });
    const settings = spec.settings as { tls: Record<string, unknown> };
    const broken = {
      ...spec,
      settings: { ...settings, tls: { ...settings.tls, cert: 'not a PEM', key: 'not a PEM' } },
    };
    const { result } = await run(broken);
    expect(result.ok).toBe(false);
    expect(['internal', 'tls_error']).toContain(result.failure?.code);
  });

  it('every prober survives settings it cannot read', async () => {
    for (const kind of ['http', 'dns', 'tcp', 'tls', 'rate_limit', 'security_headers', 'host']) {
      const base = specFrom(
        kind === 'host'
          ? { kind }
          : kind === 'dns'
            ? { kind, query_name: 'example.com', server: '127.0.0.1:1' }
            : kind === 'tcp' || kind === 'tls'
              ? { kind, target: '127.0.0.1:1' }
              : { kind, url: 'http://127.0.0.1:1/' },
      );
      for (const settings of [undefined, null, {}, { tls: null }, 42]) {
        const { result } = await run({ ...base, settings } as ProbeSpec);
        // A failure from the catalogue, never a throw out of runProbe.
        expect(result.ok, `${kind} with ${JSON.stringify(settings)}`).toBe(false);
        expect(FAILURE_CODES).toContain(result.failure?.code);
      }
    }
  });
});
