import { createRequire } from 'node:module';
import { describe, expect, it } from 'vitest';
import { ARRANGEMENTS } from '../holidays.ts';

// chinese-days is a dev dependency only: the calendar is our data, the package a second opinion.
const published = createRequire(import.meta.url)('chinese-days/dist/chinese-days.json') as { holidays: Record<string, string>; workdays: Record<string, string> };
const ofYear = (map: Record<string, string>, year: number) => Object.keys(map).filter((d) => d.startsWith(`${year}-`)).sort();

describe('the holiday calendar data', () => {
  it.each([2025, 2026])('agrees with chinese-days for %i, day for day', (year) => {
    const ours = ARRANGEMENTS[year]!;
    expect([...ours.daysOff].sort()).toEqual(ofYear(published.holidays, year));
    expect([...ours.workedWeekendDays].sort()).toEqual(ofYear(published.workdays, year));
  });

  it('holds no 2027 arrangement, and neither does the package: nothing is guessed', () => {
    expect(ARRANGEMENTS[2027]).toBeUndefined();
    expect(ofYear(published.holidays, 2027)).toEqual([]);
  });

  it('lists only weekend days as worked weekend days', () => {
    for (const a of Object.values(ARRANGEMENTS)) for (const d of a.workedWeekendDays) expect([0, 6]).toContain(new Date(`${d}T00:00:00Z`).getUTCDay());
  });
});
