/**
 * Serves one department's subgraph over HTTP. Every request must carry the gateway's signed principal
 * token and a well-formed request id: without both the request is refused before execution, `_service` and `_entities`
 * included, so nothing can be reached by going around the gateway. Identity headers are ignored.
 */
import { ApolloServer } from '@apollo/server';
import { ApolloServerPluginInlineTraceDisabled, ApolloServerPluginLandingPageDisabled } from '@apollo/server/plugin/disabled';
import { GraphQLError } from 'graphql';
import { ErrorCode, isCityGraphError, toSafeGraphQLError } from '../../core/errors.ts';
import { serveGraphQL, type HttpRoute } from '../../core/graphql-http.ts';
import type { Logger } from '../../core/logger.ts';
import { createPrincipalVerifier, PRINCIPAL_HEADER, REQUEST_ID_HEADER } from '../../core/principal.ts';
import { buildDepartmentSchema } from './build.ts';
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
  /** Plain GET routes served beside GraphQL without the gateway's principal (public documents only). Default none. */
  routes?: Record<string, HttpRoute>;
}

/** A running subgraph. */
export interface RunningSubgraph {
  url: string;
  close(): Promise<void>;
}

/**
 * A variable that fails its scalar (a float for a Decimal) is the caller's mistake, answered as a
 * GraphQL error with BAD_USER_INPUT; Apollo's HTTP 400 would make the gateway report the whole
 * department as unreachable instead.
 */
const badVariablesAnswered = {
  async requestDidStart() {
    return {
      async willSendResponse({ response, errors }: { response: { http: { status?: number } }; errors?: readonly GraphQLError[] }) {
        if (response.http.status === 400 && errors?.length && errors.every((e) => e.extensions?.code === 'BAD_USER_INPUT')) response.http.status = 200;
      },
    };
  },
};

/** Starts a department's subgraph on its own HTTP port. */
export async function startSubgraph<TDeps, TLoaders>(def: SubgraphDefinition<TDeps, TLoaders>, options: SubgraphServerOptions<TDeps>): Promise<RunningSubgraph> {
  if (!options?.principalPublicKeyPem) throw new TypeError(`Subgraph ${def.name} needs principalPublicKeyPem, the gateway's public key.`);
  const schema = buildDepartmentSchema(def, { supervision: options.supervision });
  const verify = await createPrincipalVerifier({ publicKeyPem: options.principalPublicKeyPem });
  const log = options.logger;

  const server = new ApolloServer<SubgraphContext<TLoaders>>({
    schema,
    includeStacktraceInErrorResponses: false,
    // No inline traces: timings of legacy calls are ours to log, not the client's to read.
    plugins: [ApolloServerPluginLandingPageDisabled(), ApolloServerPluginInlineTraceDisabled(), badVariablesAnswered],
    formatError(formatted, error) {
      const safe = toSafeGraphQLError(error);
      const code = safe.extensions.code;
      if (code === ErrorCode.INTERNAL) log.error({ err: error }, 'unexpected error');
      else if (!isCityGraphError((error as GraphQLError)?.originalError)) log.debug({ code, message: formatted.message }, 'request error');
      return { ...safe.toJSON(), path: formatted.path };
    },
  });

  return serveGraphQL(server, {
    port: options.port ?? 0,
    host: options.host,
    logger: log,
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
      const requestLog = log.child({ requestId: verified.requestId });
      return {
        principal: verified.principal,
        requestId: verified.requestId,
        log: requestLog,
        loaders: def.createLoaders(options.deps, { requestId: verified.requestId }),
      };
    },
  });
}
