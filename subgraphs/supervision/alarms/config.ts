/** The alarm engine's configuration, typed and checked once at start (read by main.ts only). */
import { z } from 'zod';
import { clockEnv } from '../../../core/clock.ts';
import { url } from '../../../core/config.ts';

/** Environment of the alarm engine, on top of every subgraph's. */
export const alarmEnv = z.object({
  /** The service hall, for cases and matters; unset: the case rules (TIMEOUT, RULE) are off. */
  SERVICE_HALL_URL: url().optional(),
  /** Our application id and secret at the hall; default the stand-in's development values. */
  SERVICE_HALL_APP_ID: z.string().min(1).optional(),
  SERVICE_HALL_APP_SECRET: z.string().min(1).optional(),
  /** The population registry, for households (relative approvals); unset: that rule is off. */
  POPULATION_LEGACY_URL: url().optional(),
  POPULATION_LEGACY_SECRET: z.string().optional(),
  /** TIMEOUT warns this many working days (or fewer) before a deadline. Default 2. */
  ALARM_TIMEOUT_WARN_WORKING_DAYS: z.coerce.number().int().min(0).max(60).default(2),
  /** Approvals by one person within ALARM_APPROVAL_BURST_WINDOW_MS that raise RULE_APPROVAL_BURST. Default 10. */
  ALARM_APPROVAL_BURST_COUNT: z.coerce.number().int().min(2).default(10),
  /** Window of that count, ms. Default 600000 (10 minutes). */
  ALARM_APPROVAL_BURST_WINDOW_MS: z.coerce.number().int().positive().default(600_000),
  /** Milliseconds between passes of the engine; 0: only on demand (before `alarms` answers). Default 30000. */
  ALARM_ENGINE_INTERVAL_MS: z.coerce.number().int().min(0).default(30_000),
  /** Records examined per pass at most. Default 5000. */
  ALARM_MAX_RECORDS_PER_PASS: z.coerce.number().int().positive().default(5000),
}).extend(clockEnv.shape);
/** The engine's settings, with the subgraph's NODE_ENV (a moved clock is refused in production). */
export type AlarmEnv = z.infer<typeof alarmEnv> & { NODE_ENV?: string };
