/**
 * The one error module: every failure in CityGraph becomes a CityGraphError with a stable code and a
 * message a person can act on. Nothing else (stack, SQL, URL, legacy payload) ever reaches a client.
 */
import { GraphQLError } from 'graphql';

/** Stable error codes; clients switch on these, so they never change meaning. */
export const ErrorCode = {
  /** An argument failed validation (the message names the rule). */
  BAD_USER_INPUT: 'BAD_USER_INPUT',
  /** No valid credential was presented where one was required, or one was invalid. */
  UNAUTHENTICATED: 'UNAUTHENTICATED',
  /** The caller is known but no rule allows this field or operation. */
  FORBIDDEN: 'FORBIDDEN',
  /** The record does not exist in the department's system. */
  NOT_FOUND: 'NOT_FOUND',
  /** A legacy system did not answer within its timeout. */
  ADAPTER_TIMEOUT: 'ADAPTER_TIMEOUT',
  /** A legacy system could not be reached. */
  ADAPTER_UNAVAILABLE: 'ADAPTER_UNAVAILABLE',
  /** A legacy system failed repeatedly, so its circuit breaker is open: calls are refused at once for a while. */
  DEPARTMENT_UNAVAILABLE: 'DEPARTMENT_UNAVAILABLE',
  /** A legacy system answered something that is not its protocol (bad XML, bad encoding, bad JSON). */
  ADAPTER_BAD_REPLY: 'ADAPTER_BAD_REPLY',
  /** A legacy system asked us to slow down (HTTP 429) for longer than the request could wait. */
  ADAPTER_RATE_LIMITED: 'ADAPTER_RATE_LIMITED',
  /** A legacy system answered in protocol with a business error (SOAP Fault, infcode -1, …). */
  LEGACY_ERROR: 'LEGACY_ERROR',
  /** The change conflicts with the department's current state (an overlapping reservation, a session already paid). */
  CONFLICT: 'CONFLICT',
  /** A department's subgraph could not be reached or answered outside GraphQL (gateway only). */
  SUBGRAPH_UNAVAILABLE: 'SUBGRAPH_UNAVAILABLE',
  /** A department's subgraph did not answer within the request's deadline (gateway only); its call was given up. */
  SUBGRAPH_TIMEOUT: 'SUBGRAPH_TIMEOUT',
  /** The supervision store cannot write, so no mutation may proceed. */
  SUPERVISION_UNAVAILABLE: 'SUPERVISION_UNAVAILABLE',
  /** The request exceeds an operation limit (depth, aliases, tokens, cost, body size…); `details.limit` names it. */
  LIMIT_EXCEEDED: 'LIMIT_EXCEEDED',
  /** A case (办件) is not in a state that allows this step (e.g. approving a case not yet accepted). */
  CASE_STATE_CONFLICT: 'CASE_STATE_CONFLICT',
  /** A day falls outside the years of the holiday calendar, so working days cannot be counted. */
  CALENDAR_OUT_OF_RANGE: 'CALENDAR_OUT_OF_RANGE',
  /** Too many requests from this client or principal; retry after the `Retry-After` seconds (HTTP 429). */
  RATE_LIMITED: 'RATE_LIMITED',
  /** The HTTP request is not a GraphQL request this server accepts (content type, JSON, shape). */
  BAD_REQUEST: 'BAD_REQUEST',
  /** The HTTP method is not accepted here (HTTP 405). */
  METHOD_NOT_ALLOWED: 'METHOD_NOT_ALLOWED',
  /** Several operations were sent in one JSON array; send one per request. */
  BATCHING_DISABLED: 'BATCHING_DISABLED',
  /** The `operationName` names no operation of the document, or several operations and no name. */
  OPERATION_NAME_UNKNOWN: 'OPERATION_NAME_UNKNOWN',
  /** Schema introspection is open only to `admin` and in development. */
  INTROSPECTION_DISABLED: 'INTROSPECTION_DISABLED',
  /** This client may run registered (persisted) operations only; send the operation's hash. */
  PERSISTED_OPERATION_REQUIRED: 'PERSISTED_OPERATION_REQUIRED',
  /** No operation with this hash is registered for this client. */
  PERSISTED_OPERATION_NOT_FOUND: 'PERSISTED_OPERATION_NOT_FOUND',
  /** A city code (or credential) is malformed, altered, or its signature does not verify. */
  CODE_INVALID: 'CODE_INVALID',
  /** A city code is past its 60 seconds, or its credential past its day. */
  CODE_EXPIRED: 'CODE_EXPIRED',
  /** A city code's time (or its credential's) lies ahead of the verifier's clock. */
  CODE_NOT_YET_VALID: 'CODE_NOT_YET_VALID',
  /** A city code names a city key id that is not (or no longer) published. */
  CODE_UNKNOWN_KEY: 'CODE_UNKNOWN_KEY',
  /** The device that made a city code has been revoked (a lost phone). */
  CODE_REVOKED: 'CODE_REVOKED',
  /** A city code was already redeemed (or uploaded) for this purpose. */
  CODE_ALREADY_USED: 'CODE_ALREADY_USED',
  /** The city code, or its credential, does not allow this purpose. */
  CODE_PURPOSE_NOT_ALLOWED: 'CODE_PURPOSE_NOT_ALLOWED',
  /** The purpose exists but no department of the graph serves it yet. */
  PURPOSE_NOT_AVAILABLE: 'PURPOSE_NOT_AVAILABLE',
  /** A page's static files are not built yet (`npm run -s build:web`). */
  PAGE_NOT_BUILT: 'PAGE_NOT_BUILT',
  /** A certificate (电子证照) is past its validity dates (or not yet valid) on the day it is used. */
  DOCUMENT_EXPIRED: 'DOCUMENT_EXPIRED',
  /** A certificate was revoked (注销/吊销) by its issuer. */
  DOCUMENT_REVOKED: 'DOCUMENT_REVOKED',
  /** A certificate's content hash (SM3) or its issuer's SM2 signature does not match what the issuer holds. */
  DOCUMENT_TAMPERED: 'DOCUMENT_TAMPERED',
  /** A certificate is used for a case (or filed) by someone who is not its holder. */
  DOCUMENT_NOT_HOLDER: 'DOCUMENT_NOT_HOLDER',
  /** The electronic licence library holds no certificate with this identifier. */
  DOCUMENT_UNKNOWN: 'DOCUMENT_UNKNOWN',
  /** A certificate is not of a type the material (or the case's matter) asks for. */
  DOCUMENT_WRONG_TYPE: 'DOCUMENT_WRONG_TYPE',
  /** A certificate referenced by a case has no successful check for that case, so the case cannot be approved yet. */
  DOCUMENT_UNCHECKED: 'DOCUMENT_UNCHECKED',
  /** The electronic licence library (or a certificate's issuer) is down, too slow, or answered garbage: nothing is decided on its word. */
  LICENCE_LIBRARY_UNAVAILABLE: 'LICENCE_LIBRARY_UNAVAILABLE',
  /** Anything unexpected; details stay in the server log under the request id. */
  INTERNAL: 'INTERNAL',
} as const;
export type ErrorCode = (typeof ErrorCode)[keyof typeof ErrorCode];

/** Options of a CityGraphError; `details` must be safe to show to any caller. */
export interface CityGraphErrorOptions {
  /** The department whose system the failure concerns, e.g. `population`. */
  department?: string;
  /** Safe, structured details (rule names, limits); never personal data or legacy payloads. */
  details?: Record<string, string | number | boolean | null>;
  /** The underlying error, kept for the server log only. */
  cause?: unknown;
}

/** An error with a stable code and a safe message. */
export class CityGraphError extends Error {
  readonly code: ErrorCode;
  readonly department: string | undefined;
  readonly details: Record<string, string | number | boolean | null> | undefined;

  constructor(code: ErrorCode, message: string, options: CityGraphErrorOptions = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'CityGraphError';
    this.code = code;
    this.department = options.department;
    this.details = options.details;
  }

  /** The GraphQL `extensions` a client sees. */
  toExtensions(): Record<string, unknown> {
    return {
      code: this.code,
      ...(this.department ? { department: this.department } : {}),
      ...(this.details ? { details: this.details } : {}),
    };
  }
}

/** True when `e` is a CityGraphError (also across module copies). */
export function isCityGraphError(e: unknown): e is CityGraphError {
  return e instanceof CityGraphError || (e instanceof Error && e.name === 'CityGraphError' && 'code' in e);
}

/** Codes whose message was written for clients and may be shown as it is. */
const PUBLIC_CODES = new Set<string>(Object.values(ErrorCode));

/**
 * Turns anything thrown into a GraphQLError that is safe for a client: a CityGraphError keeps its code
 * and message; a GraphQLError with a known code keeps it; anything else becomes INTERNAL.
 */
export function toSafeGraphQLError(e: unknown, path?: readonly (string | number)[]): GraphQLError {
  const original = e instanceof GraphQLError && e.originalError ? e.originalError : e;
  if (isCityGraphError(original)) {
    return new GraphQLError(original.message, { path, extensions: original.toExtensions() });
  }
  if (e instanceof GraphQLError) {
    const code = typeof e.extensions?.code === 'string' ? e.extensions.code : undefined;
    if (code && (PUBLIC_CODES.has(code) || code === 'GRAPHQL_VALIDATION_FAILED' || code === 'GRAPHQL_PARSE_FAILED')) {
      return new GraphQLError(e.message, { path: e.path ?? path, extensions: { code } });
    }
    if (!e.originalError) {
      // Validation and parse errors raised by graphql-js carry no original error and are about the query.
      return new GraphQLError(e.message, { path: e.path ?? path, extensions: { code: 'GRAPHQL_VALIDATION_FAILED' } });
    }
  }
  return new GraphQLError('Internal error; the request id in the response headers identifies it in the logs.', {
    path,
    extensions: { code: ErrorCode.INTERNAL },
  });
}

/** Shorthand for the common BAD_USER_INPUT with the failed rule named in details. */
export function badInput(message: string, rule: string, details: Record<string, string | number> = {}): CityGraphError {
  return new CityGraphError(ErrorCode.BAD_USER_INPUT, message, { details: { rule, ...details } });
}
