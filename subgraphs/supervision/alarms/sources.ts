/** The engine's sources over the hall and registry adapters (one request id per pass's call). */
import { randomUUID } from 'node:crypto';
import type { HouseholdsOf } from '../../../adapters/population/households.ts';
import type { CaseRecord, ServiceHallAdapter } from '../../../adapters/serviceHall/index.ts';
import { ErrorCode, isCityGraphError } from '../../../core/errors.ts';
import type { AlarmSources } from './engine.ts';

const ctx = () => ({ requestId: `alarm-engine-${randomUUID()}` });

/** Codes of a system that could not answer now: the pass fails and the next one retries. */
const TRANSIENT = new Set<string>([ErrorCode.ADAPTER_TIMEOUT, ErrorCode.ADAPTER_UNAVAILABLE, ErrorCode.DEPARTMENT_UNAVAILABLE, ErrorCode.ADAPTER_RATE_LIMITED, ErrorCode.ADAPTER_BAD_REPLY, ErrorCode.INTERNAL]);

/**
 * A failed slot: thrown when the system may answer later (so the cursor does not move past the record),
 * otherwise read as "unknown" (a malformed case number in a refused attempt must not stop the engine for good).
 */
function unlessTransient(e: Error): null {
  if (!isCityGraphError(e) || TRANSIENT.has(e.code)) throw e;
  return null;
}

/** Sources from the adapters; a missing adapter answers nothing (its rules stay quiet). */
export function alarmSources(hall: ServiceHallAdapter | null, householdsOf: HouseholdsOf | null): AlarmSources {
  return {
    async cases(numbers) {
      const out = new Map<string, CaseRecord | null>();
      if (!hall || numbers.length === 0) return out;
      const slots = await hall.loadCases(numbers, ctx());
      slots.forEach((s, i) => out.set(numbers[i]!, s instanceof Error ? unlessTransient(s) : s));
      return out;
    },
    matters: async () => (hall ? hall.listMatters(null, ctx()) : []),
    async household(id) {
      if (!householdsOf) return [];
      const [h] = await householdsOf([id], ctx());
      const household = h instanceof Error ? unlessTransient(h) : h;
      return household ? household.members.map((m) => m.id) : [];
    },
  };
}
