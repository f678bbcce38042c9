/**
 * A clock that configuration can move, so a scenario or a test can put the city on any day (say,
 * the Friday after National Day) and let cases run past their deadlines without waiting.
 * Only entry points parse the setting (`CITYGRAPH_CLOCK`); everything else receives a `Clock`.
 */
import { readFileSync, renameSync, writeFileSync } from 'node:fs';
import { z } from 'zod';

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

/** What a clock file holds: "now" was `at` when real time was `setAt` (ms since epoch). */
interface ClockFileBody {
  at: string;
  setAt: number;
}

/**
 * Wraps `base` so that a development clock file, when present, moves "now" for every process that
 * reads it (the scenario sets the whole city's day this way while it runs). The file holds JSON
 * `{"at":"<ISO instant>","setAt":<real ms>}`; from then on "now" is `at` plus the real time elapsed.
 * Absent, empty or unreadable: `base`. `npm start` and the test cities set the path; production never does.
 */
export function withClockFile(base: Clock, file: string | undefined, real: Clock = systemClock): Clock {
  if (!file) return base;
  return () => {
    const body = readClockFile(file);
    return body ? new Date(Date.parse(body.at) + (real().getTime() - body.setAt)) : base();
  };
}

/** Writes a clock file that puts "now" at `at` from this moment (what `withClockFile` reads). */
export function writeClockFile(file: string, at: Date, real: Clock = systemClock): void {
  const body: ClockFileBody = { at: at.toISOString(), setAt: real().getTime() };
  // Written aside then renamed, so a reader never sees half a file.
  writeFileSync(`${file}.tmp`, JSON.stringify(body));
  renameSync(`${file}.tmp`, file);
}

function readClockFile(file: string): ClockFileBody | null {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch {
    return null;
  }
  try {
    const body = JSON.parse(text) as Partial<ClockFileBody>;
    return typeof body.at === 'string' && !Number.isNaN(Date.parse(body.at)) && typeof body.setAt === 'number' ? (body as ClockFileBody) : null;
  } catch {
    return null;
  }
}

/** The two clock settings every process that keeps deadlines or validity dates reads; merged into its environment schema. */
export const clockEnv = z.object({
  /** "Now": an ISO date-time with offset (the clock starts there) or an offset like +30d; default the real clock. Refused in production. */
  CITYGRAPH_CLOCK: z.string().optional(),
  /** Development clock file (see `withClockFile`); default none. Refused in production. */
  CITYGRAPH_CLOCK_FILE: z.string().min(1).optional(),
});

/**
 * The clock of a process from its settings. With `NODE_ENV=production` a moved clock is refused at
 * start-up: deadlines, validity dates and alarms must run on real time where they bind anyone.
 */
export function cityClock(env: z.infer<typeof clockEnv> & { NODE_ENV?: string }): Clock {
  if (env.NODE_ENV === 'production' && (env.CITYGRAPH_CLOCK || env.CITYGRAPH_CLOCK_FILE)) {
    throw new TypeError('CITYGRAPH_CLOCK and CITYGRAPH_CLOCK_FILE move the clock for tests and scenarios only; they are refused with NODE_ENV=production. Unset them.');
  }
  return withClockFile(clockFromSetting(env.CITYGRAPH_CLOCK), env.CITYGRAPH_CLOCK_FILE);
}
