/**
 * The electronic licence library adapter (电子证照库): typed batch functions in the graph's words over
 * the library's signed JSON services (client.ts), following DataLoader's contract (same length and
 * order as the keys; `null` for an identifier the library does not hold; an Error in the slot of a
 * failed key), the use of a certificate for a case (用证, logged by the library), and the checks of a
 * certificate against its issuer's seal (verify.ts), with the issuers' SM2 keys either pinned in the
 * options or as the library publishes them.
 *
 * Every failure of the library itself reaches callers as LICENCE_LIBRARY_UNAVAILABLE
 * (`details.reason` the underlying code): a document is never judged on a reply that could not be read.
 */
import { badInput, isCityGraphError, type CityGraphError } from '../../core/errors.ts';
import { LegacyCaller } from '../kit/resilience.ts';
import { callLibrary, type LibraryEndpoint } from './client.ts';
import { DEPARTMENT, libraryUnavailable, licenceLibraryError } from './faults.ts';
import { mapCertificate, mapIssuerKeys, rawCertificateId, rawHolderId } from './mapper.ts';
import { verifyCertificate } from './verify.ts';
import type { CertificateRecord, LibraryCallContext, LicenceLibraryAdapter } from './types.ts';

export type { CertificateRecord, CertificateStatus, CertificateType, CertificateUse, CertificateVerdict, LibraryCallContext, LicenceLibraryAdapter } from './types.ts';
export { CERTIFICATE_TYPES } from './types.ts';
export { certificateTypeOf, MATERIAL_CERTIFICATE_TYPES } from './materials.ts';
export { checkForUse, type UseCheck } from './check.ts';

/** The most identifiers the library takes in one query; larger batches are split. */
export const MAX_KEYS_PER_CALL = 50;
/** A certificate identifier (电子证照标识): 1–64 letters, digits, `_ . : -`. */
export const DOCUMENT_ID = /^[A-Za-z0-9_.:-]{1,64}$/;

/** Options of createLicenceLibraryAdapter. */
export interface LicenceLibraryAdapterOptions {
  /** Base URL of the library, http(s). Required. */
  url: string;
  /** Our application id (`x-tif-paasid`). Default `citygraph`. */
  appKey?: string;
  /** Shared secret of the request signature. Default: the stand-in's development secret (never in production). */
  appSecret?: string;
  /**
   * The issuers' SM2 public keys (uncompressed hex `04…`) by issuer code, pinned: then the library's
   * published keys are not used at all. Default none: the keys the library publishes (`jg/keys`).
   */
  issuerKeys?: Record<string, string>;
  /** How long published keys are kept before they are asked for again, ms. Default 300000. */
  keyTtlMs?: number;
  /** Milliseconds before one call is abandoned. Default 2000. */
  timeoutMs?: number;
  /** Extra attempts for queries (never for a use, which the library logs). Default 1. */
  retries?: number;
  /** Calls in flight at once. Default 8. */
  concurrency?: number;
}

// Must equal the stand-in's DEV_APP_SECRET; a test checks that they agree.
const DEV_APP_SECRET = 'DEV-ONLY-not-a-secret-licence-library';

/** Creates the adapter; invalid options throw a TypeError here. */
export function createLicenceLibraryAdapter(options: LicenceLibraryAdapterOptions): LicenceLibraryAdapter {
  if (!options || typeof options.url !== 'string' || !/^https?:\/\//.test(options.url) || !URL.canParse(options.url)) {
    throw new TypeError('createLicenceLibraryAdapter needs options.url, the http(s) base URL of the electronic licence library.');
  }
  for (const [code, key] of Object.entries(options.issuerKeys ?? {})) {
    if (!/^04[0-9a-fA-F]{128}$/.test(key)) throw new TypeError(`Option issuerKeys.${code} must be an uncompressed SM2 public key in hex (04 followed by 128 hex digits).`);
  }
  const endpoint: LibraryEndpoint = { url: options.url, appKey: options.appKey ?? 'citygraph', appSecret: options.appSecret ?? DEV_APP_SECRET };
  const caller = new LegacyCaller({
    department: DEPARTMENT,
    timeoutMs: options.timeoutMs ?? 2000,
    retries: options.retries ?? 1,
    ...(options.concurrency !== undefined && { concurrency: options.concurrency }),
  });
  const pinned = options.issuerKeys ? new Map(Object.entries(options.issuerKeys).map(([c, k]) => [c, k.toLowerCase()])) : null;
  const keyTtlMs = options.keyTtlMs ?? 300_000;
  let published: { keys: Promise<Map<string, string>>; at: number } | undefined;

  async function call(service: 'zzxx/query' | 'zzxx/holder' | 'yz/use' | 'jg/keys', data: Record<string, unknown>, requestId: string, idempotent: boolean): Promise<unknown> {
    return caller.call(({ signal }) => callLibrary(endpoint, service, data, { signal, requestId }), { idempotent });
  }

  function list(data: unknown): unknown[] {
    const l = (data as { list?: unknown } | null)?.list;
    if (!Array.isArray(l)) throw licenceLibraryError({ kind: 'badEnvelope' });
    return l;
  }

  async function issuerKeys(requestId: string): Promise<Map<string, string>> {
    if (pinned) return pinned;
    if (!published || Date.now() - published.at > keyTtlMs) {
      const keys = call('jg/keys', {}, requestId, true).then((data) => {
        const mapped = mapIssuerKeys(data);
        if (mapped instanceof Error) throw mapped;
        return mapped;
      });
      published = { keys, at: Date.now() };
      // A failed fetch is not kept: the next check asks again.
      keys.catch(() => {
        if (published?.keys === keys) published = undefined;
      });
    }
    return published.keys;
  }

  function chunks<T>(items: readonly T[]): T[][] {
    const out: T[][] = [];
    for (let i = 0; i < items.length; i += MAX_KEYS_PER_CALL) out.push(items.slice(i, i + MAX_KEYS_PER_CALL));
    return out;
  }

  return {
    async loadCertificates(ids, ctx) {
      const requestId = requireRequestId(ctx);
      const slots: Array<CertificateRecord | null | Error> = new Array(ids.length).fill(null);
      const positions = new Map<string, number[]>();
      ids.forEach((id, i) => {
        if (typeof id !== 'string' || !DOCUMENT_ID.test(id)) slots[i] = badInput('A document identifier (电子证照标识) is 1–64 letters, digits or - _ . :', 'documentId');
        else positions.set(id, [...(positions.get(id) ?? []), i]);
      });
      await Promise.all(
        chunks([...positions.keys()]).map(async (chunk) => {
          const found = new Map<string, CertificateRecord | Error>();
          try {
            for (const raw of list(await call('zzxx/query', { zzbs: chunk }, requestId, true))) {
              const id = rawCertificateId(raw);
              if (id === undefined || !chunk.includes(id)) throw licenceLibraryError({ kind: 'badRecord', field: 'id' });
              found.set(id, mapCertificate(raw));
            }
          } catch (e) {
            const error = libraryUnavailable(e);
            for (const id of chunk) for (const i of positions.get(id)!) slots[i] = error;
            return;
          }
          for (const id of chunk) {
            const value = found.get(id) ?? null;
            for (const i of positions.get(id)!) slots[i] = value instanceof Error ? libraryUnavailable(value) : value;
          }
        }),
      );
      return slots;
    },

    async certificatesOf(holderIds, ctx) {
      const requestId = requireRequestId(ctx);
      const keys = holderIds.map((h) => String(h ?? '').trim().toUpperCase());
      const unique = [...new Set(keys)];
      const answers = new Map<string, CertificateRecord[] | Error>();
      await Promise.all(
        chunks(unique).map(async (chunk) => {
          try {
            const rows = list(await call('zzxx/holder', { czztdm: chunk }, requestId, true));
            for (const id of chunk) answers.set(id, []);
            for (const raw of rows) {
              const holder = rawHolderId(raw);
              const mine = holder === undefined ? undefined : answers.get(holder);
              if (!Array.isArray(mine)) throw licenceLibraryError({ kind: 'badRecord', field: 'holder' });
              const mapped = mapCertificate(raw);
              if (mapped instanceof Error) throw mapped;
              mine.push(mapped);
            }
          } catch (e) {
            const error = libraryUnavailable(e);
            for (const id of chunk) answers.set(id, error);
          }
        }),
      );
      return keys.map((k) => answers.get(k)!);
    },

    async useCertificate(id, use, ctx) {
      const requestId = requireRequestId(ctx);
      if (typeof id !== 'string' || !DOCUMENT_ID.test(id)) throw badInput('A document identifier (电子证照标识) is 1–64 letters, digits or - _ . :', 'documentId');
      let data: unknown;
      try {
        data = await call('yz/use', { zzbs: id, yzbm: use.department, sxbm: use.matterCode, bjbh: use.caseNumber, yzsy: use.purpose }, requestId, false);
      } catch (e) {
        if (isCityGraphError(e) && e.code === 'NOT_FOUND') return null;
        throw libraryUnavailable(e);
      }
      const raw = (data as { zz?: unknown } | null)?.zz;
      const mapped = mapCertificate(raw);
      if (mapped instanceof Error) throw libraryUnavailable(mapped);
      if (mapped.id !== id) throw libraryUnavailable(licenceLibraryError({ kind: 'badRecord', field: 'id' }));
      return mapped;
    },

    async verify(certificate, today, ctx) {
      const requestId = requireRequestId(ctx);
      let keys: Map<string, string>;
      try {
        keys = await issuerKeys(requestId);
      } catch (e) {
        throw libraryUnavailable(e as CityGraphError);
      }
      return verifyCertificate(certificate, keys.get(certificate.issuer.code), today);
    },
  };
}

function requireRequestId(ctx: LibraryCallContext): string {
  if (!ctx || typeof ctx.requestId !== 'string' || ctx.requestId === '') throw new TypeError('The licence library adapter needs ctx.requestId, the id of the GraphQL request.');
  return ctx.requestId;
}
