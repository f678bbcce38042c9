/**
 * What a request carries across every await of its processing without being passed by hand: its
 * deadline and trace context. The HTTP layer opens the scope; LegacyCaller reads the deadline, so a
 * legacy call made on behalf of a request never outlives it, whatever adapter code sits in between.
 */
import { AsyncLocalStorage, AsyncResource } from 'node:async_hooks';
import { randomFillSync } from 'node:crypto';
import type { Span } from '@opentelemetry/api';

/** Header with the milliseconds a request has left, set by the gateway on each subgraph call. */
export const DEADLINE_HEADER = 'x-citygraph-deadline-ms';

/** W3C trace context header. */
export const TRACEPARENT_HEADER = 'traceparent';

/** One request's scope. */
export interface RequestScope {
  /** Epoch milliseconds after which no work for this request is worth doing. */
  deadline: number;
  /** The request id (also in logs). */
  requestId?: string;
  /** The W3C trace id (32 hex digits) when the request carries one. */
  traceId?: string;
  /** The W3C `traceparent` the request arrived with. */
  traceparent?: string;
  /** The span of the work in progress when tracing is on (core/tracing); outgoing calls are its children. */
  span?: Span;
  /**
   * Gateway only: the principal token under which this request's subgraph calls may share identical
   * calls in flight (a query of a citizen or an enterprise about itself); absent when they may not.
   */
  shareAs?: string;
  /** What to do when the request has been answered (core/graphql-http.ts calls them): see `atRequestEnd`. */
  atEnd?: Array<() => void>;
}

const storage = new AsyncLocalStorage<RequestScope>();

/** Runs `fn` inside `scope`; everything it awaits sees the same scope. */
export function runInRequestScope<T>(scope: RequestScope, fn: () => T): T {
  return storage.run(scope, fn);
}

/** The current request's scope, if any. */
export function currentRequestScope(): RequestScope | undefined {
  return storage.getStore();
}

/**
 * Runs `fn` in the context this module was loaded in, outside any request's scope. Node keeps the async
 * context a timer or promise was created in until it fires, so a long timer made during a request (a
 * rate-limit record's expiry, a minute later) would keep that request's scope alive, and with it its
 * deadline signal and whatever they reach: under 10,000 citizens, ≈ 4,800 requests' worth at once.
 */
export const outsideRequestScope: <T>(fn: () => T) => T = AsyncResource.bind(<T>(fn: () => T): T => fn());

/** Runs `fn` once `scope`'s request has been answered (e.g. to clear a timer of its deadline). */
export function atRequestEnd(scope: RequestScope, fn: () => void): void {
  (scope.atEnd ??= []).push(fn);
}

/** Called by the HTTP layer once the request has been answered, whatever path it took. */
export function endRequestScope(scope: RequestScope): void {
  const fns = scope.atEnd;
  if (!fns) return;
  scope.atEnd = undefined;
  for (const fn of fns) fn();
}

/** Milliseconds left before the current request's deadline; Infinity outside a request. */
export function remainingMs(now = Date.now()): number {
  const scope = storage.getStore();
  return scope ? scope.deadline - now : Number.POSITIVE_INFINITY;
}

/**
 * Reads the deadline header: a whole number of milliseconds left, capped by `maxMs` (a caller cannot
 * buy itself more time than the service grants). Absent or malformed → `maxMs`.
 */
export function deadlineFromHeader(value: string | string[] | undefined, maxMs: number, now = Date.now()): number {
  const raw = Array.isArray(value) ? value[0] : value;
  const ms = raw !== undefined && /^\d{1,9}$/.test(raw) ? Number(raw) : maxMs;
  return now + Math.min(ms, maxMs);
}

const TRACEPARENT = /^00-([0-9a-f]{32})-([0-9a-f]{16})-[0-9a-f]{2}$/;

/** The trace id and parent span id of a valid W3C `traceparent` (version 00, not all zeros), else undefined. */
export function parseTraceparent(traceparent: string | string[] | undefined): { traceId: string; spanId: string } | undefined {
  const raw = Array.isArray(traceparent) ? traceparent[0] : traceparent;
  const m = raw ? TRACEPARENT.exec(raw.trim()) : null;
  if (!m || /^0+$/.test(m[1]!) || /^0+$/.test(m[2]!)) return undefined;
  return { traceId: m[1]!, spanId: m[2]! };
}

/** The trace id of a valid W3C `traceparent`, else undefined. */
export function traceIdOf(traceparent: string | string[] | undefined): string | undefined {
  return parseTraceparent(traceparent)?.traceId;
}

/** The `traceparent` of a call made now for the current request: a child of its span (or of a fresh id). */
export function outgoingTraceparent(scope = currentRequestScope()): string | undefined {
  if (!scope?.traceId) return undefined;
  return scope.span ? `00-${scope.traceId}-${scope.span.spanContext().spanId}-01` : childTraceparent(scope.traceId);
}

/** A `traceparent` for an outgoing call of trace `traceId`: a new span id, sampled. */
export function childTraceparent(traceId: string): string {
  return `00-${traceId}-${randomHex(8)}-01`;
}

/** Random bytes for trace and span ids, drawn 4 KiB at a time. */
const idPool = Buffer.alloc(4096);
let idPoolAt = idPool.length;

/**
 * `bytes` random bytes as lower-case hex, never all zeros (W3C trace context forbids a zero trace or
 * span id), from the CSPRNG. For what must be unique, not secret (ids, and the nonces that legacy
 * signatures cover so that a replay is refused): one `randomFillSync` serves 512 span ids, where a
 * `randomBytes` call per subgraph call was ≈ 5 % of the gateway's CPU profile under the dashboard load.
 */
export function randomHex(bytes: number): string {
  if (!Number.isInteger(bytes) || bytes < 1 || bytes > idPool.length) throw new RangeError(`randomHex takes 1 to ${idPool.length} bytes, not ${bytes}.`);
  if (idPoolAt + bytes > idPool.length) {
    randomFillSync(idPool);
    idPoolAt = 0;
  }
  const hex = idPool.toString('hex', idPoolAt, idPoolAt + bytes);
  idPoolAt += bytes;
  return /[^0]/.test(hex) ? hex : randomHex(bytes);
}
