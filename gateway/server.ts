/**
 * The gateway: authenticates, limits, plans and routes. It holds no department logic: it turns a
 * credential into a principal, signs it for the subgraphs, and lets @apollo/gateway plan over the
 * static supergraph.
 */
import { randomUUID } from 'node:crypto';
import { setMaxListeners } from 'node:events';
import { ApolloGateway } from '@apollo/gateway';
import { ApolloServer } from '@apollo/server';
import { GraphQLError, type GraphQLSchema } from 'graphql';
import { ErrorCode } from '../core/errors.ts';
import { serveGraphQL, type Readiness } from '../core/graphql-http.ts';
import { httpFetch, type HttpFetch, type HttpFetchInit } from '../core/http-fetch.ts';
import { dedupFetch } from '../core/inflight.ts';
import type { Logger } from '../core/logger.ts';
import { enableProcessMetrics, gatewayDuration, gatewayErrors, gatewayRequests, operationLabel, subgraphCallDuration } from '../core/metrics.ts';
import { createPrincipalSigner, EXECUTION_ID_HEADER, PRINCIPAL_HEADER, type Principal } from '../core/principal.ts';
import { atRequestEnd, currentRequestScope, DEADLINE_HEADER, TRACEPARENT_HEADER, type RequestScope } from '../core/request-scope.ts';
import { endSpan, SpanKind, startSpan } from '../core/tracing.ts';
import { createAdmission, type Admitted } from './admission.ts';
import { formatGatewayError } from './format-error.ts';
import { createInstancePool, type InstancePool } from './instances.ts';
import { subgraphSource } from './subgraph-source.ts';
import { supergraphSource } from './supergraph.ts';
import { createLimitResolver, type LimitsConfig } from './limits/options.ts';
import { createPages, type PagesOptions } from './pages.ts';
import { createPersistedGate, type PersistedOptions } from './persisted.ts';
import { createRateLimiter } from './rate-limit.ts';
import { REQUEST_ID_HEADER } from './request-id.ts';
import { childSpanParent, requestTraceScope } from './trace.ts';

/** What the gateway needs to authenticate a request: a function from headers to a principal. */
export interface Authenticator {
  authenticate(headers: Record<string, string | string[] | undefined>): Promise<Principal>;
}

/** Options of the gateway. */
export interface GatewayOptions {
  /** Port; 0 for an ephemeral one. Default 4000. */
  port?: number;
  /** Interface to bind. Default 127.0.0.1. */
  host?: string;
  /** The composed supergraph SDL (schema/supergraph.graphql). Required. */
  supergraphSdl: string;
  /** URL of each subgraph by name, or the URLs of its instances (calls spread round-robin); overrides the URLs written in the supergraph. */
  subgraphUrls?: Record<string, string | readonly string[]>;
  /** How often each subgraph instance's `/readyz` is probed when a subgraph has several, ms. Default 1000. */
  instanceProbeMs?: number;
  /** Turns request headers into a principal. Required. */
  authenticator: Authenticator;
  /** PEM of the private key that signs principal tokens for the subgraphs. Required. */
  principalPrivateKeyPem: string;
  /** The process logger. Required. */
  logger: Logger;
  /** Operation and rate limits: a default set, per role, per client (see limits/options.ts for defaults). */
  limits?: LimitsConfig;
  /** Milliseconds a request may take, subgraph and legacy calls included; sent on to the subgraphs. Default 3000. */
  deadlineMs?: number;
  /** Development: introspection and schema details in error messages for every caller. Default false. */
  development?: boolean;
  /** `redis://…` for rate limits shared by several gateways; default in memory. */
  redisUrl?: string;
  /** Prefix of the rate-limit keys in Redis. Default `citygraph:rl`. */
  redisKeyPrefix?: string;
  /** Registered operations by client and the roles allowed ad-hoc operations. Default: none registered, all roles but integrator ad-hoc. */
  persisted?: PersistedOptions;
  /** Largest request body in bytes. Default 1 MiB. */
  maxBodyBytes?: number;
  /** Milliseconds a client has to send its whole request (slow-loris guard). Default 10000. */
  requestTimeoutMs?: number;
  /** Literal field arguments handed to Apollo as variables, so operations that differ only in them share one parse and one plan (literals.ts). Default true. */
  literalsAsVariables?: boolean;
  /** The console, GraphiQL (development) and the dev sign-in (see pages.ts); default no pages. */
  pages?: Omit<PagesOptions, 'logger'>;
}

/** Per-request context of the gateway. */
interface GatewayContext extends Admitted {
  principalToken: string;
  /** Drawn per execution (a client's request id may repeat): subgraphs merge one execution's access records by it. */
  executionId: string;
}

/** A running gateway. */
export interface RunningGateway {
  url: string;
  close(): Promise<void>;
  /** Graceful stop: not ready at once, requests in flight finished, then closed (see core/graphql-http.ts). */
  drain(options?: { delayMs?: number; timeoutMs?: number }): Promise<void>;
  /** Loads a new supergraph for the next requests; requests in flight finish on the old one. Rejects (the old one stays) when it does not compose. */
  reload(supergraphSdl: string): Promise<void>;
}

/** Time kept back from what a subgraph is told it has, for its answer to travel back and be merged. */
const SUBGRAPH_MARGIN_MS = 100;

/** Starts the gateway. */
export async function startGateway(options: GatewayOptions): Promise<RunningGateway> {
  for (const key of ['supergraphSdl', 'authenticator', 'principalPrivateKeyPem', 'logger'] as const) {
    if (!options?.[key]) throw new TypeError(`startGateway needs options.${key}.`);
  }
  const log = options.logger;
  const deadlineMs = options.deadlineMs ?? 3000;
  if (!Number.isInteger(deadlineMs) || deadlineMs <= 0) throw new TypeError(`startGateway option deadlineMs must be a positive whole number of ms, got ${String(options.deadlineMs)}.`);
  enableProcessMetrics('gateway');
  const sign = await createPrincipalSigner({ privateKeyPem: options.principalPrivateKeyPem });
  const urls = Object.fromEntries(Object.entries(options.subgraphUrls ?? {}).map(([k, v]) => [k, typeof v === 'string' ? [v] : [...v]]));
  // One pool per subgraph for the gateway's life: a reloaded supergraph builds its data sources again, the pools stay.
  const pools = new Map<string, { pool: InstancePool; fetch: HttpFetch }>();
  const poolOf = (name: string, fallback: string | undefined) => {
    let p = pools.get(name);
    if (!p) {
      const pool = createInstancePool({ name, urls: urls[name] ?? [fallback ?? ''], fetch: httpFetch, logger: log, probeIntervalMs: options.instanceProbeMs });
      // Identical in-flight queries of one principal to one subgraph are sent once (core/inflight.ts), whichever instance answers.
      p = { pool, fetch: dedupFetch((_url, init) => pool.fetch(init ?? {}), { identityOf: shareableIdentity }) };
      pools.set(name, p);
    }
    return p;
  };
  const serviceUrls = new Map<string, string[]>();

  const supergraph = supergraphSource(options.supergraphSdl, log);
  // @apollo/gateway 2.14 otherwise builds, in its constructor, an OpenTelemetry meter that probes the
  // AWS, GCP, Azure and Alibaba metadata services for the host's identity and sends uptime, CPU and
  // memory figures to usage-reporting.api.apollographql.com, hourly and at shutdown. A city's gateway
  // talks to its subgraphs and to no one else (gateway/__tests__/no-phone-home.test.ts).
  // eslint-disable-next-line no-restricted-properties -- not configuration read here: the one switch Apollo offers, set for every gateway this module builds.
  process.env.APOLLO_TELEMETRY_DISABLED = 'true';
  const gateway = new ApolloGateway({
    // A hook, not the text: `reload` hands it a new supergraph while requests go on.
    supergraphSdl: supergraph.hook,
    // The query plan must not leak to clients, whatever NODE_ENV says.
    __exposeQueryPlanExperimental: false,
    logger: log,
    buildService: ({ name, url }) => {
      const instances = urls[name] ?? [url ?? ''];
      serviceUrls.set(name, instances);
      return subgraphSource<GatewayContext>({
        url: instances[0]!,
        // Pooled keep-alive connections on undici's dispatcher: Apollo's default fetcher is slow and hangs under nock,
        // and Node's fetch spends about 0.5 ms of CPU more per call (see core/http-fetch.ts). The pool picks the instance.
        fetch: subgraphFetcher(name, poolOf(name, url).fetch),
        headers: (context) => ({
          [PRINCIPAL_HEADER]: context.principalToken,
          [REQUEST_ID_HEADER]: context.requestId,
          [EXECUTION_ID_HEADER]: context.executionId,
        }),
        // A network failure or a non-2xx answer carries the subgraph's URL: log it, tell the client only the department.
        onError(error: Error) {
          log.warn({ department: name, requestId: currentRequestScope()?.requestId, traceId: currentRequestScope()?.traceId, reason: error.message }, 'subgraph could not answer');
          // Given up at the request's deadline (the subgraph may be slow, not down): a code of its own, so a client can tell.
          if (isDeadlineAbort(error)) {
            throw new GraphQLError(`The ${name} service did not answer within this request's time limit; try again, or ask for less at once.`, {
              extensions: { code: ErrorCode.SUBGRAPH_TIMEOUT, department: name },
            });
          }
          throw new GraphQLError(`The ${name} service could not answer this part of the request.`, {
            extensions: { code: ErrorCode.SUBGRAPH_UNAVAILABLE, department: name },
          });
        },
      });
    },
  } as ConstructorParameters<typeof ApolloGateway>[0]);
  let apiSchema: GraphQLSchema | undefined;
  gateway.onSchemaLoadOrUpdate(({ apiSchema: s }) => {
    apiSchema = s;
  });

  const server = new ApolloServer<GatewayContext>({
    gateway,
    nodeEnv: 'production',
    // Our process drains on SIGTERM (core/process.ts); Apollo's own handler would stop it at once.
    stopOnTerminationSignals: false,
    // Introspection is decided by admission (admins, development); Apollo only executes what passed it.
    introspection: true,
    includeStacktraceInErrorResponses: false,
    allowBatchedHttpRequests: false,
    // Persisted operations are ours (manifests per client), not Apollo's automatic cache of any text.
    persistedQueries: false,
    plugins: [requestLogPlugin(log) as never],
    formatError: (formatted) => formatGatewayError(formatted),
  });

  const rateLimiter = createRateLimiter({ redisUrl: options.redisUrl, keyPrefix: options.redisKeyPrefix, logger: log });
  const admit = createAdmission({
    authenticate: (headers) => options.authenticator.authenticate(headers),
    limitsFor: createLimitResolver(options.limits),
    rateLimiter,
    persisted: createPersistedGate(options.persisted ?? { manifests: new Map() }),
    schema: () => apiSchema,
    development: options.development ?? false,
    literalsAsVariables: options.literalsAsVariables ?? true,
    logger: log,
  });

  const running = await serveGraphQL<GatewayContext, Admitted>(server, {
    port: options.port ?? 4000,
    host: options.host,
    logger: log,
    // The city code's public keys and revocation list (a document, no department logic): relayed as they are.
    routes: urls.citycode?.[0] ? { '/.well-known/citycode-keys': relayGet(new URL('.well-known/citycode-keys', urls.citycode[0]).href, log) } : {},
    maxBodyBytes: options.maxBodyBytes,
    requestTimeoutMs: options.requestTimeoutMs,
    pages: options.pages ? createPages({ ...options.pages, logger: log }) : undefined,
    scope: (req) => requestTraceScope(req.headers[TRACEPARENT_HEADER], Date.now() + deadlineMs),
    admit,
    onRefusal(status, code) {
      gatewayErrors.inc({ code });
      gatewayRequests.inc({ operation: 'refused', role: 'unknown' });
    },
    readiness: () => readiness(() => apiSchema, serviceUrls),
    shareKey: shareableRequest,
    async context(_req, _res, admitted) {
      if (!admitted) throw new GraphQLError('Request not admitted.', { extensions: { code: ErrorCode.INTERNAL } });
      // The token names the principal only, and is shared by that principal's requests for a few seconds;
      // the request id goes to the subgraphs in its own header (willSendRequest above).
      const principalToken = await sign(admitted.principal);
      // Once per request instead of parsing every subgraph call's body and token (shareableIdentity).
      const scope = currentRequestScope();
      if (scope && admitted.operationType === 'query' && SELF_ROLES.has(admitted.principal.role)) scope.shareAs = principalToken;
      return { ...admitted, principalToken, executionId: randomUUID() };
    },
  });
  return {
    url: running.url,
    async close() {
      await running.close();
      for (const p of pools.values()) p.pool.close();
      await rateLimiter.close();
    },
    async drain(o) {
      await running.drain(o);
      for (const p of pools.values()) p.pool.close();
      await rateLimiter.close();
    },
    reload: (sdl) => supergraph.load(sdl),
  };
}

/**
 * The key under which a whole request may share the execution of an identical one in flight: a query
 * (never a mutation) of a citizen or an enterprise about itself, keyed by the whole principal and the
 * whole request. Every other role's read must reach the departments, to be recorded there.
 */
function shareableRequest(admitted: Admitted, body: Record<string, unknown>): string | null {
  if (admitted.operationType !== 'query' || !SELF_ROLES.has(admitted.principal.role)) return null;
  return JSON.stringify([admitted.principal, body.query ?? null, body.variables ?? null, body.operationName ?? null, body.extensions ?? null]);
}

/** Roles whose reads are their own data, which no access record follows: only their calls may be shared. */
const SELF_ROLES = new Set(['citizen', 'enterprise']);

/**
 * The identity under which a subgraph call may be shared with identical calls in flight: the principal
 * token, for queries of a citizen or an enterprise about itself (decided once per request, in `context`);
 * null (never shared) for mutations and for every other role, whose each read must reach the department
 * to be recorded there. The token must also be the one the call carries.
 */
function shareableIdentity(init: { headers?: Record<string, string> }): string | null {
  const shareAs = currentRequestScope()?.shareAs;
  return shareAs !== undefined && init.headers?.[PRINCIPAL_HEADER] === shareAs ? shareAs : null;
}

/**
 * The fetcher of one subgraph: tells it how much of the request's deadline is left (less a margin),
 * gives it a child of the request's trace, aborts at the deadline, and times the call.
 */
function subgraphFetcher(subgraph: string, fetch: HttpFetch = httpFetch) {
  return async (url: string, init: HttpFetchInit) => {
    const scope = currentRequestScope();
    const left = scope ? scope.deadline - Date.now() : 3000;
    const headers: Record<string, string> = { ...init.headers, [DEADLINE_HEADER]: String(Math.max(0, left - SUBGRAPH_MARGIN_MS)) };
    const span = startSpan(`subgraph ${subgraph}`, SpanKind.CLIENT, scope?.span, { 'citygraph.subgraph': subgraph });
    if (scope?.traceId) headers[TRACEPARENT_HEADER] = span ? `00-${scope.traceId}-${span.spanContext().spanId}-01` : childSpanParent(scope.traceId);
    const end = subgraphCallDuration.startTimer({ subgraph });
    try {
      const response = await fetch(url, { ...init, headers, signal: scope ? deadlineSignal(scope, left) : AbortSignal.timeout(Math.max(1, left)) });
      end({ outcome: response.ok ? 'ok' : `http_${response.status}` });
      endSpan(span, response.ok ? undefined : `HTTP_${response.status}`);
      return response;
    } catch (e) {
      const timedOut = isDeadlineAbort(e);
      end({ outcome: timedOut ? 'timeout' : 'failed' });
      endSpan(span, timedOut ? ErrorCode.SUBGRAPH_TIMEOUT : ErrorCode.SUBGRAPH_UNAVAILABLE);
      throw e;
    }
  };
}

/** A subgraph call given up at the request's deadline: the signal's reason, a `TimeoutError` (see `deadlineSignal`). */
const isDeadlineAbort = (e: unknown): boolean => e instanceof Error && e.name === 'TimeoutError';

/**
 * One abort signal per request, firing at its deadline, shared by its subgraph calls (a timer each cost
 * about 6 µs). Its timer is cleared once the request is answered: `AbortSignal.timeout` cannot be, and
 * fired long after every answer, ≈ 1 % of the gateway's CPU profile under the dashboard load.
 */
const deadlineSignals = new WeakMap<RequestScope, AbortSignal>();
function deadlineSignal(scope: RequestScope, left: number): AbortSignal {
  let signal = deadlineSignals.get(scope);
  if (!signal) {
    const controller = new AbortController();
    signal = controller.signal;
    // Each call in flight listens to it; a query over many departments must not warn of a leak.
    setMaxListeners(1000, signal);
    const timer = setTimeout(() => controller.abort(new DOMException('The request\'s deadline passed.', 'TimeoutError')), Math.max(1, left));
    atRequestEnd(scope, () => clearTimeout(timer));
    deadlineSignals.set(scope, signal);
  }
  return signal;
}

/** Relays one public GET document from a subgraph; a failure is a 502 with a code, never the subgraph's URL. */
function relayGet(target: string, log: Logger) {
  return async (_req: unknown, res: import('node:http').ServerResponse) => {
    try {
      const r = await httpFetch(target, { signal: AbortSignal.timeout(5000) });
      res.writeHead(r.status, { 'content-type': r.headers.get('content-type') ?? 'application/json', 'cache-control': r.headers.get('cache-control') ?? 'no-store' });
      res.end(await r.text());
    } catch (e) {
      log.warn({ reason: e instanceof Error ? e.message : 'unknown' }, 'citycode keys could not be relayed');
      res.writeHead(502, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ errors: [{ message: 'The city code keys cannot be fetched now.', extensions: { code: ErrorCode.SUBGRAPH_UNAVAILABLE, department: 'citycode' } }] }));
    }
  };
}

/** Ready when the supergraph is loaded and every subgraph has an instance answering its /healthz within a second. */
async function readiness(schema: () => GraphQLSchema | undefined, services: Map<string, string[]>): Promise<Readiness> {
  const checks: Record<string, string> = { supergraph: schema() ? 'ok' : 'not loaded' };
  const healthy = async (url: string) => {
    try {
      const r = await httpFetch(new URL('/healthz', url).href, { signal: AbortSignal.timeout(1000) });
      return r.ok ? 'ok' : `answered ${r.status}`;
    } catch {
      return 'unreachable';
    }
  };
  await Promise.all(
    [...services].map(async ([name, instances]) => {
      const answers = await Promise.all(instances.map(healthy));
      checks[`subgraph:${name}`] = answers.includes('ok') ? 'ok' : answers[0]!;
    }),
  );
  const reasons = Object.entries(checks)
    .filter(([, v]) => v !== 'ok')
    .map(([k, v]) => `${k}: ${v}`);
  return { ready: reasons.length === 0, reasons, checks };
}

/** Logs one line per request (who, what, how long, which error codes, request and trace ids) and counts it. */
function requestLogPlugin(log: Logger) {
  return {
    async requestDidStart({ contextValue }: { contextValue: GatewayContext }) {
      const started = performance.now();
      return {
        async willSendResponse({ operationName, response }: { operationName?: string | null; response: { body: { kind: string; singleResult?: { errors?: readonly { extensions?: Record<string, unknown> }[] } } } }) {
          const seconds = (performance.now() - started) / 1000;
          const operation = operationLabel(operationName ?? contextValue.operationName);
          const codes = (response.body.kind === 'single' ? response.body.singleResult?.errors : undefined)?.map((e) => String(e.extensions?.code ?? 'UNKNOWN'));
          gatewayRequests.inc({ operation, role: contextValue.principal?.role ?? 'unknown' });
          gatewayDuration.observe({ operation }, seconds);
          for (const code of codes ?? []) gatewayErrors.inc({ code });
          log.info(
            {
              requestId: contextValue.requestId,
              traceId: currentRequestScope()?.traceId,
              role: contextValue.principal?.role,
              client: contextValue.principal?.client,
              operation: operationName ?? null,
              ms: Math.round(seconds * 1000),
              errors: codes,
            },
            'request',
          );
        },
      };
    },
  };
}
