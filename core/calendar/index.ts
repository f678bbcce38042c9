/** Working days on the State Council's holiday calendar, and case deadlines counted in them. */
export { ARRANGEMENTS, type YearArrangement } from './holidays.ts';
export { CALENDAR_YEARS, addWorkingDays, checkDay, chinaDay, isWorkingDay, nextDay, outOfCalendar, workingDaysBetween, type Day } from './working-days.ts';
export { computeDeadline, type DeadlineInput, type DeadlineState, type Pause } from './deadline.ts';
