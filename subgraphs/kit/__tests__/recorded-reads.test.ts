import { describe, expect, it } from 'vitest';
import { RecordedReads } from '../disclosure-log.ts';
import { readRecordsWanted } from '../run.ts';

describe('RecordedReads (one access record per execution, reader and subject)', () => {
  it('asks for every field the first time, only new fields after, and waits for the first write', async () => {
    const r = new RecordedReads();
    expect(r.unrecorded('k', ['Citizen.name'])).toEqual({ fresh: ['Citizen.name'], wait: null });
    let done!: () => void;
    const write = new Promise<void>((resolve) => (done = resolve));
    r.note('k', ['Citizen.name'], write);
    const again = r.unrecorded('k', ['Citizen.name', 'Citizen.gender']);
    expect(again.fresh).toEqual(['Citizen.gender']);
    expect(again.wait).not.toBeNull();
    let waited = false;
    const waiting = again.wait!.then(() => (waited = true));
    await Promise.resolve();
    expect(waited).toBe(false); // not before the first call's record is durable
    done();
    await waiting;
    expect(r.unrecorded('other', ['Citizen.name']).fresh).toEqual(['Citizen.name']);
  });

  it('forgets a key whose write failed, so the next call records again, and shares the failure with a call that waited', async () => {
    const r = new RecordedReads();
    const failed = Promise.reject(new Error('store down'));
    r.note('k', ['Citizen.name'], failed);
    const { wait } = r.unrecorded('k', ['Citizen.name']);
    await expect(wait).rejects.toThrow('store down');
    await Promise.resolve();
    expect(r.unrecorded('k', ['Citizen.name'])).toEqual({ fresh: ['Citizen.name'], wait: null });
  });

  it('forgets a key after a minute (longer than any request)', () => {
    const r = new RecordedReads();
    r.note('k', ['Citizen.name'], Promise.resolve(), 0);
    expect(r.unrecorded('k', ['Citizen.name'], 59_999).fresh).toEqual([]);
    expect(r.unrecorded('k', ['Citizen.name'], 60_000).fresh).toEqual(['Citizen.name']);
  });
});

describe('CITYGRAPH_BENCH_NO_READ_RECORDS', () => {
  it('records reads unless the bench switch is set, and refuses the switch in production', () => {
    expect(readRecordsWanted({ CITYGRAPH_BENCH_NO_READ_RECORDS: '0' }, 'production')).toBe(true);
    expect(readRecordsWanted({ CITYGRAPH_BENCH_NO_READ_RECORDS: '1' }, undefined)).toBe(false);
    expect(() => readRecordsWanted({ CITYGRAPH_BENCH_NO_READ_RECORDS: '1' }, 'production')).toThrow(/CITYGRAPH_BENCH_NO_READ_RECORDS: benchmarks only; refused with NODE_ENV=production/);
  });
});
