import { describe, expect, it } from 'vitest';
import { validateReservation, validateSearch } from '../validate.ts';

const NOW = Date.parse('2026-12-01T02:00:00.000Z');
const at = (h: number) => new Date(NOW + h * 3_600_000).toISOString();
const base = { citizenId: '210102198503152318', lotId: 'P2101020001', plate: '辽a 8k3f2', from: at(1), to: at(2), idempotencyKey: 'key-000001' };

function ruleOf(f: () => unknown): unknown {
  try {
    f();
    return null;
  } catch (e) {
    return (e as { details?: { rule?: string } }).details?.rule;
  }
}

describe('reservation arguments', () => {
  it('normalises the plate and keeps the rest', () => {
    expect(validateReservation(base, NOW)).toMatchObject({ plate: '辽A8K3F2', lotId: 'P2101020001' });
  });

  it.each([
    [{ from: at(-1), to: at(1) }, 'reservationInPast'],
    [{ from: at(2), to: at(1) }, 'reservationOrder'],
    [{ from: at(1), to: at(5.5) }, 'reservationLength'],
    [{ from: at(24 * 8), to: at(24 * 8 + 1) }, 'reservationAhead'],
    [{ plate: '辽A8K3F' }, 'plateLength'],
    [{ lotId: 'P 1' }, 'lotId'],
    [{ idempotencyKey: 'short' }, 'idempotencyKey'],
    [{ citizenId: '210102198503152317' }, 'checkDigit'],
  ])('refuses %o naming the rule %s', (change, rule) => {
    expect(ruleOf(() => validateReservation({ ...base, ...change }, NOW))).toBe(rule);
  });
});

describe('search arguments', () => {
  const search = { near: { lat: 41.79, lng: 123.4 }, radiusMeters: 1000, first: 10 };
  it.each([
    [{ near: { lat: 91, lng: 123.4 } }, 'coordinates'],
    [{ radiusMeters: 0 }, 'radius'],
    [{ radiusMeters: 20_001 }, 'radius'],
    [{ first: 51 }, 'first'],
  ])('refuses %o naming the rule %s', (change, rule) => {
    expect(ruleOf(() => validateSearch({ ...search, ...change }))).toBe(rule);
  });
});
