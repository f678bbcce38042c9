/**
 * A clock that configuration can move, so a scenario or a test can put the city on any day (say,
 * the Friday after National Day) and let cases run past their deadlines without waiting.
 * Only entry points parse the setting (`CITYGRAPH_CLOCK`); everything else receives a `Clock`.
 */

/** Returns "now". */
export type Clock = () => Date;

/** The real clock. */
export const systemClock: Clock = () => new Date();

const OFFSET = /^([+-])(\d{1,5})([dhm])$/;
const UNIT_MS = { d: 86_400_000, h: 3_600_000, m: 60_000 } as const;

/**
 * Builds a clock from a setting, default the real clock:
 * - empty or absent: the real clock;
 * - an ISO date-time with offset, e.g. `2026-10-09T09:00:00+08:00`: the clock starts at that instant
 *   when the process starts and runs on from there (so steps keep their order);
 * - an offset from real time, e.g. `+30d`, `-2h`, `+90m`.
 * Anything else throws a TypeError naming the forms, at start-up.
 */
export function clockFromSetting(setting: string | undefined, real: Clock = systemClock): Clock {
  const value = setting?.trim() ?? '';
  if (value === '') return real;
  const offset = OFFSET.exec(value);
  if (offset) {
    const ms = Number(offset[2]) * UNIT_MS[offset[3] as keyof typeof UNIT_MS] * (offset[1] === '-' ? -1 : 1);
    return () => new Date(real().getTime() + ms);
  }
  const start = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d{1,3})?)?(Z|[+-]\d{2}:\d{2})$/.test(value) ? Date.parse(value) : NaN;
  if (Number.isNaN(start)) {
    throw new TypeError(`CITYGRAPH_CLOCK must be an ISO date-time with offset (e.g. 2026-10-09T09:00:00+08:00) or an offset such as +30d, -2h, +90m; got "${value}".`);
  }
  const startedAt = real().getTime();
  return () => new Date(start + (real().getTime() - startedAt));
}
