/** A case's deadline state on the holiday calendar, computed once per case object and clock reading. */
import type { CaseRecord } from '../../adapters/serviceHall/index.ts';
import { chinaDay, computeDeadline, type DeadlineState, type Pause } from '../../core/calendar/index.ts';

/** Deadline fields of a case not (yet) accepted: nothing runs. */
const NOT_RUNNING = { deadline: null, remainingWorkingDays: null, overdue: null, paused: false, usedWorkingDays: null } as const;

const cache = new WeakMap<CaseRecord, DeadlineState | typeof NOT_RUNNING>();

/** The deadline state of `c` today; throws CALENDAR_OUT_OF_RANGE when the count leaves the calendar. */
export function deadlineOf(c: CaseRecord, now: Date): DeadlineState | typeof NOT_RUNNING {
  const hit = cache.get(c);
  if (hit) return hit;
  let state: DeadlineState | typeof NOT_RUNNING = NOT_RUNNING;
  if (c.acceptedAt) {
    const pauses: Pause[] = [];
    for (const s of c.history) {
      if (s.stage === 'SUPPLEMENT_REQUESTED') pauses.push({ from: s.day, to: null });
      if (s.stage === 'SUPPLEMENT_RECEIVED' && pauses.length > 0 && pauses[pauses.length - 1]!.to === null) pauses[pauses.length - 1]!.to = s.day;
    }
    const decided = c.history.find((s) => s.stage === 'APPROVED' || s.stage === 'REJECTED');
    state = computeDeadline({ workingDays: c.promisedWorkingDays, acceptedOn: chinaDay(new Date(c.acceptedAt)), pauses, endedOn: decided?.day ?? null, today: chinaDay(now) });
  }
  cache.set(c, state);
  return state;
}
