/**
 * W3C trace context on HTTP probes: every run sends a fresh, well-formed `traceparent` (unless off,
 * or the config sends its own), the run's result keeps its trace id, and when the target fails,
 * the trace id the target saw is on the alert's notification and in the incident's reason.
 */
import { describe, expect, it } from 'vitest';
import { traceIdOf } from '../../src/probers/http-client/trace-context.js';
import { startCli } from '../helpers/cli.js';
import { configDir } from '../helpers/config-dir.js';
import { eventually } from '../helpers/metrics.js';
import { probe } from '../helpers/probe.js';
import { withHttpServer } from '../helpers/servers.js';
import { webhookSink } from '../helpers/sinks.js';

const TRACEPARENT = /^00-[0-9a-f]{32}-[0-9a-f]{16}-01$/;

async function recordingTarget(status: number) {
  const seen: Array<string | undefined> = [];
  const server = await withHttpServer((req, res) => {
    seen.push(req.headers.traceparent as string | undefined);
    res.writeHead(status).end();
  });
  return { url: server.url, seen };
}

describe('traceparent on HTTP probes', () => {
  it('sends a fresh one each run and keeps its trace id with the result', async () => {
    const target = await recordingTarget(200);
    const first = await probe({ kind: 'http', url: `${target.url}/` });
    const second = await probe({ kind: 'http', url: `${target.url}/` });
    expect(target.seen).toHaveLength(2);
    for (const header of target.seen) expect(header).toMatch(TRACEPARENT);
    expect(first.facts.http?.traceId).toBe(traceIdOf(target.seen[0]));
    expect(second.facts.http?.traceId).toBe(traceIdOf(target.seen[1]));
    expect(first.facts.http?.traceId).not.toBe(second.facts.http?.traceId);
  });

  it('sends none when off, and the configured one as it is', async () => {
    const target = await recordingTarget(200);
    const off = await probe({ kind: 'http', url: `${target.url}/`, traceparent: false });
    const own = '00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01';
    const configured = await probe({ kind: 'http', url: `${target.url}/`, headers: { traceparent: own } });
    expect(target.seen).toEqual([undefined, own]);
    expect(off.facts.http?.traceId).toBeUndefined();
    expect(configured.facts.http?.traceId).toBe('4bf92f3577b34da6a3ce929d0e0e4736');
  });

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
    expect(sent).toContain(/\(trace ([0-9a-f]{32})\)$/.exec(incidents.incidents[0]!.reason)![1]);
  });
});
