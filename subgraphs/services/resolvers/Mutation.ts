/**
 * Mutation fields of the services subgraph: every step of a case. Each is recorded by the kit with
 * its power item and case number (index.ts `powers`); a refused step leaves the case unchanged.
 */
import type { CaseRecord, DocumentInput } from '../../../adapters/serviceHall/index.ts';
import { badInput } from '../../../core/errors.ts';
import type { SubgraphContext } from '../../kit/index.ts';
import { applyNewbornBundle } from '../bundle/apply.ts';
import { NEWBORN_MATTER } from '../bundle/newborn.ts';
import { checkCertificates, checkDocuments, requireCheckedDocuments } from '../documents.ts';
import type { ServicesLoaders } from '../loaders.ts';
import { applicantOf, ownCase, requireState, staffStep } from '../staff.ts';
import { checkFetched, fetchFromIssuers } from '../zero.ts';

type Ctx = SubgraphContext<ServicesLoaders>;
const req = (ctx: Ctx) => ({ requestId: ctx.requestId });

/** The case as the hall now holds it, primed into this request's loader. */
function fresh(ctx: Ctx, c: CaseRecord): CaseRecord {
  ctx.loaders.application.clear(c.caseNumber).prime(c.caseNumber, c);
  return c;
}

async function matterOf(ctx: Ctx, code: string) {
  const matter = (await ctx.loaders.matters()).find((m) => m.code === code);
  if (!matter) throw badInput(`No matter ${code} in the catalogue; see Query.matters.`, 'matterCode');
  return matter;
}

export const Mutation = {
  async submitApplication(_: unknown, args: { matterCode: string; documents: DocumentInput[]; idempotencyKey: string }, ctx: Ctx) {
    const applicant = applicantOf(ctx.principal);
    const matter = await matterOf(ctx, args.matterCode);
    if (matter.code === NEWBORN_MATTER) throw badInput('The newborn bundle is filed with applyNewbornBundle, which sends each part to its department.', 'matterCode');
    checkDocuments(matter, args.documents, applicant.id, { requireAll: true });
    await checkCertificates(ctx, args.documents, applicant.id);
    // Zero-material: what the matter asks for and the applicant did not hand in, the issuing department provides.
    const fetched = await fetchFromIssuers(ctx, matter, args.documents, applicant);
    const filed = await ctx.loaders.deps.hall.submit({ matterCode: matter.code, applicant, idempotencyKey: args.idempotencyKey, documents: [...args.documents, ...fetched] }, req(ctx));
    await checkFetched(ctx, filed, fetched);
    return fresh(ctx, filed);
  },
  async acceptApplication(_: unknown, args: { caseNumber: string }, ctx: Ctx) {
    const { c, by } = await staffStep(ctx, args.caseNumber, 'accept');
    requireState(c, ['SUBMITTED', 'PRE_REVIEWED'], 'acceptance');
    return fresh(ctx, await ctx.loaders.deps.hall.accept(c.caseNumber, by, req(ctx)));
  },
  async requestSupplement(_: unknown, args: { caseNumber: string; reason: string }, ctx: Ctx) {
    const { c, by } = await staffStep(ctx, args.caseNumber, 'supplement');
    requireState(c, ['ACCEPTED'], 'a request for more documents');
    return fresh(ctx, await ctx.loaders.deps.hall.requestSupplement(c.caseNumber, by, args.reason, req(ctx)));
  },
  async supplementApplication(_: unknown, args: { caseNumber: string; documents: DocumentInput[] }, ctx: Ctx) {
    const { c, applicant } = await ownCase(ctx, args.caseNumber);
    requireState(c, ['SUPPLEMENT_REQUESTED'], 'adding documents');
    if (args.documents.length === 0) throw badInput('Send at least one document with the supplement.', 'documents');
    checkDocuments(await matterOf(ctx, c.matterCode), args.documents, applicant.id, { requireAll: false });
    await checkCertificates(ctx, args.documents, applicant.id);
    return fresh(ctx, await ctx.loaders.deps.hall.supplement(c.caseNumber, applicant.id, args.documents, req(ctx)));
  },
  async approveApplication(_: unknown, args: { caseNumber: string; note: string }, ctx: Ctx) {
    const { c, by } = await staffStep(ctx, args.caseNumber, 'decide');
    requireState(c, ['ACCEPTED'], 'approval');
    // Nothing is approved on an unchecked document; the library down means the case waits.
    await requireCheckedDocuments(ctx, c);
    return fresh(ctx, await ctx.loaders.deps.hall.decide(c.caseNumber, by, true, args.note || '同意', req(ctx)));
  },
  async rejectApplication(_: unknown, args: { caseNumber: string; reason: string }, ctx: Ctx) {
    const { c, by } = await staffStep(ctx, args.caseNumber, 'decide');
    requireState(c, ['SUBMITTED', 'PRE_REVIEWED', 'ACCEPTED'], 'a rejection');
    const hall = ctx.loaders.deps.hall;
    // Before acceptance it is 不予受理; after, 不予许可.
    const after = c.state === 'ACCEPTED' ? await hall.decide(c.caseNumber, by, false, args.reason, req(ctx)) : await hall.notAccept(c.caseNumber, by, args.reason, req(ctx));
    return fresh(ctx, after);
  },
  async completeApplication(_: unknown, args: { caseNumber: string }, ctx: Ctx) {
    const { c, by } = await staffStep(ctx, args.caseNumber, 'complete');
    requireState(c, ['APPROVED'], 'completion');
    return fresh(ctx, await ctx.loaders.deps.hall.complete(c.caseNumber, by, req(ctx)));
  },
  applyNewbornBundle,
};
