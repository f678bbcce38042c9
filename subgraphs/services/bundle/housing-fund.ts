/**
 * The housing-fund part of the newborn bundle: a family-member record (家庭成员信息登记, matter GJ0306)
 * on the parent's housing-fund account, where the parent holds one. The housing-fund department's
 * adapter is built on another branch; this is the port it must offer, wired in main.ts at merge.
 * Until then the part is SKIPPED with the reason "not wired", on the record like every other part.
 */
import type { BundleStep } from './saga.ts';
import type { NewbornState } from './newborn-state.ts';

/** What the housing-fund adapter must offer the bundle. */
export interface HousingFundFamilyRecords {
  /** True when the citizen holds a housing-fund account (any status but closed). */
  hasAccount(citizenId: string, ctx: { requestId: string }): Promise<boolean>;
  /** Adds a family member to the holder's account; returns the record's id (needed to undo). */
  addFamilyMember(input: { holderId: string; memberId: string; memberName: string; relation: 'CHILD' }, ctx: { requestId: string; idempotencyKey: string }): Promise<{ recordId: string }>;
  /** Removes a family record made in error; leave it out if the department cannot, and the bundle is flagged for staff instead. */
  removeFamilyMember?(recordId: string, ctx: { requestId: string; idempotencyKey: string }): Promise<void>;
}

/** Power item of the family record (invented code in the shape of the others). */
export const HOUSING_FUND_FAMILY_RECORD_POWER = 'GJJ-DJ-0306';

/** The part; `port` undefined means the department is not wired in this build. */
export function housingFundFamilyRecordStep(port: HousingFundFamilyRecords | undefined): BundleStep<NewbornState> {
  return {
    name: 'housingFund.familyRecord',
    powerItem: HOUSING_FUND_FAMILY_RECORD_POWER,
    async applies(s) {
      if (!port) return 'The housing-fund department is not wired in this deployment yet.';
      return (await port.hasAccount(s.parentId, s.ctx)) ? true : 'The applicant holds no housing-fund account.';
    },
    async do(s) {
      const { recordId } = await port!.addFamilyMember({ holderId: s.parentId, memberId: s.childId!, memberName: s.input.childName, relation: 'CHILD' }, s.ctx);
      s.familyRecordId = recordId;
      return 'Family record added to the parent\'s housing-fund account.';
    },
    ...(port?.removeFamilyMember && {
      async compensate(s: NewbornState) {
        await port.removeFamilyMember!(s.familyRecordId!, { ...s.ctx, idempotencyKey: `${s.ctx.idempotencyKey}:hf-undo` });
        return 'Family record removed.';
      },
    }),
  };
}
