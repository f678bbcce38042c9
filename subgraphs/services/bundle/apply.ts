/**
 * `applyNewbornBundle`: files the bundle's case at the hall, accepts it as the bundle platform, runs
 * the parts (saga.ts) and, when every part is done, approves and completes the case. A replay with the
 * same idempotency key returns the case as it stands, sending nothing twice.
 */
import { badInput } from '../../../core/errors.ts';
import { chinaDay, nextDay } from '../../../core/calendar/index.ts';
import type { SubgraphContext } from '../../kit/index.ts';
import type { ServicesLoaders } from '../loaders.ts';
import { applicantOf, loadCase } from '../staff.ts';
import { NEWBORN_MATTER, newbornSteps, type NewbornInput, type NewbornState } from './newborn.ts';
import { BUNDLE_PLATFORM, partRecorder } from './record.ts';
import { bundleState, runSaga } from './saga.ts';

type Ctx = SubgraphContext<ServicesLoaders>;

export async function applyNewbornBundle(_: unknown, args: { input: NewbornInput; idempotencyKey: string }, ctx: Ctx) {
  const applicant = applicantOf(ctx.principal);
  if (applicant.kind !== 'citizen') throw badInput('A newborn bundle is filed by a parent (a citizen), or an app acting for one.', 'applicant');
  const deps = ctx.loaders.deps;
  const today = chinaDay(deps.clock());
  // Registration is due within a month of birth; the registry takes late ones, but not from the future or older than a year.
  if (args.input.birthDate > today || args.input.birthDate < nextDay(today, -365)) throw badInput(`birthDate must be within the last year (today is ${today}).`, 'birthDate');
  const req = { requestId: ctx.requestId };
  const documents = [
    { material: 'CSYXZM', holderId: applicant.id, fileId: `CSYXZM-${args.input.birthCertificate}` },
    { material: 'SFZ', holderId: applicant.id, fileId: 'SFZ-ELECTRONIC' },
  ];
  let c = await deps.hall.submit({ matterCode: NEWBORN_MATTER, applicant, idempotencyKey: args.idempotencyKey, documents }, req);
  if (c.history.some((s) => s.stage === 'BUNDLE_PART')) return c;
  const rec = partRecorder(ctx, deps.supervision, deps.hall, c.caseNumber, applicant.id, 'newborn');
  if (c.state === 'SUBMITTED') c = await rec.recorded('services.accept', 'do', 'ZW-SL-02', () => deps.hall.accept(c.caseNumber, BUNDLE_PLATFORM, req));
  const steps = newbornSteps({ births: deps.births, enrolment: deps.enrolment, housingFund: deps.housingFund });
  const state: NewbornState = { parentId: applicant.id, input: args.input, ctx: { requestId: ctx.requestId, idempotencyKey: args.idempotencyKey } };
  const parts = await runSaga(steps, state, rec);
  if (bundleState(parts, steps.length) === 'DONE') {
    await rec.recorded('services.approve', 'do', 'ZW-SP-05', () => deps.hall.decide(c.caseNumber, BUNDLE_PLATFORM, true, '一件事各环节均已办理', req));
    await rec.recorded('services.complete', 'do', 'ZW-BJ-07', () => deps.hall.complete(c.caseNumber, BUNDLE_PLATFORM, req));
  }
  ctx.loaders.application.clear(c.caseNumber);
  return loadCase(ctx, c.caseNumber);
}
