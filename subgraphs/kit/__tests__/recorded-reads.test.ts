import { describe, expect, it } from 'vitest';
import { RecordedReads } from '../disclosure-log.ts';
import { readRecordsWanted } from '../run.ts';

describe('RecordedReads (one access record per execution, reader and subject)', () => {
  const name = ['Citizen.name'];
  it('asks for every field the first time, only new fields after, and waits for the first write', async () => {
    const r = new RecordedReads();
    expect(r.unrecorded('exec-1', 'citizen:A', name)).toEqual({ fresh: ['Citizen.name'], wait: null });
    let done!: () => void;
    const write = new Promise<void>((resolve) => (done = resolve));
    r.note('exec-1', [{ subject: 'citizen:A', fields: name }], write);
    const again = r.unrecorded('exec-1', 'citizen:A', ['Citizen.name', 'Citizen.gender']);
    expect(again.fresh).toEqual(['Citizen.gender']);
    expect(again.wait).not.toBeNull();
    let waited = false;
    const waiting = again.wait!.then(() => (waited = true));
    await Promise.resolve();
    expect(waited).toBe(false); // not before the first call's record is durable
    done();
    await waiting;
    // Another subject of the same reader, and the same subject of another reader, are not recorded yet.
    expect(r.unrecorded('exec-1', 'citizen:B', name).fresh).toEqual(['Citizen.name']);
    expect(r.unrecorded('exec-2', 'citizen:A', name).fresh).toEqual(['Citizen.name']);
  });

  it('forgets every subject of a write that failed, so the next call records them again, and shares the failure with a call that waited', async () => {
    const r = new RecordedReads();
    const failed = Promise.reject(new Error('store down'));
    r.note('exec-1', [{ subject: 'citizen:A', fields: name }, { subject: 'citizen:B', fields: name }], failed);
    const { wait } = r.unrecorded('exec-1', 'citizen:B', name);
    await expect(wait).rejects.toThrow('store down');
    await Promise.resolve();
    expect(r.unrecorded('exec-1', 'citizen:A', name)).toEqual({ fresh: ['Citizen.name'], wait: null });
    expect(r.unrecorded('exec-1', 'citizen:B', name)).toEqual({ fresh: ['Citizen.name'], wait: null });
  });

  it('keeps a later write of new fields when only the earlier write of the same subject fails', async () => {
    const r = new RecordedReads();
    let fail!: (e: Error) => void;
    const first = new Promise<void>((_, reject) => (fail = reject));
    r.note('exec-1', [{ subject: 'citizen:A', fields: name }], first);
    const second = Promise.resolve();
    r.note('exec-1', [{ subject: 'citizen:A', fields: ['Citizen.gender'] }], second);
    fail(new Error('store down'));
    await first.catch(() => {});
    await new Promise((resolve) => setImmediate(resolve));
    // The merged entry waited on both writes, so it is forgotten: both fields are asked for again.
    expect(r.unrecorded('exec-1', 'citizen:A', ['Citizen.name', 'Citizen.gender']).fresh).toEqual(['Citizen.name', 'Citizen.gender']);
  });

  it('forgets a reader after a minute (longer than any request)', () => {
    const r = new RecordedReads();
    r.note('exec-1', [{ subject: 'citizen:A', fields: name }], Promise.resolve(), 0);
    expect(r.unrecorded('exec-1', 'citizen:A', name, 59_999).fresh).toEqual([]);
    expect(r.unrecorded('exec-1', 'citizen:A', name, 60_000).fresh).toEqual(['Citizen.name']);
  });

  it('remembers at most 20,000 subjects, forgetting the oldest readers first and never the newest', () => {
    const r = new RecordedReads();
    const hundred = (exec: number) => Array.from({ length: 100 }, (_, i) => ({ subject: `citizen:${exec}-${i}`, fields: name }));
    for (let exec = 0; exec < 250; exec++) r.note(`exec-${exec}`, hundred(exec), Promise.resolve(), 1000);
    // 250 readers × 100 subjects: the 50 oldest are gone, the rest remembered.
    expect(r.unrecorded('exec-0', 'citizen:0-0', name, 1000).fresh).toEqual(['Citizen.name']);
    expect(r.unrecorded('exec-49', 'citizen:49-99', name, 1000).fresh).toEqual(['Citizen.name']);
    expect(r.unrecorded('exec-50', 'citizen:50-0', name, 1000).fresh).toEqual([]);
    expect(r.unrecorded('exec-249', 'citizen:249-99', name, 1000).fresh).toEqual([]);
    // One reader larger than the cap is still remembered whole while it is the newest.
    r.note('exec-big', Array.from({ length: 25_000 }, (_, i) => ({ subject: `citizen:big-${i}`, fields: name })), Promise.resolve(), 1000);
    expect(r.unrecorded('exec-big', 'citizen:big-0', name, 1000).fresh).toEqual([]);
    expect(r.unrecorded('exec-249', 'citizen:249-0', name, 1000).fresh).toEqual(['Citizen.name']);
  });
});

describe('CITYGRAPH_BENCH_NO_READ_RECORDS', () => {
  it('records reads unless the bench switch is set, and refuses the switch in production', () => {
    expect(readRecordsWanted({ CITYGRAPH_BENCH_NO_READ_RECORDS: '0' }, 'production')).toBe(true);
    expect(readRecordsWanted({ CITYGRAPH_BENCH_NO_READ_RECORDS: '1' }, undefined)).toBe(false);
    expect(() => readRecordsWanted({ CITYGRAPH_BENCH_NO_READ_RECORDS: '1' }, 'production')).toThrow(/CITYGRAPH_BENCH_NO_READ_RECORDS: benchmarks only; refused with NODE_ENV=production/);
  });
});
