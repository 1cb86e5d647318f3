/**
 * OTLP export end to end: a daemon given --tracing.otlp-endpoint sends each traced run to a
 * loopback collector, decoded here with the OpenTelemetry packages' own protobuf types. The run's
 * span carries the trace id and span id of the traceparent the target received (so the target's
 * spans are its children), its phases are child spans, a failed run's span is an error, and a
 * run with a configured traceparent (someone else's trace) is not exported.
 */
import root from '@opentelemetry/otlp-transformer/build/src/generated/root.js';
import { describe, expect, it } from 'vitest';
import { startCli } from '../helpers/cli.js';
import { configDir } from '../helpers/config-dir.js';
import { eventually } from '../helpers/metrics.js';
import { withHttpServer } from '../helpers/servers.js';

interface DecodedSpan {
  traceId: string;
  spanId: string;
  parentSpanId?: string;
  name: string;
  startTimeUnixNano: string;
  endTimeUnixNano: string;
  attributes?: Array<{
    key: string;
    value: { stringValue?: string; boolValue?: boolean; intValue?: string };
  }>;
  status?: { code?: number; message?: string };
}

interface DecodedRequest {
  resourceSpans?: Array<{
    resource?: { attributes?: Array<{ key: string; value: { stringValue?: string } }> };
    scopeSpans?: Array<{ spans?: DecodedSpan[] }>;
  }>;
}

const ExportTraceServiceRequest = (
  root as unknown as {
    opentelemetry: {
      proto: {
        collector: {
          trace: {
            v1: {
              ExportTraceServiceRequest: {
                decode(bytes: Uint8Array): unknown;
                toObject(message: unknown, options: Record<string, unknown>): DecodedRequest;
              };
            };
          };
        };
      };
    };
  }
).opentelemetry.proto.collector.trace.v1.ExportTraceServiceRequest;

async function otlpCollector() {
  const spans: DecodedSpan[] = [];
  const resources: string[] = [];
  const contentTypes: string[] = [];
  const server = await withHttpServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      contentTypes.push(String(req.headers['content-type']));
      const decoded = ExportTraceServiceRequest.toObject(
        ExportTraceServiceRequest.decode(Buffer.concat(chunks)),
        { bytes: String, longs: String, enums: Number },
      );
      // Ids arrive as base64 bytes; hex, as trace ids are written everywhere else.
      const hex = (base64: string | undefined) => Buffer.from(base64 ?? '', 'base64').toString('hex');
      for (const resourceSpans of decoded.resourceSpans ?? []) {
        for (const attribute of resourceSpans.resource?.attributes ?? [])
          resources.push(`${attribute.key}=${attribute.value.stringValue}`);
        for (const scope of resourceSpans.scopeSpans ?? [])
          for (const span of scope.spans ?? [])
            spans.push({
              ...span,
              traceId: hex(span.traceId),
              spanId: hex(span.spanId),
              parentSpanId: hex(span.parentSpanId),
            });
      }
      res.writeHead(200, { 'content-type': 'application/x-protobuf' }).end();
    });
  });
  return { url: `${server.url}/v1/traces`, spans, resources, contentTypes };
}

describe('OTLP export', () => {
  it('exports each traced run as a span with the traceparent’s ids and its phases as children', async () => {
    const collector = await otlpCollector();
    const sent: string[] = [];
    const target = await withHttpServer((req, res) => {
      sent.push(String(req.headers.traceparent));
      res.writeHead(req.url === '/down' ? 503 : 200).end('ok');
    });
    const dir = configDir();
    dir.write(
      'c.yaml',
      `probes:
  - { name: checkout, kind: http, url: "${target.url}/down", interval: 500ms }
  - { name: theirs, kind: http, url: "${target.url}/", interval: 500ms, headers: { traceparent: "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01" } }
`,
    );
    await startCli(['--config', dir.path, '--tracing.otlp-endpoint', collector.url]);
    const run = await eventually(() =>
      collector.spans.find(
        (span) => span.name === 'http checkout' && sent.includes(`00-${span.traceId}-${span.spanId}-01`),
      ),
    );
    expect(collector.contentTypes[0]).toBe('application/x-protobuf');
    expect(collector.resources).toContain('service.name=prismwatch');
    expect(run.parentSpanId ?? '').toBe('');
    expect(run.status).toMatchObject({ code: 2 });
    expect(run.status?.message).toMatch(/503/);
    const attributes = Object.fromEntries(
      (run.attributes ?? []).map((attribute) => [
        attribute.key,
        attribute.value.stringValue ?? attribute.value.boolValue ?? attribute.value.intValue,
      ]),
    );
    expect(attributes).toMatchObject({
      'prismwatch.probe': 'checkout',
      'prismwatch.kind': 'http',
      'prismwatch.ok': false,
      'http.response.status_code': '503',
      'prismwatch.failure.code': 'status_mismatch',
    });
    const phases = await eventually(() => {
      const children = collector.spans.filter((span) => span.parentSpanId === run.spanId);
      return children.length >= 2 ? children : undefined;
    });
    for (const phase of phases) {
      expect(phase.traceId).toBe(run.traceId);
      expect(['resolve', 'connect', 'tls', 'processing', 'transfer']).toContain(phase.name);
      expect(BigInt(phase.startTimeUnixNano)).toBeGreaterThanOrEqual(BigInt(run.startTimeUnixNano));
      expect(BigInt(phase.endTimeUnixNano)).toBeLessThanOrEqual(BigInt(run.endTimeUnixNano) + 1_000_000n);
    }
    // The configured traceparent is someone else's trace: its runs are not exported.
    expect(collector.spans.some((span) => span.traceId === '4bf92f3577b34da6a3ce929d0e0e4736')).toBe(false);
    expect(collector.spans.some((span) => span.name === 'http theirs')).toBe(false);
  }, 120_000);

  it('refuses an endpoint that is not an http(s) URL at start', async () => {
    const { runCli } = await import('../helpers/cli.js');
    const dir = configDir();
    dir.write('c.yaml', 'probes: []\n');
    const result = await runCli(['run', '--config', dir.path, '--tracing.otlp-endpoint', 'collector:4318']);
    expect(result.code).not.toBe(0);
    expect(result.stderr).toContain('--tracing.otlp-endpoint expects an http(s) URL, got "collector:4318"');
  });
});
