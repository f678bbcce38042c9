/**
 * Persisted operations (trusted documents): each client's registered operations, from a manifest in a
 * format the ecosystem already writes — Apollo's persisted-query manifest (`generate-persisted-query-
 * manifest`) or GraphQL Code Generator's client-preset `persisted-documents.json` ({ hash: text }).
 * A request names one by `extensions.persistedQuery.sha256Hash` (Apollo) or `documentId` (GraphQL over HTTP).
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { basename, join } from 'node:path';
import { z } from 'zod';
import { ErrorCode } from '../core/errors.ts';
import { HttpRefusal } from '../core/graphql-http.ts';
import type { Principal, Role } from '../core/principal.ts';

/** A client's registered operations by hash. */
export type Manifest = ReadonlyMap<string, string>;

const apolloManifest = z.object({
  format: z.literal('apollo-persisted-query-manifest'),
  version: z.literal(1),
  operations: z.array(z.object({ id: z.string().min(1), body: z.string().min(1), name: z.string().optional(), type: z.string().optional() })),
});
const codegenManifest = z.record(z.string().min(1), z.string().min(1));

/** Reads one manifest (either format); throws a TypeError that names the file and what is wrong. */
export function parseManifest(text: string, source: string): Manifest {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    throw new TypeError(`Persisted-operation manifest ${source} is not JSON.`);
  }
  if (json && typeof json === 'object' && 'format' in json) {
    const r = apolloManifest.safeParse(json);
    if (!r.success) throw new TypeError(`Persisted-operation manifest ${source} is not a valid Apollo manifest: ${r.error.issues[0]?.message}.`);
    return new Map(r.data.operations.map((o) => [o.id, o.body]));
  }
  const r = codegenManifest.safeParse(json);
  if (!r.success) throw new TypeError(`Persisted-operation manifest ${source} must be an Apollo manifest or a client-preset { "<hash>": "<document>" } object.`);
  // The client preset writes `sha256:<hash>` keys; requests are looked up by the bare hash.
  return new Map(Object.entries(r.data).map(([hash, body]) => [hash.replace(/^sha256:/, ''), body]));
}

/** Reads `<dir>/<client>.json` for every client; a missing folder means no manifests. */
export function loadManifests(dir: string | undefined): Map<string, Manifest> {
  const out = new Map<string, Manifest>();
  if (!dir) return out;
  let files: string[];
  try {
    files = readdirSync(dir).filter((f) => f.endsWith('.json'));
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return out;
    throw e;
  }
  for (const f of files) out.set(basename(f, '.json'), parseManifest(readFileSync(join(dir, f), 'utf8'), f));
  return out;
}

/**
 * The manifests of `dir`, re-read when a file in it changes (checked at most once a second), so an
 * operator registers a client's operations without restarting the gateway. A manifest that fails to
 * parse keeps the previous set in force and is reported through `onError`.
 */
export function watchManifests(dir: string, onError: (e: unknown) => void = () => {}): () => Map<string, Manifest> {
  let current = loadManifests(dir);
  let stamp = stampOf(dir);
  let checkedAt = Date.now();
  return () => {
    if (Date.now() - checkedAt < 1000) return current;
    checkedAt = Date.now();
    const now = stampOf(dir);
    if (now !== stamp) {
      try {
        current = loadManifests(dir);
        stamp = now;
      } catch (e) {
        onError(e);
      }
    }
    return current;
  };
}

/**
 * The manifests of `current` with one client's manifest added (the console's own, built with it),
 * rebuilt only when `current` gives a new set.
 */
export function withClientManifest(current: () => Map<string, Manifest>, client: string, manifest: Manifest): () => Map<string, Manifest> {
  let seen: Map<string, Manifest> | undefined;
  let merged = new Map<string, Manifest>();
  return () => {
    const now = current();
    if (now !== seen) {
      seen = now;
      merged = new Map([...now, [client, manifest]]);
    }
    return merged;
  };
}

function stampOf(dir: string): string {
  try {
    return readdirSync(dir)
      .filter((f) => f.endsWith('.json'))
      .map((f) => `${f}:${statSync(join(dir, f)).mtimeMs}`)
      .join('|');
  } catch {
    return '';
  }
}

/** Options of the persisted-operation gate. */
export interface PersistedOptions {
  /** Manifests by client name, or a function returning the current ones (see watchManifests). */
  manifests: Map<string, Manifest> | (() => Map<string, Manifest>);
  /** Roles that may send operation text (ad-hoc); others run registered operations only. Default every role but `integrator`. */
  adhocRoles?: readonly Role[];
}

/** Returns the gate: the query text to run for this body and principal, or an HttpRefusal. */
export function createPersistedGate(options: PersistedOptions): (body: Record<string, unknown>, principal: Principal) => string {
  const adhoc = new Set<Role>(options.adhocRoles ?? ['anonymous', 'citizen', 'enterprise', 'staff', 'app', 'auditor', 'admin']);
  const manifests = typeof options.manifests === 'function' ? options.manifests : () => options.manifests as Map<string, Manifest>;
  return (body, principal) => {
    const ext = body.extensions;
    const pq = ext && typeof ext === 'object' ? (ext as Record<string, unknown>).persistedQuery : undefined;
    const hash =
      typeof body.documentId === 'string'
        ? body.documentId
        : pq && typeof pq === 'object' && typeof (pq as Record<string, unknown>).sha256Hash === 'string'
          ? ((pq as Record<string, unknown>).sha256Hash as string)
          : undefined;
    const text = typeof body.query === 'string' ? body.query : undefined;
    if (hash !== undefined) {
      // Apollo's hashes are bare; GraphQL over HTTP document ids may carry an algorithm prefix.
      const key = hash.replace(/^sha256:/, '');
      const body = principal.client ? manifests().get(principal.client)?.get(key) : undefined;
      if (body === undefined) {
        throw new HttpRefusal(400, ErrorCode.PERSISTED_OPERATION_NOT_FOUND, `No operation with this hash is registered for ${principal.client ? `client "${principal.client}"` : 'callers without a client'}.`);
      }
      if (text !== undefined && text !== body) throw new HttpRefusal(400, ErrorCode.BAD_REQUEST, 'The query text does not match the registered operation of this hash.');
      return body;
    }
    if (text === undefined) throw new HttpRefusal(400, ErrorCode.BAD_REQUEST, 'The request has no "query" string (nor a persisted operation\'s hash).');
    if (!adhoc.has(principal.role)) {
      throw new HttpRefusal(403, ErrorCode.PERSISTED_OPERATION_REQUIRED, 'This client runs registered operations only: send the operation\'s hash in extensions.persistedQuery.sha256Hash (or documentId).');
    }
    return text;
  };
}
