import { describe, expect, it } from 'vitest';
import type { CaseRecord } from '../../../adapters/serviceHall/index.ts';
import { deadlineOf } from '../deadline.ts';

const at = (day: string) => new Date(`${day}T10:00:00+08:00`).toISOString();
const step = (stage: CaseRecord['history'][number]['stage'], day: string) => ({ stage, at: at(day), day, actor: { role: 'staff' as const, post: '窗口受理人员', department: 'population' }, note: null, part: null });
const base = (over: Partial<CaseRecord>): CaseRecord => ({
  caseNumber: '2101002501060001', matterCode: 'GA0102', department: 'population', applicant: { kind: 'citizen', id: '210102198503152318' },
  state: 'ACCEPTED', submittedAt: at('2025-01-24'), acceptedAt: at('2025-01-24'), endedAt: null, promisedWorkingDays: 10, documents: [], history: [], ...over,
});

describe('a case\'s deadline from its hall history', () => {
  it('pairs each 补正 request with the documents that answer it and stops at the decision', () => {
    const c = base({
      history: [step('ACCEPTED', '2025-01-24'), step('SUPPLEMENT_REQUESTED', '2025-01-27'), step('SUPPLEMENT_RECEIVED', '2025-02-10'), step('APPROVED', '2025-02-14')],
      state: 'APPROVED',
    });
    // Used before the pause: Sun 26 Jan (make-up day) and Mon 27 Jan; resumed after Mon 10 Feb (Sat 8 Feb, worked, falls in the pause): 8 more end Thu 20 Feb.
    expect(deadlineOf(c, new Date('2025-06-01T00:00:00Z'))).toMatchObject({ deadline: '2025-02-20', overdue: false, usedWorkingDays: 6 });
  });

  it('has no deadline before acceptance, and a count into a year outside the calendar is CALENDAR_OUT_OF_RANGE', () => {
    expect(deadlineOf(base({ acceptedAt: null, state: 'SUBMITTED' }), new Date())).toMatchObject({ deadline: null, overdue: null, paused: false });
    const late = base({ acceptedAt: at('2026-12-15'), promisedWorkingDays: 20, history: [step('ACCEPTED', '2026-12-15')] });
    expect(() => deadlineOf(late, new Date('2026-12-16T02:00:00Z'))).toThrowError(expect.objectContaining({ code: 'CALENDAR_OUT_OF_RANGE' }));
  });
});
