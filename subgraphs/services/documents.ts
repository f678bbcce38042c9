/**
 * Checks an application's documents against its matter, its applicant and the electronic licence
 * library before anything is filed, and before a case is approved. A material that is a certificate
 * (adapters/licenceLibrary/materials.ts) refers to a certificate already held in the library by its
 * 电子证照标识 (`fileId`), instead of asking for it again.
 */
import { certificateTypeOf, MATERIAL_CERTIFICATE_TYPES } from '../../adapters/licenceLibrary/index.ts';
import type { CaseRecord, DocumentInput, MatterRecord } from '../../adapters/serviceHall/index.ts';
import { chinaDay } from '../../core/calendar/index.ts';
import { badInput, CityGraphError, ErrorCode } from '../../core/errors.ts';
import type { SupervisionRecord } from '../../supervision/index.ts';
import type { SubgraphContext } from '../kit/index.ts';
import type { ServicesDeps, ServicesLoaders } from './loaders.ts';

type Ctx = SubgraphContext<ServicesLoaders>;

/** The chain and field of document uses (subgraphs/documents/contract.ts, repeated: departments meet only in records). */
export const DOCUMENT_USE = { department: 'documents', field: 'Mutation.useDocument', powerItem: 'ZZ-YZ-01' } as const;

/** Throws BAD_USER_INPUT for a material the matter does not ask for, someone else's document or a missing required one. */
export function checkDocuments(matter: MatterRecord, docs: readonly DocumentInput[], applicantId: string, options: { requireAll: boolean }): void {
  docs.forEach((d, i) => {
    if (!matter.documents.some((m) => m.code === d.material)) {
      throw badInput(`documents[${i}]: matter ${matter.code} asks for no material ${d.material}; it asks for ${matter.documents.map((m) => m.code).join(', ') || 'none'}.`, 'documentMaterial');
    }
    if (d.holderId !== applicantId) throw badInput(`documents[${i}] belongs to someone else: every document must be the applicant's own.`, 'documentHolder');
  });
  if (!options.requireAll || matter.zeroMaterial) return;
  const missing = matter.documents.filter((m) => m.required && !docs.some((d) => d.material === m.code));
  if (missing.length > 0) {
    throw badInput(`Matter ${matter.code} requires ${missing.map((m) => `${m.code} (${m.name})`).join(', ')}.`, 'requiredDocument', { missing: missing.map((m) => m.code).join(',') });
  }
}

function library(deps: ServicesDeps) {
  if (!deps.library) throw new CityGraphError(ErrorCode.LICENCE_LIBRARY_UNAVAILABLE, 'No electronic licence library is configured, so no certificate can be checked.');
  return deps.library;
}

/**
 * The certificates an application refers to must be in the library, the applicant's, and of the type
 * their material is: DOCUMENT_UNKNOWN, DOCUMENT_NOT_HOLDER, DOCUMENT_WRONG_TYPE, or
 * LICENCE_LIBRARY_UNAVAILABLE when the library cannot say. Materials that are not certificates pass.
 */
export async function checkCertificates(ctx: Ctx, docs: readonly DocumentInput[], applicantId: string): Promise<void> {
  const certificates = docs.filter((d) => certificateTypeOf(d.material) !== null);
  if (certificates.length === 0) return;
  const found = await library(ctx.loaders.deps).loadCertificates(certificates.map((d) => d.fileId), { requestId: ctx.requestId });
  certificates.forEach((d, i) => {
    const c = found[i];
    const details = { documentId: d.fileId, material: d.material };
    if (c instanceof Error) throw c;
    if (!c) throw new CityGraphError(ErrorCode.DOCUMENT_UNKNOWN, `The electronic licence library holds no document ${d.fileId} (material ${d.material}).`, { details });
    if (c.holder.id.toUpperCase() !== applicantId.toUpperCase()) throw new CityGraphError(ErrorCode.DOCUMENT_NOT_HOLDER, `Document ${d.fileId} is not the applicant's own.`, { details });
    const expected = MATERIAL_CERTIFICATE_TYPES[d.material]!;
    if (c.type !== expected) {
      throw new CityGraphError(ErrorCode.DOCUMENT_WRONG_TYPE, `Document ${d.fileId} is a ${c.typeName} (${c.type}); material ${d.material} is a ${expected}.`, { details: { ...details, type: c.type } });
    }
  });
}

/** Every record of a document use for one case, oldest first. */
async function usesOfCase(ctx: Ctx, caseNumber: string): Promise<SupervisionRecord[]> {
  const store = ctx.loaders.deps.supervision;
  if (!store) throw new CityGraphError(ErrorCode.SUPERVISION_UNAVAILABLE, 'The supervision log, where document checks are recorded, is not available.');
  const out: SupervisionRecord[] = [];
  let after: string | null = null;
  for (let page = 0; page < 20; page++) {
    const r = await store.query({ department: DOCUMENT_USE.department, field: DOCUMENT_USE.field, caseNumber }, { first: 100, after, count: false });
    out.push(...r.records);
    if (!r.pageInfo.hasNextPage) break;
    after = r.pageInfo.endCursor;
  }
  return out;
}

/** The latest finished check of each document for a case: its outcome and error code, by document id. */
export async function latestChecks(ctx: Ctx, caseNumber: string): Promise<Map<string, { outcome: string; errorCode: string | null; by: string | null }>> {
  const records = await usesOfCase(ctx, caseNumber);
  const outcomes = new Map(records.filter((r) => r.kind === 'outcome').map((r) => [r.intentSeq, r]));
  const latest = new Map<string, { outcome: string; errorCode: string | null; by: string | null }>();
  for (const intent of records.filter((r) => r.kind === 'intent').sort((a, b) => a.seq - b.seq)) {
    const args = (intent.args ?? {}) as Record<string, unknown>;
    const outcome = outcomes.get(intent.seq);
    if (typeof args.documentId !== 'string' || !outcome) continue;
    latest.set(args.documentId, { outcome: outcome.outcome, errorCode: outcome.errorCode, by: typeof args.by === 'string' ? args.by : null });
  }
  return latest;
}

/**
 * Nothing is approved on an unchecked document: every certificate the case refers to must have a
 * successful check for this case as its latest (DOCUMENT_UNCHECKED otherwise), and must still check
 * out with the library now (its code otherwise; LICENCE_LIBRARY_UNAVAILABLE when the library cannot
 * say, and the case waits).
 */
export async function requireCheckedDocuments(ctx: Ctx, c: CaseRecord): Promise<void> {
  const certificates = [...new Map(c.documents.filter((d) => certificateTypeOf(d.material) !== null).map((d) => [d.fileId, d])).values()];
  if (certificates.length === 0) return;
  const checks = await latestChecks(ctx, c.caseNumber);
  for (const d of certificates) {
    const check = checks.get(d.fileId);
    if (check?.outcome !== 'SUCCESS') {
      throw new CityGraphError(
        ErrorCode.DOCUMENT_UNCHECKED,
        check
          ? `Document ${d.fileId} (${d.material}) failed its latest check for case ${c.caseNumber} (${check.errorCode ?? check.outcome}); the case cannot be approved on it.`
          : `Document ${d.fileId} (${d.material}) has not been checked for case ${c.caseNumber}: use it (useDocument) before approving.`,
        { details: { documentId: d.fileId, lastCheck: check?.errorCode ?? check?.outcome ?? null } },
      );
    }
  }
  const lib = library(ctx.loaders.deps);
  const today = chinaDay(ctx.loaders.deps.clock());
  const found = await lib.loadCertificates(certificates.map((d) => d.fileId), { requestId: ctx.requestId });
  for (const [i, d] of certificates.entries()) {
    const cert = found[i];
    if (cert instanceof Error) throw cert;
    if (!cert) throw new CityGraphError(ErrorCode.DOCUMENT_UNKNOWN, `The electronic licence library no longer holds document ${d.fileId}.`, { details: { documentId: d.fileId } });
    const verdict = await lib.verify(cert, today, { requestId: ctx.requestId });
    if (!verdict.ok) throw new CityGraphError(ErrorCode[verdict.code], `Document ${d.fileId} no longer checks out (${verdict.reason}); the case cannot be approved on it.`, { details: { documentId: d.fileId, reason: verdict.reason } });
  }
}
