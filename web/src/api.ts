/**
 * The console's GraphQL client: plain fetch with Code Generator's typed documents. Only the document's
 * hash is sent (a persisted operation of the client `citygraph-console`), the token only in the
 * Authorization header. Failures become an ApiError whose kind a page turns into words.
 */
import type { TypedDocumentNode } from '@graphql-typed-document-node/core';
import { currentSession } from './session.ts';

/** What went wrong, in the terms a page shows. */
export type FailureKind = 'network' | 'expired' | 'unauthenticated' | 'forbidden' | 'refused' | 'failed';

/** A request that brought no data. */
export class ApiError extends Error {
  readonly kind: FailureKind;
  readonly code: string | null;
  constructor(kind: FailureKind, message: string, code: string | null = null) {
    super(message);
    this.kind = kind;
    this.code = code;
  }
}

/** An error about one part of an answer (a department that could not answer). */
export interface PartError {
  message: string;
  code: string | null;
  department: string | null;
  path: string;
}

/** The data and the errors of the parts that failed. */
export interface Answer<R> {
  data: R;
  partErrors: PartError[];
}

interface WireError {
  message: string;
  path?: (string | number)[];
  extensions?: { code?: string; department?: string; details?: { reason?: string } };
}

/** Runs a persisted operation; throws ApiError when no data came back. */
export async function run<R, V>(document: TypedDocumentNode<R, V>, variables: V): Promise<Answer<R>> {
  const hash = (document as unknown as { __meta__?: { hash?: string } }).__meta__?.hash;
  if (!hash) throw new ApiError('failed', 'This operation is not registered (the console was built without its hash).');
  const token = currentSession()?.token;
  let response: Response;
  try {
    response = await fetch('/', {
      method: 'POST',
      headers: { 'content-type': 'application/json', accept: 'application/graphql-response+json, application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) },
      body: JSON.stringify({ documentId: hash, variables }),
    });
  } catch {
    throw new ApiError('network', 'The gateway cannot be reached.');
  }
  let body: { data?: R | null; errors?: WireError[] };
  try {
    body = (await response.json()) as typeof body;
  } catch {
    throw new ApiError('network', `The gateway answered HTTP ${response.status} without a GraphQL body.`);
  }
  const errors = body.errors ?? [];
  const first = errors[0];
  const code = first?.extensions?.code ?? null;
  if (code === 'UNAUTHENTICATED') {
    const expired = first?.extensions?.details?.reason === 'expired';
    throw new ApiError(expired ? 'expired' : 'unauthenticated', first!.message, code);
  }
  const data = body.data ?? null;
  const onlyForbidden = errors.length > 0 && errors.every((e) => e.extensions?.code === 'FORBIDDEN');
  if (onlyForbidden && (data === null || Object.values(data as object).every((v) => v === null))) throw new ApiError('forbidden', first!.message, 'FORBIDDEN');
  if (data === null) throw new ApiError(response.status >= 400 && response.status < 500 ? 'refused' : 'failed', first?.message ?? `HTTP ${response.status}`, code);
  return {
    data,
    partErrors: errors.map((e) => ({ message: e.message, code: e.extensions?.code ?? null, department: e.extensions?.department ?? null, path: (e.path ?? []).join('.') })),
  };
}
