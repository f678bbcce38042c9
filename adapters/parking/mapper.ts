/**
 * The only place where the platform's field names meet the graph's words. Raw records are checked with
 * zod, then mapped by whitelist: a field not named here (the owner's name on an operator's
 * reservation list, `area_space`, internal ids) never leaves the adapter.
 */
import { LosslessNumber } from 'lossless-json';
import { z } from 'zod';
import type { CityGraphError } from '../../core/errors.ts';
import { parkingError } from './faults.ts';
import type { LotRecord, PaymentRecord, PlateColor, ReservationRecord, ReservationStatus, SessionRecord, VehicleRecord } from './types.ts';

/** license_color / plate_color codes. */
const COLORS: readonly PlateColor[] = ['BLUE', 'YELLOW', 'WHITE', 'BLACK', 'GREEN'];
/** The graph's colour → the platform's code. */
export function colorCode(color: PlateColor): number {
  return COLORS.indexOf(color);
}

/** Money: a JSON number kept exact by lossless-json, at most two decimals → `"12.50"`. */
const money = z.custom<LosslessNumber | number>((v) => v instanceof LosslessNumber || (typeof v === 'number' && Number.isSafeInteger(v))).transform((v, ctx) => {
  const text = v instanceof LosslessNumber ? v.value : String(v);
  const m = /^(0|[1-9]\d{0,11})(?:\.(\d{1,2}))?$/.exec(text);
  if (!m) {
    ctx.addIssue({ code: 'custom', message: 'not an exact amount' });
    return z.NEVER;
  }
  return `${m[1]}.${(m[2] ?? '').padEnd(2, '0')}`;
});
const coordinate = z.custom<LosslessNumber | number>((v) => v instanceof LosslessNumber || typeof v === 'number').transform((v) => Number(v instanceof LosslessNumber ? v.value : v));
const count = z.number().int().min(0).max(100_000);
const unixSeconds = z.number().int().min(946_684_800).max(4_102_444_800);
const color = z.number().int().min(0).max(4).transform((c) => COLORS[c]!);
const hhmm = z.string().regex(/^([01]\d|2[0-4]):[0-5]\d$/);
const iso = z.string().refine((s) => !Number.isNaN(Date.parse(s))).transform((s) => new Date(s).toISOString());
const text = (max: number) => z.string().trim().min(1).max(max);

const RawPark = z.object({
  park_uuid: z.string().regex(/^[A-Za-z0-9_-]{1,40}$/),
  park_name: text(100),
  area_code: z.string().regex(/^\d{6}$/),
  area_name: text(20),
  address: text(200),
  lng: coordinate.refine((n) => n >= 73 && n <= 136),
  lat: coordinate.refine((n) => n >= 3 && n <= 54),
  total_space: count,
  total_reserve_space: count,
  price_per_hour: money,
  free_minutes: z.number().int().min(0).max(1440),
  day_max_price: money.nullable(),
  open_time: hhmm,
  close_time: hhmm,
  operator_id: z.string().min(1).max(64),
  remain_space: count.optional(),
  remain_reserve_space: count.optional(),
  update_time: unixSeconds.optional(),
});

const RawVehicle = z.object({ car_number: text(10), license_color: color, car_type: z.number().int(), bind_time: unixSeconds });

const RawOrder = z.object({
  order_id: z.string().regex(/^[A-Za-z0-9_-]{1,40}$/),
  park_uuid: z.string().min(1).max(40),
  car_number: text(10),
  license_color: color,
  in_time: unixSeconds,
  end_time: unixSeconds,
  amount_receivable: money,
  amount_paid: money,
  pay_status: z.union([z.literal(0), z.literal(1)]),
});

const RESERVE_STATUS: Readonly<Record<number, ReservationStatus>> = { 0: 'PENDING', 1: 'CONFIRMED', 2: 'CANCELLED', 3: 'ENDED' };
const RawReserve = z.object({
  apply_no: z.string().regex(/^[A-Za-z0-9_-]{1,40}$/),
  park_uuid: z.string().min(1).max(40),
  plate: text(10),
  plate_color: color,
  start_time: iso,
  end_time: iso,
  status: z.number().int().refine((s) => s in RESERVE_STATUS),
  create_time: unixSeconds,
});

const RawPayment = z.object({ pay_no: z.string().min(1).max(40), order_id: z.string().min(1).max(40), pay_amount: money, pay_time: unixSeconds, order: z.unknown() });

const seconds = (s: number) => new Date(s * 1000).toISOString();

function checked<T extends z.ZodType>(schema: T, raw: unknown, what: string): z.infer<T> | CityGraphError {
  const parsed = schema.safeParse(raw);
  if (parsed.success) return parsed.data;
  return parkingError({ kind: 'badShape', field: `${what}.${String(parsed.error.issues[0]?.path[0] ?? 'record')}`, cause: parsed.error });
}

/** A car park; real-time spaces are null when the record came from the directory (no spaces in it). */
export function mapLot(raw: unknown): LotRecord | CityGraphError {
  const p = checked(RawPark, raw, 'lot');
  if (p instanceof Error) return p;
  return {
    id: p.park_uuid,
    name: p.park_name,
    district: p.area_name,
    divisionCode: p.area_code,
    address: p.address,
    location: { lat: p.lat, lng: p.lng },
    totalSpaces: p.total_space,
    reservableSpaces: p.total_reserve_space,
    tariff: { perHour: p.price_per_hour, freeMinutes: p.free_minutes, dailyCap: p.day_max_price },
    openingHours: p.open_time === '00:00' && p.close_time === '24:00' ? '24h' : `${p.open_time}-${p.close_time}`,
    operatorId: p.operator_id,
    freeSpaces: p.remain_space ?? null,
    freeReservableSpaces: p.remain_reserve_space ?? null,
    spacesUpdatedAt: p.update_time === undefined ? null : seconds(p.update_time),
  };
}

/** A vehicle bound to a citizen. */
export function mapVehicle(raw: unknown): VehicleRecord | CityGraphError {
  const v = checked(RawVehicle, raw, 'vehicle');
  if (v instanceof Error) return v;
  return { plate: v.car_number, color: v.license_color, newEnergy: v.license_color === 'GREEN', registeredAt: seconds(v.bind_time) };
}

/** A leave-first-pay-later order as a parking session. */
export function mapSession(raw: unknown): SessionRecord | CityGraphError {
  const o = checked(RawOrder, raw, 'session');
  if (o instanceof Error) return o;
  return {
    id: o.order_id, lotId: o.park_uuid, plate: o.car_number, color: o.license_color,
    enteredAt: seconds(o.in_time), leftAt: seconds(o.end_time), amountDue: o.amount_receivable, amountPaid: o.amount_paid, paid: o.pay_status === 1,
  };
}

/** A reservation; whatever else the platform sends with it (the owner's name) is dropped here. */
export function mapReservation(raw: unknown): ReservationRecord | CityGraphError {
  const r = checked(RawReserve, raw, 'reservation');
  if (r instanceof Error) return r;
  return { id: r.apply_no, lotId: r.park_uuid, plate: r.plate, color: r.plate_color, from: r.start_time, to: r.end_time, status: RESERVE_STATUS[r.status]!, createdAt: seconds(r.create_time) };
}

/** A payment with the session as it is after it. */
export function mapPayment(raw: unknown): PaymentRecord | CityGraphError {
  const p = checked(RawPayment, raw, 'payment');
  if (p instanceof Error) return p;
  const session = mapSession(p.order);
  if (session instanceof Error) return session;
  return { id: p.pay_no, sessionId: p.order_id, amount: p.pay_amount, paidAt: seconds(p.pay_time), session };
}
