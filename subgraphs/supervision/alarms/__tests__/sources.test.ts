/** The engine's sources: a system that cannot answer now fails the pass (retried); a refused key reads as unknown. */
import { describe, expect, it } from 'vitest';
import type { CaseRecord, ServiceHallAdapter } from '../../../../adapters/serviceHall/index.ts';
import { CityGraphError, ErrorCode } from '../../../../core/errors.ts';
import { alarmSources } from '../sources.ts';

const aCase = { caseNumber: 'C1' } as CaseRecord;
const hall = (slot: CaseRecord | Error | null) => ({ loadCases: async (ns: readonly string[]) => ns.map(() => slot) }) as unknown as ServiceHallAdapter;

describe('alarmSources', () => {
  it('passes cases through and reads a refused case number as unknown', async () => {
    expect((await alarmSources(hall(aCase), null).cases(['C1'])).get('C1')).toBe(aCase);
    const refused = new CityGraphError(ErrorCode.BAD_USER_INPUT, 'not a case number');
    expect((await alarmSources(hall(refused), null).cases(['12345'])).get('12345')).toBeNull();
  });
  it('throws when the hall or the registry cannot answer now, so the engine does not move past the record', async () => {
    const down = new CityGraphError(ErrorCode.ADAPTER_TIMEOUT, 'slow');
    await expect(alarmSources(hall(down), null).cases(['C1'])).rejects.toThrow('slow');
    await expect(alarmSources(null, async () => [down]).household('210102198503152318')).rejects.toThrow('slow');
  });
  it('answers nothing without the adapters (their rules stay quiet)', async () => {
    expect((await alarmSources(null, null).cases(['C1'])).size).toBe(0);
    expect(await alarmSources(null, null).household('210102198503152318')).toEqual([]);
    expect(await alarmSources(null, null).matters()).toEqual([]);
  });
});
