/**
 * Each traced run as an OpenTelemetry span, exported over OTLP (HTTP, protobuf) to the collector
 * `--tracing.otlp-endpoint` names. The run's span has the trace id and span id of the
 * `traceparent` the probe sent (probers/http-client/trace-context.ts), so the backend's own spans
 * for that request are its children in the tracing UI; each timed phase (resolve, connect, tls,
 * processing, transfer) is a child span, laid end to end from the run's start as they happened.
 *
 * Best effort, as tracing is: spans wait in a bounded queue (2,048) and are sent in batches every
 * second; a collector that is down loses the spans that overflow, never a probe run or its
 * metrics. Only runs that sent a traceparent prismwatch made are exported (a configured one
 * belongs to someone else's trace).
 */
import { type Context, context, SpanKind, SpanStatusCode, trace } from '@opentelemetry/api';
import { OTLPTraceExporter } from '@opentelemetry/exporter-trace-otlp-proto';
import { resourceFromAttributes } from '@opentelemetry/resources';
import {
  BasicTracerProvider,
  BatchSpanProcessor,
  type IdGenerator,
  RandomIdGenerator,
} from '@opentelemetry/sdk-trace-base';
import { PHASES } from '../model/failure.js';
import type { ProbeResult, ProbeSpec } from '../model/probe.js';
import { VERSION } from '../version.js';

/**
 * Ids as the run's traceparent said them, for its span; random ones for its phases. The SDK asks
 * for both ids synchronously inside startSpan (span id first), so the ids set just before are the
 * ones it takes; each is handed out once.
 */
class RunIds implements IdGenerator {
  private readonly random = new RandomIdGenerator();
  private traceId: string | undefined;
  private spanId: string | undefined;

  set(traceId: string, spanId: string): void {
    this.traceId = traceId;
    this.spanId = spanId;
  }

  clear(): void {
    this.traceId = undefined;
    this.spanId = undefined;
  }

  generateTraceId(): string {
    const traceId = this.traceId;
    this.traceId = undefined;
    return traceId ?? this.random.generateTraceId();
  }

  generateSpanId(): string {
    const spanId = this.spanId;
    this.spanId = undefined;
    return spanId ?? this.random.generateSpanId();
  }
}

export interface RunSpansOptions {
  /** The collector's traces URL, e.g. http://otel-collector:4318/v1/traces. */
  readonly endpoint: string;
  /** Sent with every export (a collector's token); never logged. */
  readonly headers?: Readonly<Record<string, string>>;
  /** The daemon's `location`, as a resource attribute (several locations export to one backend). */
  readonly location?: string;
}

export class RunSpans {
  private readonly ids = new RunIds();
  private readonly provider: BasicTracerProvider;

  constructor(options: RunSpansOptions) {
    this.provider = new BasicTracerProvider({
      idGenerator: this.ids,
      resource: resourceFromAttributes({
        'service.name': 'prismwatch',
        'service.version': VERSION,
        ...(options.location ? { 'prismwatch.location': options.location } : {}),
      }),
      spanProcessors: [
        new BatchSpanProcessor(
          new OTLPTraceExporter({
            url: options.endpoint,
            headers: { ...options.headers },
            timeoutMillis: 10_000,
          }),
          { scheduledDelayMillis: 1_000, maxQueueSize: 2_048, maxExportBatchSize: 512 },
        ),
      ],
    });
  }

  /** The run as a span with its phases, if it sent a traceparent of prismwatch's own. */
  record(spec: ProbeSpec, result: ProbeResult): void {
    if (!result.traceId || !result.spanId) return;
    const tracer = this.provider.getTracer('prismwatch', VERSION);
    this.ids.set(result.traceId, result.spanId);
    const run = tracer.startSpan(
      `${spec.kind} ${spec.name}`,
      {
        kind: SpanKind.CLIENT,
        startTime: result.startedAt,
        root: true,
        attributes: {
          'prismwatch.probe': spec.name,
          'prismwatch.kind': spec.kind,
          'prismwatch.ok': result.ok,
          ...(result.facts.http ? { 'http.response.status_code': result.facts.http.statusCode } : {}),
          ...(result.failure ? { 'prismwatch.failure.code': result.failure.code } : {}),
        },
      },
      context.active(),
    );
    this.ids.clear(); // Whatever startSpan did not take: the phases get random ones.
    if (result.failure) run.setStatus({ code: SpanStatusCode.ERROR, message: result.failure.message });
    const parent: Context = trace.setSpan(context.active(), run);
    let at = result.startedAt;
    for (const phase of PHASES) {
      const ms = result.phases[phase];
      if (ms === undefined || ms <= 0) continue;
      tracer.startSpan(phase, { kind: SpanKind.INTERNAL, startTime: at }, parent).end(at + ms);
      at += ms;
    }
    run.end(result.startedAt + result.durationMs);
  }

  /** Sends what is queued and stops (daemon shutdown). */
  async shutdown(): Promise<void> {
    await this.provider.shutdown().catch(() => {});
  }
}
