/**
 * The statutory holiday arrangements (节假日安排) of the State Council, kept as data: the days off
 * (放假, including the weekdays moved for them) and the weekend days worked instead (调休上班).
 *
 * Sources, one notice per year, transcribed by hand:
 * - 2025: 国务院办公厅关于2025年部分节假日安排的通知, 国办发明电〔2024〕12号 (12 Nov 2024). Spring
 *   Festival gained a day (除夕 off) under the revised 全国年节及纪念日放假办法 (State Council decree 793).
 * - 2026: 国务院办公厅关于2026年部分节假日安排的通知, 国办发明电〔2025〕7号 (4 Nov 2025).
 * - 2027: not held. The package `chinese-days` 1.5.7 (the newest on 1 Dec 2026) carries no 2027
 *   arrangement and the notice has not been transcribed here, so 2027 is outside the calendar and a
 *   date in it is an explicit error (CALENDAR_OUT_OF_RANGE), never a guess. Add it here when published.
 *
 * `core/calendar/__tests__/holidays.test.ts` cross-checks these lists against `chinese-days`.
 */

/** One year's arrangement: every day off that is not an ordinary weekend day, and every weekend day worked. */
export interface YearArrangement {
  /** The notice the lists were taken from. */
  source: string;
  /** Days off, `YYYY-MM-DD`, including weekend days inside a holiday span (harmless, listed as announced). */
  daysOff: readonly string[];
  /** Saturdays and Sundays that are working days (调休上班). */
  workedWeekendDays: readonly string[];
}

/** Expands `YYYY-MM-DD..YYYY-MM-DD` (inclusive) into days. */
function span(from: string, to: string): string[] {
  const out: string[] = [];
  for (let t = Date.parse(`${from}T00:00:00Z`); t <= Date.parse(`${to}T00:00:00Z`); t += 86_400_000) out.push(new Date(t).toISOString().slice(0, 10));
  return out;
}

/** The arrangements by year. A year absent here is outside the calendar. */
export const ARRANGEMENTS: Readonly<Record<number, YearArrangement>> = {
  2025: {
    source: '国办发明电〔2024〕12号',
    daysOff: [
      '2025-01-01', // 元旦
      ...span('2025-01-28', '2025-02-04'), // 春节, 8 days
      ...span('2025-04-04', '2025-04-06'), // 清明节
      ...span('2025-05-01', '2025-05-05'), // 劳动节
      ...span('2025-05-31', '2025-06-02'), // 端午节
      ...span('2025-10-01', '2025-10-08'), // 国庆节、中秋节, 8 days
    ],
    workedWeekendDays: ['2025-01-26', '2025-02-08', '2025-04-27', '2025-09-28', '2025-10-11'],
  },
  2026: {
    source: '国办发明电〔2025〕7号',
    daysOff: [
      ...span('2026-01-01', '2026-01-03'), // 元旦
      ...span('2026-02-15', '2026-02-23'), // 春节, 9 days
      ...span('2026-04-04', '2026-04-06'), // 清明节
      ...span('2026-05-01', '2026-05-05'), // 劳动节
      ...span('2026-06-19', '2026-06-21'), // 端午节
      ...span('2026-09-25', '2026-09-27'), // 中秋节
      ...span('2026-10-01', '2026-10-07'), // 国庆节
    ],
    workedWeekendDays: ['2026-01-04', '2026-02-14', '2026-02-28', '2026-05-09', '2026-09-20', '2026-10-10'],
  },
};
