/**
 * OpenTelemetry spans of a request, from the gateway to each legacy call, exported over OTLP/HTTP when
 * configured (off by default). The provider is this process's own, not the global one, so libraries
 * that trace on the global tracer (@apollo/gateway) add no parentless spans of their own.
 * The SDK and the OTLP exporter are loaded only when tracing is on: loading them costs every process
 * about a second of CPU at start-up, for nothing when no OTLP receiver is configured.
 */
import { ROOT_CONTEXT, SpanKind, SpanStatusCode, TraceFlags, trace, type Attributes, type Span, type Tracer } from '@opentelemetry/api';

export { SpanKind, SpanStatusCode, type Span };

/** Options of startTracing. */
export interface TracingOptions {
  /** `service.name` of the spans, e.g. `gateway`. Required. */
  service: string;
  /** `otlp` exports spans; `none` (the default) records nothing. */
  exporter?: 'none' | 'otlp';
  /** Base URL of the OTLP/HTTP receiver (`/v1/traces` is added). Default `http://127.0.0.1:4318`. */
  otlpEndpoint?: string;
  /** Milliseconds between two exports of finished spans. Default 5000. */
  scheduledDelayMs?: number;
}

let tracer: Tracer | undefined;

/** Turns tracing on for this process when `exporter` is `otlp`; returns how to flush and stop it. */
export async function startTracing(options: TracingOptions): Promise<{ shutdown(): Promise<void> }> {
  if ((options.exporter ?? 'none') !== 'otlp') return { shutdown: async () => {} };
  const [{ OTLPTraceExporter }, { resourceFromAttributes }, { BatchSpanProcessor, TracerProvider }] = await Promise.all([
    import('@opentelemetry/exporter-trace-otlp-http'),
    import('@opentelemetry/resources'),
    import('@opentelemetry/sdk-trace'),
  ]);
  const endpoint = (options.otlpEndpoint ?? 'http://127.0.0.1:4318').replace(/\/$/, '');
  const provider = new TracerProvider({
    resource: resourceFromAttributes({ 'service.name': options.service }),
    spanProcessors: [new BatchSpanProcessor({ exporter: new OTLPTraceExporter({ url: `${endpoint}/v1/traces` }), scheduledDelayMillis: options.scheduledDelayMs ?? 5000 })],
  });
  tracer = provider.getTracer('citygraph');
  return {
    async shutdown() {
      tracer = undefined;
      await provider.shutdown();
    },
  };
}

/** True when spans are recorded. */
export function tracingOn(): boolean {
  return tracer !== undefined;
}

/** The parent of a new span: a span of ours, or a remote caller's ids (from `traceparent`). */
export type SpanParent = Span | { traceId: string; spanId: string } | undefined;

/** Starts a span under `parent`; undefined when tracing is off. */
export function startSpan(name: string, kind: SpanKind, parent: SpanParent, attributes: Attributes = {}): Span | undefined {
  if (!tracer) return undefined;
  const ctx = !parent
    ? ROOT_CONTEXT
    : 'spanContext' in parent
      ? trace.setSpan(ROOT_CONTEXT, parent)
      : trace.setSpanContext(ROOT_CONTEXT, { traceId: parent.traceId, spanId: parent.spanId, traceFlags: TraceFlags.SAMPLED, isRemote: true });
  return tracer.startSpan(name, { kind, attributes }, ctx);
}

/** Ends `span` with an error status when `errorCode` is given. */
export function endSpan(span: Span | undefined, errorCode?: string): void {
  if (!span) return;
  if (errorCode) span.setStatus({ code: SpanStatusCode.ERROR, message: errorCode });
  span.end();
}
