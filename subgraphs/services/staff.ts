/**
 * Who performs a step, checked against the case: staff must belong to the matter's department, an
 * applicant's step must be the applicant's own case, and the case must be in a state that allows the
 * step. Refusals are coded (FORBIDDEN, CASE_STATE_CONFLICT, NOT_FOUND) and leave the case unchanged.
 */
import type { CaseRecord, CaseState, StaffHandler } from '../../adapters/serviceHall/index.ts';
import { CityGraphError, ErrorCode } from '../../core/errors.ts';
import type { Principal } from '../../core/principal.ts';
import type { SubgraphContext } from '../kit/index.ts';
import type { ServicesLoaders } from './loaders.ts';

type Ctx = SubgraphContext<ServicesLoaders>;

/** The hall's name of each staff step's post. */
const POSTS = { accept: '窗口受理人员', supplement: '窗口受理人员', decide: '审批人员', complete: '窗口受理人员' } as const;

/** The identity an applicant acts under: a citizen or enterprise itself, or the citizen an app acts for. */
export function applicantOf(p: Principal): { kind: 'citizen' | 'enterprise'; id: string } {
  const id = p.role === 'app' ? p.onBehalfOf : p.sub;
  if (!id || !['citizen', 'enterprise', 'app'].includes(p.role)) throw new CityGraphError(ErrorCode.FORBIDDEN, 'Only a citizen, an enterprise or an app acting for a citizen files applications.');
  return { kind: p.role === 'enterprise' ? 'enterprise' : 'citizen', id: id.toUpperCase() };
}

/** Loads a case or throws NOT_FOUND. */
export async function loadCase(ctx: Ctx, caseNumber: string): Promise<CaseRecord> {
  const c = await ctx.loaders.application.load(caseNumber);
  if (!c) throw new CityGraphError(ErrorCode.NOT_FOUND, `No case ${caseNumber} in the service hall.`, { department: 'serviceHall' });
  return c;
}

/** Throws CASE_STATE_CONFLICT unless the case is in one of `allowed`. */
export function requireState(c: CaseRecord, allowed: readonly CaseState[], step: string): void {
  if (!allowed.includes(c.state)) {
    throw new CityGraphError(ErrorCode.CASE_STATE_CONFLICT, `Case ${c.caseNumber} is ${c.state}; ${step} needs ${allowed.join(' or ')}.`, { details: { state: c.state, step } });
  }
}

/** The case and the hall handler of a staff step, or FORBIDDEN when the staff member is of another department. */
export async function staffStep(ctx: Ctx, caseNumber: string, step: keyof typeof POSTS): Promise<{ c: CaseRecord; by: StaffHandler }> {
  const c = await loadCase(ctx, caseNumber);
  const p = ctx.principal;
  if (p.role !== 'staff' || p.department !== c.department) {
    throw new CityGraphError(ErrorCode.FORBIDDEN, `Only staff of ${c.department}, the department of matter ${c.matterCode}, may take this step on case ${c.caseNumber}.`, { details: { department: c.department } });
  }
  return { c, by: { department: c.department, post: POSTS[step], account: p.sub ?? 'unknown' } };
}

/** The case of an applicant's own step, or FORBIDDEN. */
export async function ownCase(ctx: Ctx, caseNumber: string): Promise<{ c: CaseRecord; applicant: { kind: 'citizen' | 'enterprise'; id: string } }> {
  const applicant = applicantOf(ctx.principal);
  const c = await loadCase(ctx, caseNumber);
  if (c.applicant.id !== applicant.id) throw new CityGraphError(ErrorCode.FORBIDDEN, `Case ${c.caseNumber} is not yours: only its applicant may add documents.`);
  return { c, applicant };
}
