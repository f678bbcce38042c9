/** The engine's sources over the hall and registry adapters (one request id per pass's call). */
import { randomUUID } from 'node:crypto';
import type { HouseholdsOf } from '../../../adapters/population/households.ts';
import type { CaseRecord, ServiceHallAdapter } from '../../../adapters/serviceHall/index.ts';
import type { AlarmSources } from './engine.ts';

const ctx = () => ({ requestId: `alarm-engine-${randomUUID()}` });

/** Sources from the adapters; a missing adapter answers nothing (its rules stay quiet). */
export function alarmSources(hall: ServiceHallAdapter | null, householdsOf: HouseholdsOf | null): AlarmSources {
  return {
    async cases(numbers) {
      const out = new Map<string, CaseRecord | null>();
      if (!hall || numbers.length === 0) return out;
      const slots = await hall.loadCases(numbers, ctx());
      slots.forEach((s, i) => {
        // A failed slot is not "no such case": the pass fails and is retried, rather than unwatching it.
        if (s instanceof Error) throw s;
        out.set(numbers[i]!, s);
      });
      return out;
    },
    matters: async () => (hall ? hall.listMatters(null, ctx()) : []),
    async household(id) {
      if (!householdsOf) return [];
      const [h] = await householdsOf([id], ctx());
      if (h instanceof Error) throw h;
      return h ? h.members.map((m) => m.id) : [];
    },
  };
}
