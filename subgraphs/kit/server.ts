/**
 * Serves one department's subgraph over HTTP. Every request must carry the gateway's signed principal
 * token and a well-formed request id: without both the request is refused before execution, `_service` and `_entities`
 * included, so nothing can be reached by going around the gateway. Identity headers are ignored.
 */
import { GraphQLError, type ExecutionResult } from 'graphql';
import { ErrorCode, isCityGraphError, toSafeGraphQLError } from '../../core/errors.ts';
import { serveGraphQL, type HttpRoute, type Readiness } from '../../core/graphql-http.ts';
import type { Logger } from '../../core/logger.ts';
import { enableProcessMetrics, subgraphDuration } from '../../core/metrics.ts';
import { createPrincipalVerifier, EXECUTION_ID_FORMAT, EXECUTION_ID_HEADER, PRINCIPAL_HEADER, REQUEST_ID_HEADER } from '../../core/principal.ts';
import { currentRequestScope, DEADLINE_HEADER, deadlineFromHeader, parseTraceparent, TRACEPARENT_HEADER } from '../../core/request-scope.ts';
import { SpanKind, startSpan } from '../../core/tracing.ts';
import { buildDepartmentSchema, hasDisclosures } from './build.ts';
import { DisclosureLog, RecordedReads, writeDisclosures } from './disclosure.ts';
import { createSubgraphEngine } from './execute.ts';
import type { SubgraphContext } from './context.ts';
import type { SubgraphDefinition } from './definition.ts';
import type { SupervisionStore } from '../../supervision/index.ts';

/** Options of a running subgraph. */
export interface SubgraphServerOptions<TDeps> {
  /** Port to listen on; 0 for an ephemeral one. Default 0. */
  port?: number;
  /** Interface to bind. Default 127.0.0.1. */
  host?: string;
  /** PEM of the gateway's public key that signs principal tokens. Required. */
  principalPublicKeyPem: string;
  /** The department's adapters and other dependencies, handed to `createLoaders`. */
  deps: TDeps;
  /** The process logger. Required. */
  logger: Logger;
  /** The supervision store; required when the subgraph has mutations or reads the log. */
  supervision?: SupervisionStore;
  /**
   * Longest time a request may run here, in ms; the gateway's deadline header (what its request has
   * left) shortens it, never lengthens it. Every legacy call of the request is bounded by it. Default 3000.
   */
  maxDeadlineMs?: number;
  /** Record reads of personal data (阳光示权); false only for the bench (see CITYGRAPH_BENCH_NO_READ_RECORDS). Default true. */
  recordReads?: boolean;
  /** Extra readiness checks (e.g. the supervision store answering); each resolves `'ok'` or a reason. */
  readinessChecks?: Record<string, () => Promise<'ok' | string>>;
  /** The SDL, instead of `schema/<name>.graphql` (tests of the kit). */
  sdl?: string;
  /** Plain GET routes served beside GraphQL without the gateway's principal (public documents only). Default none. */
  routes?: Record<string, HttpRoute>;
}

/** A running subgraph. */
export interface RunningSubgraph {
  url: string;
  close(): Promise<void>;
  /** Graceful stop: not ready at once, requests in flight finished, then closed (see core/graphql-http.ts). */
  drain(options?: { delayMs?: number; timeoutMs?: number }): Promise<void>;
}

/** Starts a department's subgraph on its own HTTP port. */
export async function startSubgraph<TDeps, TLoaders>(def: SubgraphDefinition<TDeps, TLoaders>, options: SubgraphServerOptions<TDeps>): Promise<RunningSubgraph> {
  if (!options?.principalPublicKeyPem) throw new TypeError(`Subgraph ${def.name} needs principalPublicKeyPem, the gateway's public key.`);
  const schema = buildDepartmentSchema(def, { supervision: options.supervision, sdl: options.sdl });
  const verify = await createPrincipalVerifier({ publicKeyPem: options.principalPublicKeyPem });
  const log = options.logger;
  const maxDeadlineMs = options.maxDeadlineMs ?? 3000;
  enableProcessMetrics(`subgraph-${def.name}`);
  const recordReads = options.recordReads !== false && hasDisclosures(def);

  const recorded = options.supervision && recordReads ? { store: options.supervision, reads: new RecordedReads() } : null;
  const engine = createSubgraphEngine<SubgraphContext<TLoaders>>({
    schema,
    formatError(formatted, error) {
      const safe = toSafeGraphQLError(error);
      const code = safe.extensions.code;
      if (code === ErrorCode.INTERNAL) log.error({ err: error.originalError ?? error }, 'unexpected error');
      else if (!isCityGraphError(error.originalError)) log.debug({ code, message: formatted.message }, 'request error');
      return { ...safe.toJSON(), path: formatted.path };
    },
    // The request's access records are written before its answer leaves; a read that is not recorded shows nothing.
    beforeAnswer: recorded ? (context, result) => recordBeforeAnswer(def.name, recorded.store, recorded.reads, context, result) : undefined,
  });

  const timed: typeof engine = {
    async execute(body, context) {
      const end = subgraphDuration.startTimer({ subgraph: def.name });
      try {
        return await engine.execute(body, context);
      } finally {
        end();
      }
    },
  };

  return serveGraphQL(timed, {
    port: options.port ?? 0,
    host: options.host,
    logger: log,
    scope(req) {
      const traceparent = req.headers[TRACEPARENT_HEADER];
      const parent = parseTraceparent(traceparent);
      const span = parent ? startSpan(`subgraph ${def.name}`, SpanKind.SERVER, parent, { 'citygraph.subgraph': def.name }) : undefined;
      return {
        deadline: deadlineFromHeader(req.headers[DEADLINE_HEADER], maxDeadlineMs),
        ...(parent ? { traceId: parent.traceId, traceparent: String(traceparent) } : {}),
        ...(span ? { span } : {}),
      };
    },
    readiness: () => readiness(options.readinessChecks ?? {}),
    routes: options.routes,
    async context(req) {
      const header = req.headers[PRINCIPAL_HEADER];
      const requestId = req.headers[REQUEST_ID_HEADER];
      let verified: Awaited<ReturnType<typeof verify>>;
      try {
        // Both are set by the gateway; the request id's format is checked, since it goes into logs and legacy calls.
        verified = await verify(Array.isArray(header) ? header[0] : header, Array.isArray(requestId) ? requestId[0] : requestId);
      } catch (e) {
        log.warn({ code: ErrorCode.UNAUTHENTICATED, reason: e instanceof Error ? e.message : 'invalid' }, 'request without a valid gateway principal refused');
        throw new GraphQLError('This service only answers requests forwarded by the CityGraph gateway.', {
          extensions: { code: ErrorCode.UNAUTHENTICATED, http: { status: 401 } },
        });
      }
      const scope = currentRequestScope();
      if (scope) scope.requestId = verified.requestId;
      const context = new RequestContext<TLoaders>(log, { requestId: verified.requestId, ...(scope?.traceId ? { traceId: scope.traceId } : {}) });
      context.principal = verified.principal;
      context.requestId = verified.requestId;
      context.loaders = def.createLoaders(options.deps, { requestId: verified.requestId });
      if (recordReads) context.disclosures = new DisclosureLog(executionOf(req.headers[EXECUTION_ID_HEADER]));
      return context;
    },
  });
}

/**
 * A subgraph request's context. Its logger is made on first use (most requests log nothing, and a pino
 * child costs about 4–6 µs of CPU), by a getter on the prototype, so that a copy of the context's own
 * properties (`Object.assign`, as Apollo Server made for each operation) does not make it.
 */
class RequestContext<TLoaders> implements SubgraphContext<TLoaders> {
  principal!: SubgraphContext<TLoaders>['principal'];
  requestId!: string;
  loaders!: TLoaders;
  disclosures?: DisclosureLog;
  /** The process logger and this request's bindings, and the child once made; copied along with the context. */
  base: Logger;
  bindings: Record<string, string>;
  made: Logger | undefined;

  constructor(base: Logger, bindings: Record<string, string>) {
    this.base = base;
    this.bindings = bindings;
    this.made = undefined;
  }

  get log(): Logger {
    return (this.made ??= this.base.child(this.bindings));
  }
}

/** The gateway's execution id, or null when absent or malformed (then no two calls share a record). */
function executionOf(header: string | string[] | undefined): string | null {
  const value = Array.isArray(header) ? header[0] : header;
  return value && EXECUTION_ID_FORMAT.test(value) ? value : null;
}

/** Runs every check; ready when all say `'ok'`. */
async function readiness(checks: Record<string, () => Promise<'ok' | string>>): Promise<Readiness> {
  const results = await Promise.all(
    Object.entries(checks).map(async ([name, check]) => [name, await check().catch((e: unknown) => (e instanceof Error ? e.message : 'failed'))] as const),
  );
  const reasons = results.filter(([, r]) => r !== 'ok').map(([name, r]) => `${name}: ${r}`);
  return { ready: reasons.length === 0, reasons, checks: Object.fromEntries(results) };
}

/**
 * Writes the request's access records before its answer is sent, and replaces the answer by an error
 * when they cannot be written: a read that is not recorded shows nothing.
 */
async function recordBeforeAnswer<TLoaders>(department: string, store: SupervisionStore, recorded: RecordedReads, context: SubgraphContext<TLoaders>, result: ExecutionResult): Promise<ExecutionResult> {
  try {
    await writeDisclosures(department, store, context, recorded);
    return result;
  } catch (e) {
    context.log.error({ err: e }, 'access records not written; answer withheld');
    return {
      errors: [new GraphQLError('The supervision store cannot record this read of personal data, so no data is returned. Try again later.', { extensions: { code: ErrorCode.SUPERVISION_UNAVAILABLE } })],
    };
  }
}
