/** The Application type: a hall case in the graph's words, with its deadline counted on the calendar. */
import type { CaseRecord } from '../../../adapters/serviceHall/index.ts';
import type { SubgraphContext } from '../../kit/index.ts';
import { bundleState } from '../bundle/saga.ts';
import { NEWBORN_MATTER } from '../bundle/newborn.ts';
import { deadlineOf } from '../deadline.ts';
import type { ServicesLoaders } from '../loaders.ts';

type Ctx = SubgraphContext<ServicesLoaders>;
const now = (ctx: Ctx) => ctx.loaders.deps.clock();
/** Parts a newborn bundle has, whatever applies to the applicant. */
const NEWBORN_PARTS = 3;

export const Application = {
  matter: async (c: CaseRecord, _: unknown, ctx: Ctx) => (await ctx.loaders.matters()).find((m) => m.code === c.matterCode) ?? null,
  citizen: (c: CaseRecord) => (c.applicant.kind === 'citizen' ? { id: c.applicant.id } : null),
  enterprise: (c: CaseRecord) => (c.applicant.kind === 'enterprise' ? { uscc: c.applicant.id } : null),
  deadline: (c: CaseRecord, _: unknown, ctx: Ctx) => deadlineOf(c, now(ctx)).deadline,
  remainingWorkingDays: (c: CaseRecord, _: unknown, ctx: Ctx) => deadlineOf(c, now(ctx)).remainingWorkingDays,
  overdue: (c: CaseRecord, _: unknown, ctx: Ctx) => deadlineOf(c, now(ctx)).overdue,
  paused: (c: CaseRecord) => c.state === 'SUPPLEMENT_REQUESTED',
  history: (c: CaseRecord) => c.history.map((s) => ({ ...s, actor: { ...s.actor, role: s.actor.role === 'applicant' ? 'APPLICANT' : 'STAFF' } })),
  bundle(c: CaseRecord) {
    const steps = c.history.filter((s) => s.part !== null);
    if (c.matterCode !== NEWBORN_MATTER && steps.length === 0) return null;
    const latest = new Map<string, { name: string; department: string; outcome: NonNullable<typeof steps[number]['part']>['outcome']; note: string | null }>();
    for (const s of steps) latest.set(s.part!.name, { name: s.part!.name, department: s.part!.name.split('.')[0]!, outcome: s.part!.outcome, note: s.note });
    const parts = [...latest.values()];
    return { state: bundleState(parts, NEWBORN_PARTS), parts };
  },
};
