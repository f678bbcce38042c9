/**
 * Prometheus metrics of every CityGraph process (prom-client, one registry per process). Each series
 * is defined here once, so gateway, subgraphs and adapters cannot drift apart in names or labels;
 * `GET /metrics` of each process serves them in the text exposition format.
 */
import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from 'prom-client';

/** The process's registry. */
export const registry = new Registry();

let defaultsOn = false;
/** Turns on the process metrics (event-loop lag, memory, CPU, GC) under the service's name. Idempotent. */
export function enableProcessMetrics(service: string): void {
  if (defaultsOn) return;
  defaultsOn = true;
  registry.setDefaultLabels({ service });
  collectDefaultMetrics({ register: registry, eventLoopMonitoringPrecision: 10 });
}

const SECONDS = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2, 3, 5, 10];

/** Gateway requests by operation name and role. */
export const gatewayRequests = new Counter({
  name: 'citygraph_gateway_requests_total',
  help: 'GraphQL requests answered by the gateway, by operation name and role.',
  labelNames: ['operation', 'role'] as const,
  registers: [registry],
});

/** Errors the gateway answered, by code (refusals included). */
export const gatewayErrors = new Counter({
  name: 'citygraph_gateway_errors_total',
  help: 'Errors in gateway answers, by code (limits, rate limits, subgraph and legacy failures).',
  labelNames: ['code'] as const,
  registers: [registry],
});

/** Whole-request latency at the gateway. */
export const gatewayDuration = new Histogram({
  name: 'citygraph_gateway_request_duration_seconds',
  help: 'Time from request start to the answer at the gateway, by operation name.',
  labelNames: ['operation'] as const,
  buckets: SECONDS,
  registers: [registry],
});

/** Latency of each subgraph call, seen from the gateway. */
export const subgraphCallDuration = new Histogram({
  name: 'citygraph_gateway_subgraph_duration_seconds',
  help: 'Time of each gateway call to a subgraph, by subgraph and outcome.',
  labelNames: ['subgraph', 'outcome'] as const,
  buckets: SECONDS,
  registers: [registry],
});

/** Requests a subgraph served, timed inside the subgraph. */
export const subgraphDuration = new Histogram({
  name: 'citygraph_subgraph_request_duration_seconds',
  help: 'Time a subgraph spent on a request, by subgraph.',
  labelNames: ['subgraph'] as const,
  buckets: SECONDS,
  registers: [registry],
});

/** Each legacy call (all its attempts), by department and outcome code (`ok` when it succeeded). */
export const legacyCallDuration = new Histogram({
  name: 'citygraph_legacy_call_duration_seconds',
  help: 'Time of each call to a legacy system including retries, by department and outcome.',
  labelNames: ['department', 'outcome'] as const,
  buckets: SECONDS,
  registers: [registry],
});

/** Attempts of idempotent legacy calls made again (after a timeout or an outage), by department. */
export const legacyRetries = new Counter({
  name: 'citygraph_legacy_retries_total',
  help: 'Attempts of idempotent legacy calls made again after a timeout or an outage, by department.',
  labelNames: ['department'] as const,
  registers: [registry],
});

/** Breaker state per legacy system: 0 closed, 1 half-open, 2 open. */
export const breakerState = new Gauge({
  name: 'citygraph_breaker_state',
  help: 'Circuit breaker of each legacy system: 0 closed, 1 half-open, 2 open.',
  labelNames: ['department'] as const,
  registers: [registry],
});

/** Requests refused by a rate limit, by what was limited. */
export const rateLimitRefusals = new Counter({
  name: 'citygraph_rate_limit_refusals_total',
  help: 'Requests refused with 429, by limited key kind (client, principal) and role.',
  labelNames: ['scope', 'role'] as const,
  registers: [registry],
});

/** Latency of supervision store writes (intent, outcome, denied, access). */
export const supervisionWriteDuration = new Histogram({
  name: 'citygraph_supervision_write_duration_seconds',
  help: 'Time of each supervision store write, by kind and outcome (appendAccesses: the reads of one request together).',
  labelNames: ['kind', 'outcome'] as const,
  buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1],
  registers: [registry],
});

const MAX_OPERATION_NAMES = 200;
const seenOperations = new Set<string>();

/**
 * The label for an operation name: clients choose names, so past a fixed number of distinct ones (or
 * for a name that is not a plain GraphQL name) the label is `other`, keeping the series count bounded.
 */
export function operationLabel(name: string | null | undefined): string {
  if (!name) return 'anonymous';
  if (!/^[A-Za-z_][A-Za-z0-9_]{0,63}$/.test(name)) return 'other';
  if (seenOperations.has(name)) return name;
  if (seenOperations.size >= MAX_OPERATION_NAMES) return 'other';
  seenOperations.add(name);
  return name;
}

/** The exposition text and its content type, for `GET /metrics`. */
export async function metricsText(): Promise<{ contentType: string; body: string }> {
  return { contentType: registry.contentType, body: await registry.metrics() };
}
