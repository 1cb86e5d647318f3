/**
 * W3C trace context on http, multi_http and browser probes: every run sends a fresh, well-formed `traceparent` (unless off,
 * or the config sends its own), the run's result keeps its trace id, and when the target fails,
 * the trace id the target saw is on the alert's notification and in the incident's reason.
 */
import { existsSync } from 'node:fs';
import { afterAll, describe, expect, it } from 'vitest';
import { CHROMIUM_PATH } from '../../src/probers/browser/pool.js';
import { newTraceContext, traceIdOf } from '../../src/probers/http-client/trace-context.js';
import { shutdownProbers } from '../../src/probers/index.js';
import { runProbe } from '../../src/probers/run-probe.js';
import { startCli } from '../helpers/cli.js';
import { configDir } from '../helpers/config-dir.js';
import { captureLog } from '../helpers/log.js';
import { eventually } from '../helpers/metrics.js';
import { probe, specFrom } from '../helpers/probe.js';
import { withHttpServer } from '../helpers/servers.js';
import { webhookSink } from '../helpers/sinks.js';
import { withWebPage } from '../helpers/web-page.js';

afterAll(() => shutdownProbers());

const TRACEPARENT = /^00-[0-9a-f]{32}-[0-9a-f]{16}-01$/;
const OWN = '00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01';

async function recordingTarget(status: number) {
  const seen: Array<string | undefined> = [];
  const server = await withHttpServer((req, res) => {
    seen.push(req.headers.traceparent as string | undefined);
    res.writeHead(status).end();
  });
  return { url: server.url, seen };
}

describe('traceparent on probes', () => {
  it('gives well-formed, distinct ids across refills of its random pool', () => {
    // The pool holds 170 contexts; 1,000 cross it five times.
    const contexts = Array.from({ length: 1000 }, () => newTraceContext());
    for (const { traceId, spanId, header } of contexts) {
      expect(header).toBe(`00-${traceId}-${spanId}-01`);
      expect(traceIdOf(header)).toBe(traceId);
      expect(spanId).toMatch(/^[0-9a-f]{16}$/);
    }
    expect(new Set(contexts.map((context) => context.traceId)).size).toBe(1000);
    expect(new Set(contexts.map((context) => context.spanId)).size).toBe(1000);
  });

  it('sends a fresh one each run and keeps its trace id with the result', async () => {
    const target = await recordingTarget(200);
    const first = await probe({ kind: 'http', url: `${target.url}/` });
    const second = await probe({ kind: 'http', url: `${target.url}/` });
    expect(target.seen).toHaveLength(2);
    for (const header of target.seen) expect(header).toMatch(TRACEPARENT);
    expect(first.traceId).toBe(traceIdOf(target.seen[0]));
    expect(second.traceId).toBe(traceIdOf(target.seen[1]));
    expect(first.traceId).not.toBe(second.traceId);
  });

  it('sends none when off, and the configured one as it is', async () => {
    const target = await recordingTarget(200);
    const off = await probe({ kind: 'http', url: `${target.url}/`, traceparent: false });
    const configured = await probe({ kind: 'http', url: `${target.url}/`, headers: { traceparent: OWN } });
    expect(target.seen).toEqual([undefined, OWN]);
    expect(off.traceId).toBeUndefined();
    expect(configured.traceId).toBe('4bf92f3577b34da6a3ce929d0e0e4736');
  });

  it('multi_http: one trace for the flow, on every step; a step may send its own', async () => {
    const target = await recordingTarget(200);
    const flow = {
      kind: 'multi_http',
      base_url: target.url,
      steps: [
        { name: 'login', url: '/login' },
        { name: 'read', url: '/read' },
        { name: 'own', url: '/own', headers: { TraceParent: OWN } },
      ],
    };
    const result = await probe(flow);
    expect(result.failure).toBeUndefined();
    const [login, read, own] = target.seen;
    expect(login).toMatch(TRACEPARENT);
    expect(read).toBe(login);
    expect(own).toBe(OWN);
    expect(result.traceId).toBe(traceIdOf(login));
    await probe({ ...flow, traceparent: false });
    expect(target.seen.slice(3)).toEqual([undefined, undefined, OWN]);
  });

  it.runIf(existsSync(CHROMIUM_PATH))(
    'browser: the document and the requests it makes carry the run’s trace',
    async () => {
      const site = await withWebPage(50);
      const result = await runProbe(specFrom({ kind: 'browser', url: `${site.url}/`, timeout: '20s' }), {
        log: captureLog().log,
      });
      const sent = site.requests.map((req) => req.headers.traceparent as string | undefined);
      expect(sent.length).toBeGreaterThanOrEqual(2);
      for (const header of sent) expect(header).toMatch(TRACEPARENT);
      expect(new Set(sent).size).toBe(1);
      expect(result.traceId).toBe(traceIdOf(sent[0]));
    },
    60_000,
  );

  it("puts the failed request's trace id on the notification and the incident", async () => {
    const target = await recordingTarget(503);
    const hooks = await webhookSink();
    const dir = configDir();
    dir.write(
      'c.yaml',
      `probes:
  - { name: checkout, kind: http, url: "${target.url}/", interval: 200ms }
rules:
  - { alert: CheckoutDown, severity: critical, signal: up, op: '==', threshold: 0 }
route: { receiver: hooks, group_wait: 100ms, group_interval: 300ms }
receivers:
  - name: hooks
    webhook_configs: [{ url: "${hooks.url}", timeout: 2s }]
`,
    );
    const daemon = await startCli(['--config', dir.path, '--rules.evaluation-interval', '100ms']);
    await eventually(() => hooks.delivered.length >= 1);
    const failure = (hooks.delivered[0]!.body.alerts[0] as { failure?: { traceId?: string } }).failure;
    const sent = target.seen.map(traceIdOf);
    expect(sent).toContain(failure?.traceId);
    const incidents = (await (await fetch(`${daemon.baseUrl}/api/v1/incidents`)).json()) as {
      incidents: Array<{ reason: string }>;
    };
    expect(incidents.incidents[0]!.reason).toMatch(/\(trace [0-9a-f]{32}\)$/);
    // Read again: the incident's reason follows the latest failed run, which may be newer than
    // what the target had seen when the notification was checked (a loaded machine widens that).
    expect(target.seen.map(traceIdOf)).toContain(
      /\(trace ([0-9a-f]{32})\)$/.exec(incidents.incidents[0]!.reason)![1],
    );
  });
});
