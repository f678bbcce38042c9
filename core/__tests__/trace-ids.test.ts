/** Trace and span ids (request-scope.ts): hex of the asked length, never zero, unique across pool refills. */
import { describe, expect, it } from 'vitest';
import { childTraceparent, parseTraceparent, randomHex } from '../request-scope.ts';

describe('trace and span ids', () => {
  it('draws hex ids of the asked length, unique across many refills of the pool', () => {
    const seen = new Set<string>();
    // 20,000 × 8 bytes and 20,000 × 16 bytes: the 4 KiB pool is refilled about 117 times, across odd offsets too.
    for (let i = 0; i < 20_000; i++) {
      for (const bytes of [8, 16]) {
        const id = randomHex(bytes);
        expect(id).toMatch(new RegExp(`^[0-9a-f]{${bytes * 2}}$`));
        expect(id).not.toMatch(/^0+$/);
        seen.add(id);
      }
    }
    expect(seen.size).toBe(40_000);
  });

  it('makes a valid traceparent child of the same trace with a new span id each time', () => {
    const traceId = randomHex(16);
    const a = parseTraceparent(childTraceparent(traceId));
    const b = parseTraceparent(childTraceparent(traceId));
    expect(a?.traceId).toBe(traceId);
    expect(b?.traceId).toBe(traceId);
    expect(childTraceparent(traceId)).not.toBe(childTraceparent(traceId));
  });

  it('refuses a length it cannot serve', () => {
    expect(() => randomHex(0)).toThrow(RangeError);
    expect(() => randomHex(5000)).toThrow(RangeError);
  });
});
