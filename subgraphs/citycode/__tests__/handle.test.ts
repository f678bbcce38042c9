import { describe, expect, it } from 'vitest';
import { residentIdCheckDigit } from '../../../core/resident-id.ts';
import { createHandleCodec } from '../handle.ts';

const KEY = 'test-handle-key-'.padEnd(40, 'k');

describe('pseudonymous handles', () => {
  it('opens to the resident ID it sealed, X check digits included, and differs every time', () => {
    const codec = createHandleCodec(KEY);
    for (const id of ['210102198503152318', '11010519491231002X', '000000000000000000'.slice(0, 17) + residentIdCheckDigit('00000000000000000')]) {
      const a = codec.seal(id);
      const b = codec.seal(id);
      expect(a).toMatch(/^[0-9A-F]{20}$/);
      expect(a).not.toBe(b);
      expect(codec.open(a)).toBe(id);
      expect(codec.open(b)).toBe(id);
      expect(a).not.toContain(id.slice(6, 14));
    }
  });

  it('opens to nothing, or to another person, under another key; refuses malformed handles and short keys', () => {
    const handle = createHandleCodec(KEY).seal('210102198503152318');
    expect(createHandleCodec('another-key-'.padEnd(40, 'z')).open(handle)).not.toBe('210102198503152318');
    expect(createHandleCodec(KEY).open('xyz')).toBeNull();
    expect(createHandleCodec(KEY).open(handle.toLowerCase())).toBeNull();
    expect(() => createHandleCodec('short')).toThrow(/at least 32/);
    expect(() => createHandleCodec(KEY).seal('21010219850315231')).toThrow(/normalised resident ID/);
  });
});
