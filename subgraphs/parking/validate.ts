/** Argument checks of the parking subgraph, run before the rules and any platform call. */
import { badInput } from '../../core/errors.ts';
import { validatePlate } from '../../core/plate.ts';
import { validateResidentId } from '../../core/resident-id.ts';

/** Longest reservation the platform takes. */
export const MAX_RESERVATION_HOURS = 4;
/** How far ahead one may reserve. */
export const MAX_AHEAD_DAYS = 7;
/** Largest search radius. */
export const MAX_RADIUS_METERS = 20_000;
/** Largest page of car parks. */
export const MAX_FIRST = 50;
/** A reservation may start this long ago (clock skew between the phone and us). */
const PAST_TOLERANCE_MS = 60_000;

const IDEMPOTENCY_KEY = /^[A-Za-z0-9._:-]{8,64}$/;
const PLATFORM_ID = /^[A-Za-z0-9_-]{1,40}$/;

/** An idempotency key or BAD_USER_INPUT (rule `idempotencyKey`). */
export function validateIdempotencyKey(key: unknown): string {
  if (typeof key !== 'string' || !IDEMPOTENCY_KEY.test(key)) throw badInput('An idempotency key must be 8 to 64 letters, digits or . _ : -', 'idempotencyKey');
  return key;
}

/** A car park, session or reservation id as the platform issues them (rule `<what>Id`). */
export function validatePlatformId(id: unknown, what: 'lot' | 'session' | 'reservation'): string {
  if (typeof id !== 'string' || !PLATFORM_ID.test(id)) throw badInput(`A ${what} id is 1 to 40 letters, digits, _ or -, e.g. P2101020001.`, `${what}Id`);
  return id;
}

/** Search arguments of `parkingLots`. */
export function validateSearch(a: Record<string, any>): Record<string, any> {
  const { lat, lng } = a.near ?? {};
  if (!(lat >= -90 && lat <= 90) || !(lng >= -180 && lng <= 180)) throw badInput('near needs lat from -90 to 90 and lng from -180 to 180 (WGS-84 degrees).', 'coordinates');
  if (!Number.isInteger(a.radiusMeters) || a.radiusMeters < 1 || a.radiusMeters > MAX_RADIUS_METERS) {
    throw badInput(`radiusMeters must be from 1 to ${MAX_RADIUS_METERS}.`, 'radius', { max: MAX_RADIUS_METERS });
  }
  if (!Number.isInteger(a.first) || a.first < 1 || a.first > MAX_FIRST) throw badInput(`first must be from 1 to ${MAX_FIRST}.`, 'first', { max: MAX_FIRST });
  return a;
}

/** Arguments of `reserveParking`; `now` for tests. */
export function validateReservation(a: Record<string, any>, now: number = Date.now()): Record<string, any> {
  const from = Date.parse(a.from);
  const to = Date.parse(a.to);
  if (to <= from) throw badInput('A reservation must end after it starts.', 'reservationOrder');
  if (from < now - PAST_TOLERANCE_MS) throw badInput('A reservation cannot start in the past.', 'reservationInPast');
  if (from > now + MAX_AHEAD_DAYS * 86_400_000) throw badInput(`A reservation may start at most ${MAX_AHEAD_DAYS} days ahead.`, 'reservationAhead', { maxDays: MAX_AHEAD_DAYS });
  if (to - from > MAX_RESERVATION_HOURS * 3_600_000) {
    throw badInput(`A reservation may last at most ${MAX_RESERVATION_HOURS} hours.`, 'reservationLength', { maxHours: MAX_RESERVATION_HOURS });
  }
  return {
    ...a,
    citizenId: validateResidentId(a.citizenId),
    lotId: validatePlatformId(a.lotId, 'lot'),
    plate: validatePlate(a.plate).plate,
    idempotencyKey: validateIdempotencyKey(a.idempotencyKey),
  };
}
