/**
 * W3C trace context at the gateway: a client's valid `traceparent` is continued, otherwise a trace is
 * started; each subgraph call carries a child `traceparent` of the request's trace, and the trace id
 * is on every log line of the request in every process.
 */
import { randomBytes } from 'node:crypto';
import { childTraceparent, traceIdOf, type RequestScope } from '../core/request-scope.ts';

/** The scope of a request arriving with `traceparent` (or none) and the given deadline. */
export function requestTraceScope(traceparent: string | string[] | undefined, deadline: number): RequestScope {
  const traceId = traceIdOf(traceparent) ?? randomBytes(16).toString('hex');
  return { deadline, traceId, traceparent: childSpanParent(traceId) };
}

/** A `traceparent` for an outgoing call: the request's trace, a new span id, sampled. */
export const childSpanParent = childTraceparent;
