/**
 * The stand-in's test controls: request counters and the fault plan set through `/__faults`. Kept
 * apart from the protocol so that the platform's behaviour and the test levers cannot be confused.
 */

/** Ways the stand-in can misbehave, each one a failure seen from real platforms or their proxies. */
export const FAULT_MODES = ['infcodeError', 'timeout', 'notJson', 'httpError', 'badShape'] as const;
/** One fault mode. */
export type FaultMode = (typeof FAULT_MODES)[number];

/** The fault plan: what to do wrong, how much extra latency, and for whom (everyone when absent). */
export interface FaultPlan {
  mode: FaultMode | null;
  latencyMs: number;
  certnos: ReadonlySet<string> | null;
}

/** Counters reported by `GET /__stats`. */
export interface Stats {
  /** 1101 calls received with a valid envelope (faulted ones included). */
  requests: number;
  /** Persons returned in successful replies. */
  records: number;
  /** Calls on which a fault mode was applied. */
  faults: number;
  /** Most 1101 calls that were in progress at the same moment since the last reset. */
  maxInFlight: number;
}

/** No fault at all. */
export const NO_FAULTS: FaultPlan = { mode: null, latencyMs: 0, certnos: null };

/** Parses the body of `POST /__faults`, or returns a message saying what is wrong with it. */
export function parseFaultPlan(body: unknown): FaultPlan | string {
  if (typeof body !== 'object' || body === null || Array.isArray(body)) return 'body must be a JSON object';
  const { mode, latencyMs, certnos, ...rest } = body as Record<string, unknown>;
  const unknown = Object.keys(rest);
  if (unknown.length > 0) return `unknown field(s): ${unknown.join(', ')}`;
  if (mode !== null && !(FAULT_MODES as readonly unknown[]).includes(mode)) {
    return `mode must be null or one of ${FAULT_MODES.join(', ')}`;
  }
  if (latencyMs !== undefined && (typeof latencyMs !== 'number' || !Number.isFinite(latencyMs) || latencyMs < 0)) {
    return 'latencyMs must be a number of milliseconds, 0 or more';
  }
  if (certnos !== undefined && (!Array.isArray(certnos) || !certnos.every((c) => typeof c === 'string'))) {
    return 'certnos must be an array of ID numbers';
  }
  return {
    mode: mode as FaultMode | null,
    latencyMs: latencyMs ?? 0,
    certnos: certnos === undefined ? null : new Set(certnos as string[]),
  };
}

/** True when the plan applies to this person. */
export function appliesTo(plan: FaultPlan, certno: string): boolean {
  return plan.certnos === null || plan.certnos.has(certno);
}
