/**
 * W3C trace context at the gateway: a client's valid `traceparent` is continued, otherwise a trace is
 * started; with tracing on (core/tracing) the request is a SERVER span and each subgraph call a CLIENT
 * span under it. The trace id is on every log line of the request in every process.
 */
import { childTraceparent, parseTraceparent, randomHex, type RequestScope } from '../core/request-scope.ts';
import { SpanKind, startSpan } from '../core/tracing.ts';

/** The scope of a request arriving with `traceparent` (or none) and the given deadline. */
export function requestTraceScope(traceparent: string | string[] | undefined, deadline: number): RequestScope {
  const parent = parseTraceparent(traceparent);
  const span = startSpan('gateway request', SpanKind.SERVER, parent);
  const traceId = span?.spanContext().traceId ?? parent?.traceId ?? randomHex(16);
  return { deadline, traceId, ...(traceparent ? { traceparent: String(traceparent) } : {}), ...(span ? { span } : {}) };
}

/** A `traceparent` for an outgoing call: the request's trace, a new span id, sampled. */
export const childSpanParent = childTraceparent;
