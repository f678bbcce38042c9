import { describe, expect, it } from 'vitest';
import { addWorkingDays, chinaDay, computeDeadline, isWorkingDay, workingDaysBetween } from '../index.ts';
import { clockFromSetting } from '../../clock.ts';

describe('working days on the State Council calendar', () => {
  it('counts across Spring Festival 2025: 28 Jan–4 Feb off, Sunday 26 Jan and Saturday 8 Feb worked', () => {
    expect(isWorkingDay('2025-01-26')).toBe(true); // Sunday, 调休上班
    expect(isWorkingDay('2025-01-28')).toBe(false); // 除夕, off since the 2025 revision
    expect(isWorkingDay('2025-02-04')).toBe(false);
    expect(isWorkingDay('2025-02-08')).toBe(true); // Saturday, 调休上班
    // Accepted Friday 24 Jan: Sun 26 (1), Mon 27 (2), then Wed 5 Feb (3) … Sat 8 Feb (6), Mon 10 (7).
    expect(addWorkingDays('2025-01-24', 1)).toBe('2025-01-26');
    expect(addWorkingDays('2025-01-24', 2)).toBe('2025-01-27');
    expect(addWorkingDays('2025-01-24', 3)).toBe('2025-02-05');
    expect(addWorkingDays('2025-01-24', 6)).toBe('2025-02-08');
    expect(addWorkingDays('2025-01-24', 7)).toBe('2025-02-10');
  });

  it('counts across Spring Festival 2026: 15–23 Feb off, Saturdays 14 and 28 Feb worked', () => {
    expect(isWorkingDay('2026-02-14')).toBe(true);
    expect(isWorkingDay('2026-02-23')).toBe(false); // a Monday, moved off
    expect(isWorkingDay('2026-02-28')).toBe(true);
    // Accepted Thursday 12 Feb, 5 days: Fri 13, Sat 14, Tue 24, Wed 25, Thu 26.
    expect(addWorkingDays('2026-02-12', 5)).toBe('2026-02-26');
    expect(addWorkingDays('2026-02-12', 7)).toBe('2026-02-28');
    expect(workingDaysBetween('2026-02-12', '2026-03-02')).toBe(8);
  });

  it('counts National Day 2025 with its make-up Sunday 28 Sep and Saturday 11 Oct', () => {
    expect(isWorkingDay('2025-09-28')).toBe(true);
    expect(isWorkingDay('2025-10-08')).toBe(false);
    expect(isWorkingDay('2025-10-11')).toBe(true);
    // Accepted Friday 26 Sep, 3 days: Sun 28, Mon 29, Tue 30; the 4th is Thu 9 Oct, the 6th Sat 11 Oct.
    expect(addWorkingDays('2025-09-26', 3)).toBe('2025-09-30');
    expect(addWorkingDays('2025-09-26', 4)).toBe('2025-10-09');
    expect(addWorkingDays('2025-09-26', 6)).toBe('2025-10-11');
    expect(addWorkingDays('2025-09-26', 7)).toBe('2025-10-13');
  });

  it('starts counting the day after a case accepted on the last working day before a holiday', () => {
    // Tuesday 30 Sep 2025 is the last working day before National Day: the first day counted is 9 Oct.
    const s = computeDeadline({ workingDays: 5, acceptedOn: '2025-09-30', today: '2025-10-08' });
    expect(s).toEqual({ deadline: '2025-10-14', usedWorkingDays: 0, remainingWorkingDays: 5, overdue: false, paused: false });
    // Saturday 14 Feb 2026 (worked) before Spring Festival: 20 days end on Friday 20 Mar.
    expect(computeDeadline({ workingDays: 20, acceptedOn: '2026-02-14', today: '2026-02-14' }).deadline).toBe('2026-03-20');
  });

  it('pauses a 补正 over a weekend and resumes the day after the documents arrive, days used kept', () => {
    // Accepted Mon 3 Mar 2025, 5 days. 补正 asked Wed 5 Mar (Tue 4, Wed 5 used), documents Mon 10 Mar.
    const paused = computeDeadline({ workingDays: 5, acceptedOn: '2025-03-03', pauses: [{ from: '2025-03-05', to: null }], today: '2025-03-08' });
    expect(paused).toEqual({ deadline: null, usedWorkingDays: 2, remainingWorkingDays: 3, overdue: false, paused: true });
    const resumed = computeDeadline({ workingDays: 5, acceptedOn: '2025-03-03', pauses: [{ from: '2025-03-05', to: '2025-03-10' }], today: '2025-03-12' });
    // Thu 6, Fri 7 and Mon 10 do not count; Tue 11, Wed 12 do: 4 used, the 5th is Thu 13.
    expect(resumed).toEqual({ deadline: '2025-03-13', usedWorkingDays: 4, remainingWorkingDays: 1, overdue: false, paused: false });
  });

  it('is overdue the day after its deadline and stays so once it ends late; not when it ended in time', () => {
    expect(computeDeadline({ workingDays: 3, acceptedOn: '2025-09-26', today: '2025-10-09' })).toMatchObject({ deadline: '2025-09-30', overdue: true, remainingWorkingDays: -1 });
    expect(computeDeadline({ workingDays: 3, acceptedOn: '2025-09-26', endedOn: '2025-10-09', today: '2026-01-05' })).toMatchObject({ overdue: true, remainingWorkingDays: -1 });
    expect(computeDeadline({ workingDays: 3, acceptedOn: '2025-09-26', endedOn: '2025-09-30', today: '2026-01-05' })).toMatchObject({ overdue: false, remainingWorkingDays: 0 });
  });

  it('refuses a day outside the calendar with CALENDAR_OUT_OF_RANGE instead of guessing', () => {
    expect(() => isWorkingDay('2024-12-31')).toThrowError(expect.objectContaining({ code: 'CALENDAR_OUT_OF_RANGE' }));
    expect(() => isWorkingDay('2027-01-04')).toThrowError(/covers 2025–2026; 2027-01-04 is outside it/);
    // 20 working days from 15 Dec 2026 run into 2027, which is not published in the calendar.
    expect(() => computeDeadline({ workingDays: 20, acceptedOn: '2026-12-15', today: '2026-12-16' })).toThrowError(expect.objectContaining({ code: 'CALENDAR_OUT_OF_RANGE' }));
    expect(() => isWorkingDay('2025-02-30')).toThrowError(expect.objectContaining({ code: 'BAD_USER_INPUT' }));
  });
});

describe('the settable clock', () => {
  it('starts at a configured instant and runs on; an offset shifts real time; garbage fails at start-up', () => {
    let real = Date.parse('2026-12-01T00:00:00Z');
    const clock = clockFromSetting('2026-10-09T09:00:00+08:00', () => new Date(real));
    expect(clock().toISOString()).toBe('2026-10-09T01:00:00.000Z');
    real += 60_000;
    expect(clock().toISOString()).toBe('2026-10-09T01:01:00.000Z');
    expect(chinaDay(clock())).toBe('2026-10-09');
    expect(clockFromSetting('+2d', () => new Date(real))().toISOString()).toBe('2026-12-03T00:01:00.000Z');
    expect(() => clockFromSetting('next tuesday')).toThrowError(/CITYGRAPH_CLOCK must be/);
  });
});
