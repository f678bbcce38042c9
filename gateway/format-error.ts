/**
 * What the gateway lets a client see of an error: the message and code our services wrote, the
 * department concerned, the path. A subgraph's or the gateway's own unexpected error (an unreachable
 * subgraph reports its URL) becomes a generic message with a code. No `locations`: refusals before
 * execution never had them, and the text Apollo runs is the rewritten one (literals.ts), so a line and
 * column there would point into a text the client never sent.
 */
import type { GraphQLFormattedError } from 'graphql';
import { ErrorCode } from '../core/errors.ts';
import { currentRequestScope } from '../core/request-scope.ts';
import { LITERAL_VARIABLE_PREFIX } from './literals.ts';

const OURS = new Set<string>(Object.values(ErrorCode));
const GRAPHQL_CODES = new Set(['GRAPHQL_VALIDATION_FAILED', 'GRAPHQL_PARSE_FAILED', 'BAD_REQUEST', 'PERSISTED_QUERY_NOT_FOUND', 'OPERATION_RESOLUTION_FAILURE']);
/** The variables literals.ts adds are not the client's: a message that would name one speaks of an argument. */
const OUR_VARIABLE = new RegExp(`(Variable )?"\\$${LITERAL_VARIABLE_PREFIX}[_0-9A-Za-z]*"`, 'g');
const withoutOurVariables = (message: string) => (message.includes(LITERAL_VARIABLE_PREFIX) ? message.replace(OUR_VARIABLE, (_m, variable?: string) => (variable ? 'An argument' : 'an argument')) : message);

/** Formats an error for a client of the gateway. */
export function formatGatewayError(formatted: GraphQLFormattedError): GraphQLFormattedError {
  const ext = formatted.extensions ?? {};
  const code = typeof ext.code === 'string' ? ext.code : undefined;
  const department = typeof ext.department === 'string' ? ext.department : typeof ext.serviceName === 'string' ? ext.serviceName : undefined;
  const base = { path: formatted.path };
  // A department's failure and our own carry the request id, the key to the logs of every process.
  const requestId = currentRequestScope()?.requestId;
  const traced = (extensions: Record<string, unknown>) => (requestId && (extensions.department || extensions.code === ErrorCode.INTERNAL) ? { ...extensions, requestId } : extensions);
  if (code && OURS.has(code) && code !== ErrorCode.INTERNAL) {
    return { ...base, message: withoutOurVariables(formatted.message), extensions: traced({ code, ...(department ? { department } : {}), ...(ext.details ? { details: ext.details } : {}) }) };
  }
  if (code && GRAPHQL_CODES.has(code)) {
    return { ...base, message: withoutOurVariables(formatted.message), extensions: { code } };
  }
  if (department) {
    return { ...base, message: `The ${department} service could not answer this part of the request.`, extensions: traced({ code: 'SUBGRAPH_UNAVAILABLE', department }) };
  }
  return { ...base, message: 'Internal error; the x-request-id response header identifies it in the logs.', extensions: traced({ code: ErrorCode.INTERNAL }) };
}
