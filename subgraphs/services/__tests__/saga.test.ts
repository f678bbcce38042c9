import { describe, expect, it } from 'vitest';
import { CityGraphError, ErrorCode } from '../../../core/errors.ts';
import { bundleState, runSaga, type BundleStep, type PartRecorder } from '../bundle/saga.ts';

function recorder() {
  const events: string[] = [];
  const rec: PartRecorder = {
    async recorded(part, phase, _power, action) {
      events.push(`intent ${part} ${phase}`);
      try {
        const r = await action();
        events.push(`success ${part} ${phase}`);
        return r;
      } catch (e) {
        events.push(`error ${part} ${phase}`);
        throw e;
      }
    },
    async outcome(part, outcome) {
      events.push(`${part}=${outcome}`);
    },
  };
  return { rec, events };
}
const refused = () => new CityGraphError(ErrorCode.LEGACY_ERROR, 'refused');
const part = (name: string, o: Partial<BundleStep<unknown>> = {}): BundleStep<unknown> => ({ name, powerItem: 'X', do: async () => 'ok', compensate: async () => 'undone', ...o });

describe('a bundle as a saga', () => {
  it('runs every part in order and is DONE, a part that does not apply SKIPPED', async () => {
    const { rec, events } = recorder();
    const result = await runSaga([part('a'), part('b', { applies: async () => 'no account' }), part('c')], {}, rec);
    expect(result.map((r) => r.outcome)).toEqual(['DONE', 'SKIPPED', 'DONE']);
    expect(bundleState(result, 3)).toBe('DONE');
    expect(events).toEqual(['intent a do', 'success a do', 'a=DONE', 'b=SKIPPED', 'intent c do', 'success c do', 'c=DONE']);
  });

  it('treats a part whose department cannot say whether it applies as failed, and undoes what was done', async () => {
    const { rec } = recorder();
    const result = await runSaga([part('a'), part('b', { applies: async () => { throw refused(); } }), part('c')], {}, rec);
    expect(result.map((r) => [r.name, r.outcome])).toEqual([['a', 'COMPENSATED'], ['b', 'FAILED']]);
    expect(bundleState(result, 3)).toBe('COMPENSATED');
  });

  it('undoes the parts done before a failure, newest first, and stops: COMPENSATED', async () => {
    const { rec, events } = recorder();
    const result = await runSaga([part('a'), part('b'), part('c', { do: async () => { throw refused(); } }), part('d')], {}, rec);
    expect(result.map((r) => [r.name, r.outcome])).toEqual([['a', 'COMPENSATED'], ['b', 'COMPENSATED'], ['c', 'FAILED']]);
    expect(result[2]!.note).toBe('LEGACY_ERROR: refused');
    expect(events.filter((e) => e.includes('compensate'))).toEqual(['intent b compensate', 'success b compensate', 'intent a compensate', 'success a compensate']);
    expect(bundleState(result, 4)).toBe('COMPENSATED');
  });

  it('flags for staff a done part whose department cannot undo it, or whose undoing fails', async () => {
    const { rec } = recorder();
    const result = await runSaga(
      [part('a', { compensate: undefined }), part('b', { compensate: async () => { throw refused(); } }), part('c', { do: async () => { throw refused(); } })],
      {},
      rec,
    );
    expect(result.map((r) => [r.name, r.outcome])).toEqual([['a', 'FLAGGED'], ['b', 'FLAGGED'], ['c', 'FAILED']]);
    expect(result[0]!.note).toMatch(/offers no way to undo/);
    expect(result[1]!.note).toMatch(/Undoing it failed \(LEGACY_ERROR: refused\)/);
    expect(bundleState(result, 3)).toBe('FLAGGED_FOR_STAFF');
  });

  it('is IN_PROGRESS while parts are missing', () => {
    expect(bundleState([{ outcome: 'DONE' }], 3)).toBe('IN_PROGRESS');
  });
});
