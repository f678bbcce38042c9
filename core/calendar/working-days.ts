/**
 * Working days as the Administrative Licensing Law counts them (art. 82): weekends and statutory
 * holidays excluded, the official make-up working days (调休上班) included. Days are `YYYY-MM-DD`
 * in China Standard Time. A day outside the calendar's years is an error, never a guess.
 */
import { CityGraphError, ErrorCode, badInput } from '../errors.ts';
import { ARRANGEMENTS } from './holidays.ts';

/** A calendar day, `YYYY-MM-DD`. */
export type Day = string;

const DAY = 86_400_000;
const CHINA_OFFSET = 8 * 3_600_000;
const DAY_SHAPE = /^(\d{4})-(\d{2})-(\d{2})$/;

const daysOff = new Set(Object.values(ARRANGEMENTS).flatMap((a) => a.daysOff));
const workedWeekendDays = new Set(Object.values(ARRANGEMENTS).flatMap((a) => a.workedWeekendDays));
const years = Object.keys(ARRANGEMENTS).map(Number).sort((a, b) => a - b);

/** The years the calendar holds, e.g. `[2025, 2026]`. */
export const CALENDAR_YEARS: readonly number[] = years;

/** The calendar day an instant falls on in China (UTC+8, no daylight saving). */
export function chinaDay(instant: Date): Day {
  return new Date(instant.getTime() + CHINA_OFFSET).toISOString().slice(0, 10);
}

/** Checks a day's shape and that it exists; throws BAD_USER_INPUT (rule `day`). */
export function checkDay(day: string): Day {
  const m = DAY_SHAPE.exec(day);
  const t = m ? Date.parse(`${day}T00:00:00Z`) : NaN;
  if (!m || Number.isNaN(t) || new Date(t).toISOString().slice(0, 10) !== day) throw badInput(`"${day}" is not a calendar day in the form YYYY-MM-DD.`, 'day');
  return day;
}

/** The error of a day the calendar does not cover. */
export function outOfCalendar(day: Day): CityGraphError {
  return new CityGraphError(
    ErrorCode.CALENDAR_OUT_OF_RANGE,
    `The holiday calendar covers ${years[0]}–${years[years.length - 1]}; ${day} is outside it, so working days cannot be counted. The State Council's arrangement for ${day.slice(0, 4)} must be added to core/calendar/holidays.ts first.`,
    { details: { day, from: years[0]!, to: years[years.length - 1]! } },
  );
}

/** True when `day` is a working day; throws CALENDAR_OUT_OF_RANGE for a year the calendar lacks. */
export function isWorkingDay(day: Day): boolean {
  checkDay(day);
  if (!(Number(day.slice(0, 4)) in ARRANGEMENTS)) throw outOfCalendar(day);
  if (workedWeekendDays.has(day)) return true;
  if (daysOff.has(day)) return false;
  const weekday = new Date(`${day}T00:00:00Z`).getUTCDay();
  return weekday !== 0 && weekday !== 6;
}

/** The day after (or `n` days after) `day`. */
export function nextDay(day: Day, n = 1): Day {
  return new Date(Date.parse(`${day}T00:00:00Z`) + n * DAY).toISOString().slice(0, 10);
}

// Every day of the calendar's years with the number of working days up to and including it, so that
// counting and adding are lookups, not walks (a case's fields are read for whole lists of cases).
const ordinal = new Map<Day, number>();
const workingDayList: Day[] = [];
for (let d = `${years[0]}-01-01`; Number(d.slice(0, 4)) <= years[years.length - 1]!; d = nextDay(d)) {
  if (isWorkingDay(d)) workingDayList.push(d);
  ordinal.set(d, workingDayList.length);
}
const afterCalendar = `${years[years.length - 1]! + 1}-01-01`;

function ordinalOf(day: Day): number {
  const n = ordinal.get(checkDay(day));
  if (n === undefined) throw outOfCalendar(day);
  return n;
}

/** The `n`-th working day after `day` (`n` ≥ 1); `day` itself never counts. */
export function addWorkingDays(day: Day, n: number): Day {
  if (!Number.isInteger(n) || n < 1) throw new RangeError(`addWorkingDays needs a whole number of days ≥ 1, got ${n}.`);
  const target = workingDayList[ordinalOf(day) + n - 1];
  if (target === undefined) throw outOfCalendar(afterCalendar);
  return target;
}

/** Working days in (`after`, `upTo`]: 0 when `upTo` is not after `after`. */
export function workingDaysBetween(after: Day, upTo: Day): number {
  const from = ordinalOf(after);
  return checkDay(upTo) <= after ? 0 : ordinalOf(upTo) - from;
}
