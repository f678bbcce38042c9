import { describe, expect, it } from 'vitest';
import type { SupervisionStore } from '../../../supervision/index.ts';
import { lazySupervisionStore } from '../lazy-store.ts';

const fakeStore = (calls: string[]) =>
  ({ backend: 'sqlite', appendIntent: async () => (calls.push('append'), { seq: 1, department: 'd', hash: 'h' }), close: async () => void calls.push('close') }) as unknown as SupervisionStore;

describe('the lazily opened supervision store', () => {
  it('refuses with SUPERVISION_UNAVAILABLE while the store cannot be opened, and opens it on a later call', async () => {
    const calls: string[] = [];
    let attempts = 0;
    const store = lazySupervisionStore(async () => {
      if (++attempts === 1) throw new Error('connection refused');
      return fakeStore(calls);
    });
    expect(store.backend).toBe('unknown');
    await expect(store.appendIntent({} as never)).rejects.toMatchObject({ code: 'SUPERVISION_UNAVAILABLE' });
    await expect(store.appendIntent({} as never)).resolves.toMatchObject({ seq: 1 });
    expect(store.backend).toBe('sqlite');
    await store.close();
    expect(calls).toEqual(['append', 'close']);
    expect(attempts).toBe(2);
  });
});
