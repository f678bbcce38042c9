/**
 * Zero-material filing (零材料办理): a certificate the matter asks for and the applicant did not hand
 * in is asked of the department that issues it. The population registry issues the household
 * register (居民户口簿): its household query names the 电子证照标识 of each member's page; the enterprise
 * registry issues the business licence (营业执照) and names its electronic licence. After the
 * case is filed, the page is checked for the case like any use, by the platform, and recorded as one
 * (documents chain, `Mutation.useDocument`, `by: PLATFORM`): the holder sees it in `documentUses`. A
 * failed check does not undo the filing: the case waits, and is not approved until a check succeeds.
 */
import { certificateTypeOf, checkForUse } from '../../adapters/licenceLibrary/index.ts';
import type { CaseRecord, DocumentInput, MatterRecord } from '../../adapters/serviceHall/index.ts';
import { chinaDay } from '../../core/calendar/index.ts';
import { CityGraphError, ErrorCode } from '../../core/errors.ts';
import { recordMutation, type SubgraphContext } from '../kit/index.ts';
import { DOCUMENT_USE, latestChecks } from './documents.ts';
import type { ServicesLoaders } from './loaders.ts';

type Ctx = SubgraphContext<ServicesLoaders>;

/** The purpose recorded with an automatic fetch (用证事由), by certificate type. */
export const ZERO_MATERIAL_PURPOSES: Readonly<Record<string, string>> = {
  HOUSEHOLD_REGISTER: '零材料办理：向户籍管理部门调取居民户口簿',
  BUSINESS_LICENCE: '零材料办理：向市场监管部门调取营业执照',
};

/**
 * The documents to fetch for a zero-material application: the applicant's page of the household
 * register, when the matter asks for one and none was handed in. Throws the registry's coded error when
 * it cannot say, DOCUMENT_UNKNOWN when it knows no household register of the applicant.
 */
export async function fetchFromIssuers(ctx: Ctx, matter: MatterRecord, docs: readonly DocumentInput[], applicant: { kind: 'citizen' | 'enterprise'; id: string }): Promise<DocumentInput[]> {
  if (!matter.zeroMaterial) return [];
  const issued = applicant.kind === 'citizen' ? 'HOUSEHOLD_REGISTER' : 'BUSINESS_LICENCE';
  const wanted = matter.documents.filter((m) => certificateTypeOf(m.code) === issued && !docs.some((d) => d.material === m.code));
  if (wanted.length === 0) return [];
  if (applicant.kind === 'enterprise') {
    const registry = ctx.loaders.deps.businessLicences;
    if (!registry) throw new CityGraphError(ErrorCode.ADAPTER_UNAVAILABLE, 'The enterprise registry is not configured, so the business licence cannot be fetched.', { department: 'marketRegulation' });
    const [licence] = await registry.businessLicencesOf([applicant.id], { requestId: ctx.requestId });
    if (licence instanceof Error) throw licence;
    if (!licence) throw new CityGraphError(ErrorCode.DOCUMENT_UNKNOWN, 'The enterprise registry holds no business licence for the applicant: hand one in instead.', { department: 'marketRegulation' });
    return wanted.map((m) => ({ material: m.code, holderId: applicant.id, fileId: licence.licenceId }));
  }
  const registry = ctx.loaders.deps.households;
  if (!registry) throw new CityGraphError(ErrorCode.ADAPTER_UNAVAILABLE, 'The population registry is not configured, so the household register cannot be fetched.', { department: 'population' });
  const [household] = await registry.householdsOf([applicant.id], { requestId: ctx.requestId });
  if (household instanceof Error) throw household;
  const page = household?.members.find((m) => m.id === applicant.id)?.householdRegisterId;
  if (!page) throw new CityGraphError(ErrorCode.DOCUMENT_UNKNOWN, 'The population registry holds no household register for the applicant: hand one in instead.', { department: 'population' });
  return wanted.map((m) => ({ material: m.code, holderId: applicant.id, fileId: page }));
}

/**
 * Checks each fetched document for the filed case, recorded as a use by the platform. Never throws:
 * a failure is in the record (and the case waits); the filing itself stands. A document this case
 * already had checked by the platform (a replay of the same filing) is not checked again.
 */
export async function checkFetched(ctx: Ctx, c: CaseRecord, fetched: readonly DocumentInput[]): Promise<void> {
  const deps = ctx.loaders.deps;
  if (fetched.length === 0 || !deps.supervision || !deps.library) return;
  const store = deps.supervision;
  const library = deps.library;
  let earlier: Awaited<ReturnType<typeof latestChecks>>;
  try {
    earlier = await latestChecks(ctx, c.caseNumber);
  } catch (e) {
    ctx.log.warn({ err: e, caseNumber: c.caseNumber }, 'earlier document checks not readable; the fetched document stays unchecked');
    return;
  }
  for (const d of fetched) {
    if (earlier.get(d.fileId)?.by === 'PLATFORM') continue;
    const type = certificateTypeOf(d.material)!;
    const purpose = ZERO_MATERIAL_PURPOSES[type] ?? '零材料办理：向发证部门调取证照';
    const args = {
      caseNumber: c.caseNumber,
      documentId: d.fileId,
      purpose,
      certificateType: certificateTypeOf(d.material),
      matterCode: c.matterCode,
      department: c.department,
      by: 'PLATFORM',
    };
    try {
      await recordMutation(
        store,
        ctx,
        {
          department: DOCUMENT_USE.department,
          field: DOCUMENT_USE.field,
          power: { code: DOCUMENT_USE.powerItem, subject: () => ({ kind: c.applicant.kind, id: d.holderId }), caseNumber: () => c.caseNumber },
          args,
        },
        () =>
          checkForUse(
            library,
            {
              documentId: d.fileId,
              applicantId: c.applicant.id,
              acceptedTypes: [type],
              use: { department: c.department, matterCode: c.matterCode, caseNumber: c.caseNumber, purpose },
              today: chinaDay(deps.clock()),
            },
            { requestId: ctx.requestId },
          ),
      );
    } catch (e) {
      ctx.log.warn({ err: e, caseNumber: c.caseNumber, documentId: d.fileId }, 'fetched document did not check out; the case waits for a successful check');
    }
  }
}
