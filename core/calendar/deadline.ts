/**
 * The deadline of a case (办件) in working days: counting starts the day after acceptance (受理);
 * a request for more documents (补正) stops the count after the day it was made, and the count goes
 * on from the day after the documents arrive, the days already used kept. Completion stops the count.
 */
import { addWorkingDays, checkDay, workingDaysBetween, type Day } from './working-days.ts';

/** One stop of the count: requested on `from`, documents received on `to` (null while waiting). */
export interface Pause {
  from: Day;
  to: Day | null;
}

/** What the deadline is computed from. */
export interface DeadlineInput {
  /** Promised working days (承诺时限), ≥ 1. */
  workingDays: number;
  /** Day of acceptance (受理). */
  acceptedOn: Day;
  /** Stops of the count, in order; at most the last may be open. Default none. */
  pauses?: readonly Pause[];
  /** Day the case ended (审批/办结, 不予许可); the count stops there. Default: still running. */
  endedOn?: Day | null;
  /** Today, in China. */
  today: Day;
}

/** A case's deadline as the applicant and the supervisors see it. */
export interface DeadlineState {
  /** Last day of the promise; null while paused (it depends on when the documents arrive). */
  deadline: Day | null;
  /** Working days counted so far. */
  usedWorkingDays: number;
  /** Promised days minus days used: negative once past the deadline. */
  remainingWorkingDays: number;
  /** True when the case is (or ended) past its deadline. */
  overdue: boolean;
  /** True while waiting for requested documents. */
  paused: boolean;
}

/** Computes the deadline state; throws CALENDAR_OUT_OF_RANGE when a day needed is outside the calendar. */
export function computeDeadline(input: DeadlineInput): DeadlineState {
  const { workingDays: n, acceptedOn } = input;
  if (!Number.isInteger(n) || n < 1) throw new RangeError(`A deadline needs a whole number of working days ≥ 1, got ${n}.`);
  const pauses = input.pauses ?? [];
  pauses.forEach((p, i) => {
    if (p.to === null && i !== pauses.length - 1) throw new RangeError('Only the last pause of a case may still be open.');
  });
  const today = checkDay(input.today);
  const asOf = input.endedOn && input.endedOn < today ? checkDay(input.endedOn) : today;
  // Counting segments (after, upTo]: from acceptance to the first pause, from each resumption to the next.
  const segments: Array<{ after: Day; upTo: Day | null }> = [];
  let after = checkDay(acceptedOn);
  for (const p of pauses) {
    segments.push({ after, upTo: p.from });
    if (p.to === null) break;
    after = p.to;
  }
  const open = pauses.length === 0 || pauses[pauses.length - 1]!.to !== null;
  if (open) segments.push({ after, upTo: null });

  let used = 0;
  let counted = 0;
  let deadline: Day | null = null;
  for (const s of segments) {
    const segmentEnd = s.upTo ?? asOf;
    used += workingDaysBetween(s.after, segmentEnd < asOf ? segmentEnd : asOf);
    if (deadline !== null) continue;
    const length = s.upTo === null ? Infinity : workingDaysBetween(s.after, s.upTo);
    if (counted + length >= n) deadline = addWorkingDays(s.after, n - counted);
    else counted += length;
  }
  const paused = !open && !input.endedOn;
  const end = input.endedOn ? checkDay(input.endedOn) : today;
  return {
    deadline,
    usedWorkingDays: used,
    remainingWorkingDays: n - used,
    overdue: deadline !== null && end > deadline,
    paused,
  };
}
