/**
 * The gateway: authenticates, limits, plans and routes. It holds no department logic: it turns a
 * credential into a principal, signs it for the subgraphs, and lets @apollo/gateway plan over the
 * static supergraph.
 */
import { ApolloGateway, RemoteGraphQLDataSource } from '@apollo/gateway';
import { ApolloServer } from '@apollo/server';
import { ApolloArmor } from '@escape.tech/graphql-armor';
import { GraphQLError } from 'graphql';
import { ErrorCode, isCityGraphError } from '../core/errors.ts';
import { serveGraphQL } from '../core/graphql-http.ts';
import { httpFetch } from '../core/http-fetch.ts';
import { dedupFetch } from '../core/inflight.ts';
import type { Logger } from '../core/logger.ts';
import { createPrincipalSigner, PRINCIPAL_HEADER, type Principal } from '../core/principal.ts';
import { formatGatewayError } from './format-error.ts';
import { REQUEST_ID_HEADER, requestIdFrom } from './request-id.ts';

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
  /** URL of each subgraph by name; overrides the URLs written in the supergraph. */
  subgraphUrls?: Record<string, string>;
  /** Turns request headers into a principal. Required. */
  authenticator: Authenticator;
  /** PEM of the private key that signs principal tokens for the subgraphs. Required. */
  principalPrivateKeyPem: string;
  /** The process logger. Required. */
  logger: Logger;
  /** Operation limits; defaults are generous for apps and tight enough for a public endpoint. */
  limits?: { maxDepth?: number; maxAliases?: number; maxTokens?: number; costLimit?: number };
}

/** Per-request context of the gateway. */
interface GatewayContext {
  requestId: string;
  principal: Principal;
  principalToken: string;
}

/** A running gateway. */
export interface RunningGateway {
  url: string;
  close(): Promise<void>;
}

/** Starts the gateway. */
export async function startGateway(options: GatewayOptions): Promise<RunningGateway> {
  for (const key of ['supergraphSdl', 'authenticator', 'principalPrivateKeyPem', 'logger'] as const) {
    if (!options?.[key]) throw new TypeError(`startGateway needs options.${key}.`);
  }
  const log = options.logger;
  const sign = await createPrincipalSigner({ privateKeyPem: options.principalPrivateKeyPem });
  const urls = options.subgraphUrls ?? {};
  const subgraphFetch = dedupFetch(httpFetch, { identityOf: shareableIdentity });

  const gateway = new ApolloGateway({
    supergraphSdl: options.supergraphSdl,
    // The query plan must not leak to clients, whatever NODE_ENV says.
    __exposeQueryPlanExperimental: false,
    logger: log,
    buildService: ({ name, url }) =>
      new RemoteGraphQLDataSource<GatewayContext>({
        url: urls[name] ?? url,
        // Pooled keep-alive connections on node:http: Apollo's default fetcher is slow and hangs under nock,
        // and Node's fetch spends about 0.5 ms of CPU more per call (see core/http-fetch.ts).
        // Identical in-flight queries of one principal to one subgraph are sent once (core/inflight.ts).
        fetcher: subgraphFetch as never,
        willSendRequest({ request, context }) {
          request.http?.headers.set(PRINCIPAL_HEADER, context.principalToken);
          request.http?.headers.set(REQUEST_ID_HEADER, context.requestId);
        },
        // A network failure or a non-2xx answer carries the subgraph's URL: log it, tell the client only the department.
        didEncounterError(error: Error) {
          log.warn({ department: name, reason: error.message }, 'subgraph could not answer');
          throw new GraphQLError(`The ${name} service could not answer this part of the request.`, {
            extensions: { code: ErrorCode.SUBGRAPH_UNAVAILABLE, department: name },
          });
        },
      }),
  } as ConstructorParameters<typeof ApolloGateway>[0]);

  const limits = options.limits ?? {};
  const armor = new ApolloArmor({
    maxDepth: { n: limits.maxDepth ?? 12 },
    maxAliases: { n: limits.maxAliases ?? 20 },
    maxTokens: { n: limits.maxTokens ?? 2000 },
    costLimit: { maxCost: limits.costLimit ?? 5000 },
    maxDirectives: { n: 30 },
    blockFieldSuggestion: { enabled: true },
  });
  const protection = armor.protect();

  const server = new ApolloServer<GatewayContext>({
    gateway,
    nodeEnv: 'production',
    introspection: true,
    includeStacktraceInErrorResponses: false,
    allowBatchedHttpRequests: false,
    validationRules: protection.validationRules,
    // graphql-armor is typed against Apollo's CJS build; the plugin objects are the same at run time.
    plugins: [...(protection.plugins as never[]), requestLogPlugin(log) as never],
    formatError: (formatted) => formatGatewayError(formatted),
  });

  return serveGraphQL(server, {
    port: options.port ?? 4000,
    host: options.host,
    logger: log,
    // The city code's public keys and revocation list (a document, no department logic): relayed as they are.
    routes: urls.citycode ? { '/.well-known/citycode-keys': relayGet(new URL('.well-known/citycode-keys', urls.citycode).href, log) } : {},
    async context(req, res) {
      const requestId = requestIdFrom(req.headers[REQUEST_ID_HEADER]);
      res.setHeader(REQUEST_ID_HEADER, requestId);
      let principal: Principal;
      try {
        principal = await options.authenticator.authenticate(req.headers);
      } catch (e) {
        const message = isCityGraphError(e) ? e.message : 'The credential could not be verified.';
        log.warn({ requestId, code: ErrorCode.UNAUTHENTICATED, reason: message }, 'credential refused');
        throw new GraphQLError(message, { extensions: { code: ErrorCode.UNAUTHENTICATED, http: { status: 401 } } });
      }
      // The token names the principal only, and is shared by that principal's requests for a few seconds;
      // the request id goes to the subgraphs in its own header (willSendRequest above).
      return { requestId, principal, principalToken: await sign(principal) };
    },
  });
}

/** Roles whose reads are their own data, which no access record follows: only their calls may be shared. */
const SELF_ROLES = new Set(['citizen', 'enterprise']);

/**
 * The identity under which a subgraph call may be shared with identical calls in flight: the principal
 * token, for queries of a citizen or an enterprise about itself; null (never shared) for mutations and for
 * every other role, whose each read must reach the department to be recorded there.
 */
function shareableIdentity(init: { headers?: Record<string, string>; body?: string | Uint8Array }): string | null {
  const token = init.headers?.[PRINCIPAL_HEADER];
  if (!token || typeof init.body !== 'string') return null;
  try {
    const role = (JSON.parse(Buffer.from(token.split('.')[1] ?? '', 'base64url').toString('utf8')) as { role?: string }).role;
    if (!role || !SELF_ROLES.has(role)) return null;
    const query = (JSON.parse(init.body) as { query?: unknown }).query;
    return typeof query === 'string' && !/^\s*mutation\b/.test(query) ? token : null;
  } catch {
    return null;
  }
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

/** Logs one line per request: who (role, client), what (operation), how long, which error codes. */
function requestLogPlugin(log: Logger) {
  return {
    async requestDidStart({ contextValue }: { contextValue: GatewayContext }) {
      const started = performance.now();
      return {
        async willSendResponse({ operationName, errors }: { operationName?: string | null; errors?: readonly GraphQLError[] }) {
          log.info(
            {
              requestId: contextValue.requestId,
              role: contextValue.principal?.role,
              client: contextValue.principal?.client,
              operation: operationName ?? null,
              ms: Math.round(performance.now() - started),
              errors: errors?.map((e) => e.extensions?.code ?? 'UNKNOWN'),
            },
            'request',
          );
        },
      };
    },
  };
}
