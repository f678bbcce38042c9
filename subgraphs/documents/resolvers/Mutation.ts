/**
 * `useDocument`: staff of the department handling a case check a certificate with its issuer for that
 * case. The kit records the use (index.ts says what the record holds); the resolver only decides.
 */
import { certificateTypeOf, checkForUse, type CertificateType } from '../../../adapters/licenceLibrary/index.ts';
import type { CaseRecord } from '../../../adapters/serviceHall/index.ts';
import { chinaDay } from '../../../core/calendar/index.ts';
import { CityGraphError, ErrorCode } from '../../../core/errors.ts';
import type { SubgraphContext } from '../../kit/index.ts';
import type { SubjectInput } from '../../../supervision/index.ts';
import type { DocumentsLoaders } from '../loaders.ts';
import { validateCaseNumber, validateDocumentId } from '../validate.ts';

type Ctx = SubgraphContext<DocumentsLoaders>;

/** The certificate types a matter asks for, from its materials; null when the matter is not in the catalogue. */
export async function acceptedTypes(ctx: Ctx, matterCode: string): Promise<CertificateType[] | null> {
  const matter = (await ctx.loaders.matters()).find((m) => m.code === matterCode);
  if (!matter) return null;
  return [...new Set(matter.documents.map((d) => certificateTypeOf(d.code)).filter((t): t is CertificateType => t !== null))];
}

/**
 * What the record of a use needs before the use (the kit's `prepare`): the document's holder as the
 * subject, its type, and the case's matter and department. Anything the library or the hall cannot
 * say now is left null; the resolver then reports why.
 */
export async function prepareUse(args: Record<string, unknown>, ctx: Ctx): Promise<{ subject: SubjectInput | null; args: Record<string, unknown> }> {
  let documentId: string;
  let caseNumber: string;
  try {
    documentId = validateDocumentId(args.documentId);
    caseNumber = validateCaseNumber(args.caseNumber);
  } catch {
    return { subject: null, args: { certificateType: null, matterCode: null, department: null, by: 'STAFF' } };
  }
  const [certificate, c] = await Promise.all([
    ctx.loaders.certificate.load(documentId).catch(() => null),
    ctx.loaders.application.load(caseNumber).catch(() => null),
  ]);
  return {
    subject: certificate ? { kind: certificate.holder.kind, id: certificate.holder.id } : null,
    args: { certificateType: certificate?.type ?? null, matterCode: c?.matterCode ?? null, department: c?.department ?? null, by: 'STAFF' },
  };
}

async function caseFor(ctx: Ctx, caseNumber: string): Promise<CaseRecord> {
  const c = await ctx.loaders.application.load(caseNumber);
  if (!c) throw new CityGraphError(ErrorCode.NOT_FOUND, `No case ${caseNumber} in the service hall.`, { department: 'serviceHall' });
  return c;
}

export const Mutation = {
  async useDocument(_: unknown, args: { caseNumber: string; documentId: string; purpose: string }, ctx: Ctx) {
    const c = await caseFor(ctx, args.caseNumber);
    const p = ctx.principal;
    if (p.role !== 'staff' || p.department !== c.department) {
      throw new CityGraphError(ErrorCode.FORBIDDEN, `Only staff of ${c.department}, the department handling case ${c.caseNumber}, may use documents for it.`, { details: { department: c.department } });
    }
    const deps = ctx.loaders.deps;
    const document = await checkForUse(
      deps.library,
      {
        documentId: args.documentId,
        applicantId: c.applicant.id,
        acceptedTypes: await acceptedTypes(ctx, c.matterCode),
        use: { department: c.department, matterCode: c.matterCode, caseNumber: c.caseNumber, purpose: args.purpose },
        today: chinaDay(deps.clock()),
      },
      { requestId: ctx.requestId },
    );
    ctx.loaders.certificate.clear(document.id).prime(document.id, document);
    return { document, caseNumber: c.caseNumber, purpose: args.purpose, valid: true, checkedAt: deps.clock().toISOString() };
  },
};
