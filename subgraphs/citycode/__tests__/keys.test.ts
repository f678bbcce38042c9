import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { openKeyRing } from '../keys.ts';

const dir = mkdtempSync(join(tmpdir(), 'citycode-keys-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const DAY = 86_400_000;

describe('the city key ring', () => {
  it('keeps its key across restarts, rotates by age, and publishes the old key until its last credential ends', () => {
    let now = Date.parse('2026-12-01T00:00:00Z');
    const options = { dataDir: dir, rotationDays: 30, credentialHours: 24, now: () => now };
    const first = openKeyRing(options).current();
    expect(first.kid).toBe(1);
    expect(openKeyRing(options).current().publicKey).toBe(first.publicKey);

    now += 30 * DAY + 3_600_000;
    const ring = openKeyRing(options);
    const second = ring.current();
    expect(second.kid).toBe(2);
    expect(ring.document([]).keys.map((k) => k.kid)).toEqual([1, 2]);
    now += 2 * DAY;
    expect(ring.document(['ABCDEF0123456789'])).toMatchObject({ keys: [{ kid: 2 }], revokedDevices: ['ABCDEF0123456789'], sm2UserId: '1234567812345678' });
  });

  it('starts a new key on demand and ends the old one’s signing at once', () => {
    let now = Date.parse('2027-03-01T00:00:00Z');
    const ring = openKeyRing({ dataDir: join(dir, 'b'), now: () => now });
    const old = ring.current();
    now += 1000;
    const next = ring.rotate();
    expect(next.kid).toBe(old.kid + 1);
    expect(ring.current().kid).toBe(next.kid);
    const published = ring.published().find((k) => k.kid === old.kid)!;
    expect(Date.parse(published.notAfter)).toBe(Date.parse(published.retiresAt) + 24 * 3_600_000);
  });
});
