/**
 * What every request passes before any subgraph is called, cheapest refusal first: credential, rate
 * limits, persisted operations, request shape, operation limits and validation, introspection. Each
 * refusal is an HttpRefusal (4xx, JSON, a code); nothing after it runs. What passes goes on with its
 * literal arguments as variables (literals.ts) unless that is turned off.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { GraphQLSchema } from 'graphql';
import { ErrorCode, isCityGraphError } from '../core/errors.ts';
import { HttpRefusal } from '../core/graphql-http.ts';
import type { Logger } from '../core/logger.ts';
import type { Principal } from '../core/principal.ts';
import { currentRequestScope } from '../core/request-scope.ts';
import { checkOperation } from './limits/check.ts';
import { literalsAsVariables } from './literals.ts';
import type { ResolvedLimits } from './limits/options.ts';
import type { GatewayRateLimiter } from './rate-limit.ts';
import { REQUEST_ID_HEADER, requestIdFrom } from './request-id.ts';

/** What admission established about a request; the context of the request is built from it. */
export interface Admitted {
  requestId: string;
  principal: Principal;
  /** The operation's name as resolved (for logs and metrics). */
  operationName: string | null;
  /** `query`, `mutation` or `subscription`: what the resolved operation does. */
  operationType: 'query' | 'mutation' | 'subscription';
}

/** Options of the admission step. */
export interface AdmissionOptions {
  authenticate(headers: IncomingMessage['headers']): Promise<Principal>;
  limitsFor(principal: Principal): ResolvedLimits;
  rateLimiter: GatewayRateLimiter;
  /** The query text to run, from the body (ad-hoc) or a manifest (persisted); throws HttpRefusal. */
  persisted(body: Record<string, unknown>, principal: Principal): string;
  /** The API schema, once the supergraph is loaded. */
  schema(): GraphQLSchema | undefined;
  /** Development: introspection and schema details for everyone. */
  development: boolean;
  /** Hand Apollo each literal field argument as a variable, once every check has passed on the client's own text (literals.ts). */
  literalsAsVariables: boolean;
  logger: Logger;
}

/** Creates the `admit` step of the gateway's HTTP layer. */
export function createAdmission(options: AdmissionOptions) {
  const log = options.logger;
  return async (req: IncomingMessage, body: Record<string, unknown>, res: ServerResponse): Promise<{ body: Record<string, unknown>; admitted: Admitted }> => {
    const requestId = requestIdFrom(req.headers[REQUEST_ID_HEADER]);
    res.setHeader(REQUEST_ID_HEADER, requestId);
    const traceId = currentRequestScope()?.traceId;
    const scope = currentRequestScope();
    if (scope) scope.requestId = requestId;

    let principal: Principal;
    try {
      principal = await options.authenticate(req.headers);
    } catch (e) {
      const message = isCityGraphError(e) ? e.message : 'The credential could not be verified.';
      log.warn({ requestId, traceId, code: ErrorCode.UNAUTHENTICATED, reason: message }, 'credential refused');
      throw new HttpRefusal(401, ErrorCode.UNAUTHENTICATED, message);
    }
    const limits = options.limitsFor(principal);
    await options.rateLimiter.consume(principal, limits, req.socket.remoteAddress ?? 'unknown');

    for (const [field, ok] of [
      ['variables', body.variables === undefined || body.variables === null || isMap(body.variables)],
      ['extensions', body.extensions === undefined || body.extensions === null || isMap(body.extensions)],
      ['operationName', body.operationName === undefined || body.operationName === null || typeof body.operationName === 'string'],
    ] as const) {
      if (!ok) throw new HttpRefusal(400, ErrorCode.BAD_REQUEST, `"${field}" must be ${field === 'operationName' ? 'a string' : 'a JSON object'} or null.`);
    }
    const query = options.persisted(body, principal);

    const schema = options.schema();
    if (!schema) throw new HttpRefusal(503, 'NOT_READY', 'The gateway is starting; try again in a moment.', { 'retry-after': '1' });
    const details = options.development || principal.role === 'admin';
    const operationName = typeof body.operationName === 'string' ? body.operationName : null;
    const variables = body.variables as Record<string, unknown> | null | undefined;
    const checked = checkOperation(schema, { query, operationName, variables }, limits.operation, {
      schemaDetails: details,
    });
    if (checked.introspection && !details) {
      throw new HttpRefusal(403, ErrorCode.INTROSPECTION_DISABLED, 'Schema introspection is open to admins only; the schema is published in the CityGraph documentation.');
    }
    // The persisted-query extension is ours to resolve: Apollo would otherwise treat it as its own APQ cache.
    const { documentId: _documentId, extensions, ...rest } = body;
    const { persistedQuery: _pq, ...otherExtensions } = (extensions ?? {}) as Record<string, unknown>;
    // Last, so every refusal above speaks of the text the client sent; Apollo then parses and plans one text for all citizens.
    const rewritten = options.literalsAsVariables ? literalsAsVariables(schema, checked.document, variables) : null;
    return {
      body: {
        ...rest,
        ...(rewritten ?? { query }),
        ...(Object.keys(otherExtensions).length ? { extensions: otherExtensions } : {}),
      },
      admitted: { requestId, principal, operationName: checked.operation.name?.value ?? operationName, operationType: checked.operation.operation },
    };
  };
}

function isMap(v: unknown): boolean {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}
