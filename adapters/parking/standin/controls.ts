/**
 * The stand-in's levers for tests, apart from the protocol: the fault plan of `POST /__faults` and the
 * counters of `GET /__stats`. The platform's own rate limit (a token bucket per app) lives here too.
 */

/**
 * Ways the platform can misbehave. `rateLimited` answers 429 with the plan's Retry-After; `timeout`
 * never answers; `lostReply` does the work and then never answers (the reply lost on the way back).
 */
export const FAULT_MODES = ['rateLimited', 'platformError', 'timeout', 'lostReply', 'httpError', 'notJson'] as const;
/** One fault mode. */
export type FaultMode = (typeof FAULT_MODES)[number];

/** What to do wrong, to which calls, how many times. */
export interface FaultPlan {
  mode: FaultMode | null;
  /** Seconds sent in Retry-After for `rateLimited`. Default 1. */
  retryAfterSeconds: number;
  /** How many matching calls the fault applies to before it clears itself; null: until cleared. */
  times: number | null;
  /** API names it applies to (e.g. `parking/reserve/apply`); null: every API. */
  apis: ReadonlySet<string> | null;
  /** Extra delay before every matching answer, ms. */
  latencyMs: number;
}

/** No fault. */
export const NO_FAULTS: FaultPlan = { mode: null, retryAfterSeconds: 1, times: null, apis: null, latencyMs: 0 };

/** Parses the body of `POST /__faults`, or returns what is wrong with it. */
export function parseFaultPlan(body: unknown): FaultPlan | string {
  if (typeof body !== 'object' || body === null || Array.isArray(body)) return 'body must be a JSON object';
  const { mode = null, retryAfterSeconds = 1, times = null, apis = null, latencyMs = 0, ...rest } = body as Record<string, unknown>;
  if (Object.keys(rest).length > 0) return `unknown field(s): ${Object.keys(rest).join(', ')}; known: mode, retryAfterSeconds, times, apis, latencyMs`;
  if (mode !== null && !(FAULT_MODES as readonly unknown[]).includes(mode)) return `mode must be null or one of ${FAULT_MODES.join(', ')}`;
  if (typeof retryAfterSeconds !== 'number' || !Number.isInteger(retryAfterSeconds) || retryAfterSeconds < 0 || retryAfterSeconds > 3600) {
    return 'retryAfterSeconds must be a whole number of seconds, 0–3600';
  }
  if (times !== null && (typeof times !== 'number' || !Number.isInteger(times) || times < 1)) return 'times must be null or a positive whole number';
  if (apis !== null && (!Array.isArray(apis) || !apis.every((a) => typeof a === 'string'))) return 'apis must be null or a list of API names, e.g. ["parking/reserve/apply"]';
  if (typeof latencyMs !== 'number' || !Number.isFinite(latencyMs) || latencyMs < 0) return 'latencyMs must be a number of milliseconds, 0 or more';
  return { mode: mode as FaultMode | null, retryAfterSeconds, times: times as number | null, apis: apis === null ? null : new Set(apis as string[]), latencyMs };
}

/** Counters of `GET /__stats`. */
export interface Stats {
  /** Business calls received (signed API calls, whatever their answer). */
  requests: number;
  /** Calls per API name. */
  byApi: Record<string, number>;
  /** Calls answered 429. */
  rateLimited: number;
  /** Calls a fault was applied to (429 from a fault included). */
  faults: number;
  /** Calls refused for a bad signature, unknown app, stale timestamp or repeated rand. */
  refused: number;
  /** Most calls in progress at once since the last reset. */
  maxInFlight: number;
}

/** Fresh counters. */
export function emptyStats(): Stats {
  return { requests: 0, byApi: {}, rateLimited: 0, faults: 0, refused: 0, maxInFlight: 0 };
}

/** A token bucket: `perSecond` calls a second on average, bursts up to the same number. 0 disables it. */
export class RateLimiter {
  private tokens: number;
  private last: number;
  private readonly perSecond: number;
  private readonly now: () => number;

  constructor(perSecond: number, now: () => number) {
    this.perSecond = perSecond;
    this.now = now;
    this.tokens = perSecond;
    this.last = now();
  }

  /** Takes a token; returns 0 when allowed, or the whole seconds to wait (for Retry-After). */
  take(): number {
    if (this.perSecond === 0) return 0;
    const t = this.now();
    this.tokens = Math.min(this.perSecond, this.tokens + ((t - this.last) / 1000) * this.perSecond);
    this.last = t;
    if (this.tokens >= 1) {
      this.tokens -= 1;
      return 0;
    }
    return Math.max(1, Math.ceil((1 - this.tokens) / this.perSecond));
  }
}
