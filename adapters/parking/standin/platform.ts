/**
 * The platform's business state and rules: real-time spaces, reservations (idempotent on the client's
 * `request_no`, refusing overlaps and full car parks), leave-first-pay-later orders (idempotent on
 * `out_trade_no`, exact amounts, never charged twice). Each operation returns a payload or a failure
 * with the platform's `err_code`; the server wraps them in the envelope.
 */
import { CODE, centsOf, money } from './protocol.ts';
import { generateWorld, prng, type OrderRow, type ParkRow, type VehicleRow } from './data.ts';

/** A refusal in the platform's words. */
export interface Failure {
  fail: true;
  err_code: string;
  msg: string;
}
/** The answer of one operation: the payload (with code 1001 or 1000), or a failure (1500). */
export type Outcome = { fail: false; code: string; payload: Record<string, unknown> } | Failure;

/** A reservation as the platform stores it. */
export interface ReserveRow {
  apply_no: string;
  park_uuid: string;
  plate: string;
  plate_color: number;
  cert_no: string;
  car_owner: string;
  /** Unix milliseconds (the wire shows ISO text). */
  start: number;
  end: number;
  /** 1 reserved, 2 cancelled. */
  status: number;
  create_time: number;
  cancel_time: number | null;
}

/** Longest reservation the platform accepts. */
export const MAX_RESERVATION_MS = 4 * 3_600_000;
/** How far ahead one may reserve. */
export const MAX_AHEAD_MS = 7 * 86_400_000;
/** Largest page of a listing. */
export const MAX_PAGE = 100;
/** Most car parks one info call names. */
export const MAX_PARKS_PER_CALL = 50;

const ok = (payload: Record<string, unknown>, code: string = CODE.SUCCESS): Outcome => ({ fail: false, code, payload });
const fail = (err_code: string, msg: string): Failure => ({ fail: true, err_code, msg });

/** Counters of what the platform did, for `/__stats`. */
export interface PlatformCounters {
  reservationsCreated: number;
  reservationsCancelled: number;
  charges: number;
  chargedCents: number;
}

/** The platform's state. */
export class Platform {
  readonly parks: ParkRow[];
  private readonly parksById: Map<string, ParkRow>;
  private readonly vehicles: VehicleRow[];
  private readonly orders: Map<string, OrderRow>;
  readonly reserves: ReserveRow[] = [];
  private readonly reserveKeys = new Map<string, { fingerprint: string; outcome: Outcome }>();
  private readonly cancelKeys = new Map<string, { fingerprint: string; outcome: Outcome }>();
  private readonly payKeys = new Map<string, { fingerprint: string; outcome: Outcome }>();
  readonly counters: PlatformCounters = { reservationsCreated: 0, reservationsCancelled: 0, charges: 0, chargedCents: 0 };
  private sequence = 0;

  private readonly now: () => number;

  constructor(seed: number, now: () => number) {
    this.now = now;
    const world = generateWorld(seed);
    this.parks = world.parks;
    this.parksById = new Map(world.parks.map((p) => [p.park_uuid, p]));
    this.vehicles = world.vehicles;
    this.orders = new Map(world.orders.map((o) => [o.order_id, o]));
    this.seedReservations(seed);
  }

  /** One page of the directory, in `park_uuid` order. */
  listParks(body: Record<string, unknown>): Outcome {
    const page = pageOf(this.parks, (p) => p.park_uuid, body);
    if ('fail' in page) return page;
    return ok({ parks: page.items.map((p) => this.parkView(p, false)), next_cursor: page.next, total: this.parks.length });
  }

  /** Car parks by id, static data and real-time spaces; unknown ids are listed in `not_found`. */
  parkInfo(body: Record<string, unknown>): Outcome {
    const ids = body.park_uuids;
    if (!Array.isArray(ids) || ids.length === 0 || ids.length > MAX_PARKS_PER_CALL || !ids.every((i) => typeof i === 'string')) {
      return fail('PARAM_ERROR', `park_uuids 须为 1–${MAX_PARKS_PER_CALL} 个车场编号`);
    }
    const found = ids.map((id) => this.parksById.get(id)).filter((p): p is ParkRow => p !== undefined);
    return ok({ parks: found.map((p) => this.parkView(p, true)), not_found: ids.filter((id) => !this.parksById.has(id)) });
  }

  /** The vehicles bound to a citizen. */
  listVehicles(body: Record<string, unknown>): Outcome {
    const cert = certOf(body);
    if (!cert) return fail('PARAM_ERROR', 'cert_no 格式错误');
    const vehicles = this.vehicles.filter((v) => v.cert_no === cert).map((v) => ({ car_number: v.car_number, license_color: v.license_color, car_type: v.car_type, bind_time: v.bind_time }));
    return ok({ vehicles });
  }

  /** A citizen's orders, optionally by pay status, paged. */
  listOrders(body: Record<string, unknown>): Outcome {
    const cert = certOf(body);
    if (!cert) return fail('PARAM_ERROR', 'cert_no 格式错误');
    const status = body.pay_status;
    if (status !== undefined && status !== 0 && status !== 1) return fail('PARAM_ERROR', 'pay_status 须为 0 或 1');
    const mine = [...this.orders.values()].filter((o) => o.cert_no === cert && (status === undefined || o.pay_status === status));
    const page = pageOf(mine, (o) => o.order_id, body);
    if ('fail' in page) return page;
    return ok({ orders: page.items.map(orderView), next_cursor: page.next });
  }

  /** Reservations of a citizen (`cert_no`) or of an operator's car parks (`operator_id`, optional `park_uuid`), paged. */
  listReserves(body: Record<string, unknown>): Outcome {
    const cert = body.cert_no === undefined ? null : certOf(body);
    const operator = typeof body.operator_id === 'string' ? body.operator_id : null;
    if ((cert === null) === (operator === null)) return fail('PARAM_ERROR', '须提供 cert_no 或 operator_id 之一');
    const park = typeof body.park_uuid === 'string' ? body.park_uuid : null;
    const rows = this.reserves.filter((r) =>
      cert ? r.cert_no === cert : this.parksById.get(r.park_uuid)?.operator_id === operator && (park === null || r.park_uuid === park),
    );
    const page = pageOf(rows, (r) => r.apply_no, body);
    if ('fail' in page) return page;
    // The operator's view on the wire carries the owner's name (车主姓名) too: the adapter must drop it.
    return ok({ reserves: page.items.map((r) => this.reserveView(r)), next_cursor: page.next });
  }

  /** Reserves a space; the same `request_no` with the same parameters answers the first reply again. */
  applyReserve(body: Record<string, unknown>): Outcome {
    const key = typeof body.request_no === 'string' && body.request_no !== '' ? body.request_no : null;
    if (!key) return fail('PARAM_ERROR', '缺少 request_no');
    const fingerprint = JSON.stringify([body.park_uuid, body.plate, body.plate_color, body.start_time, body.end_time, body.cert_no]);
    const seen = this.reserveKeys.get(key);
    if (seen) return seen.fingerprint === fingerprint ? seen.outcome : fail('IDEMPOTENCY_CONFLICT', 'request_no 已用于另一笔预约');
    const park = typeof body.park_uuid === 'string' ? this.parksById.get(body.park_uuid) : undefined;
    if (!park) return fail('PARK_NOT_FOUND', '车场不存在');
    const cert = certOf(body);
    const vehicle = this.vehicles.find((v) => v.car_number === body.plate && v.cert_no === cert);
    if (!cert || !vehicle) return fail('VEHICLE_NOT_BOUND', '车辆未绑定到该用户');
    if (body.plate_color !== vehicle.license_color) return fail('PARAM_ERROR', 'plate_color 与绑定车辆不符');
    const start = isoMs(body.start_time);
    const end = isoMs(body.end_time);
    const now = this.now();
    if (start === null || end === null || end <= start) return fail('RESERVE_TIME_INVALID', '预约时间格式错误或结束早于开始');
    if (start < now - 60_000) return fail('RESERVE_TIME_INVALID', '预约开始时间已过');
    if (end - start > MAX_RESERVATION_MS) return fail('RESERVE_TOO_LONG', '预约时长超过4小时');
    if (start > now + MAX_AHEAD_MS) return fail('RESERVE_TIME_INVALID', '最多提前7天预约');
    if (!openThroughout(park, start, end)) return fail('RESERVE_CLOSED', '预约时段车场未营业');
    const active = this.reserves.filter((r) => r.status === 1 && r.start < end && start < r.end);
    if (active.some((r) => r.plate === vehicle.car_number)) return fail('RESERVE_OVERLAP', '该车辆在此时段已有预约');
    if (active.filter((r) => r.park_uuid === park.park_uuid).length >= park.total_reserve_space) return fail('RESERVE_FULL', '该时段可预约车位已满');
    const row: ReserveRow = {
      apply_no: `R${String(++this.sequence).padStart(10, '0')}`, park_uuid: park.park_uuid, plate: vehicle.car_number, plate_color: vehicle.license_color,
      cert_no: cert, car_owner: vehicle.car_owner, start, end, status: 1, create_time: now, cancel_time: null,
    };
    this.reserves.push(row);
    this.counters.reservationsCreated++;
    const outcome = ok({ apply_no: row.apply_no, reserve: this.reserveView(row) });
    this.reserveKeys.set(key, { fingerprint, outcome });
    return outcome;
  }

  /** Cancels a reservation of the citizen; idempotent on `request_no`. */
  cancelReserve(body: Record<string, unknown>): Outcome {
    const key = typeof body.request_no === 'string' && body.request_no !== '' ? body.request_no : null;
    if (!key) return fail('PARAM_ERROR', '缺少 request_no');
    const fingerprint = JSON.stringify([body.apply_no, body.cert_no]);
    const seen = this.cancelKeys.get(key);
    if (seen) return seen.fingerprint === fingerprint ? seen.outcome : fail('IDEMPOTENCY_CONFLICT', 'request_no 已用于另一笔取消');
    const row = this.reserves.find((r) => r.apply_no === body.apply_no && r.cert_no === certOf(body));
    if (!row) return fail('RESERVE_NOT_FOUND', '预约不存在');
    if (row.status !== 1) return fail('RESERVE_STATE', '预约已取消');
    if (row.end <= this.now()) return fail('RESERVE_STATE', '预约已结束');
    row.status = 2;
    row.cancel_time = this.now();
    this.counters.reservationsCancelled++;
    const outcome = ok({ apply_no: row.apply_no, reserve: this.reserveView(row) });
    this.cancelKeys.set(key, { fingerprint, outcome });
    return outcome;
  }

  /** Pays an order in full; idempotent on `out_trade_no`; a paid order or a wrong amount is refused. */
  payOrder(body: Record<string, unknown>): Outcome {
    const key = typeof body.out_trade_no === 'string' && body.out_trade_no !== '' ? body.out_trade_no : null;
    if (!key) return fail('PARAM_ERROR', '缺少 out_trade_no');
    const cents = centsOf(body.pay_amount);
    const fingerprint = JSON.stringify([body.order_id, body.cert_no, cents]);
    const seen = this.payKeys.get(key);
    if (seen) return seen.fingerprint === fingerprint ? seen.outcome : fail('IDEMPOTENCY_CONFLICT', 'out_trade_no 已用于另一笔支付');
    const order = typeof body.order_id === 'string' ? this.orders.get(body.order_id) : undefined;
    if (!order || order.cert_no !== certOf(body)) return fail('ORDER_NOT_FOUND', '订单不存在');
    if (order.pay_status === 1) return fail('ORDER_PAID', '订单已支付');
    if (cents === null || cents !== order.amount_receivable_cents - order.amount_paid_cents) return fail('AMOUNT_MISMATCH', '支付金额与应收金额不符');
    order.pay_status = 1;
    order.amount_paid_cents += cents;
    order.pay_no = `PAY${String(++this.sequence).padStart(10, '0')}`;
    order.pay_time = Math.floor(this.now() / 1000);
    this.counters.charges++;
    this.counters.chargedCents += cents;
    const outcome = ok({ pay_no: order.pay_no, order_id: order.order_id, pay_amount: money(cents), pay_time: order.pay_time, order: orderView(order) });
    this.payKeys.set(key, { fingerprint, outcome });
    return outcome;
  }

  /** Real-time spaces: a daily curve per car park, minute by minute, less the reservations running now. */
  private spaces(p: ParkRow): { remain_space: number; remain_reserve_space: number; update_time: number } {
    const now = this.now();
    const minute = Math.floor(now / 60_000);
    const minuteOfDay = (minute + 480) % 1440; // China time
    const wobble = (prng(minute ^ hash(p.park_uuid))() - 0.5) * 0.04;
    const occupancy = p.occupancy >= 1 ? 1 : Math.min(1, Math.max(0, p.occupancy + 0.18 * Math.sin((2 * Math.PI * (minuteOfDay - p.phase)) / 1440) + wobble));
    const reservedNow = this.reserves.filter((r) => r.park_uuid === p.park_uuid && r.status === 1 && r.start <= now && now < r.end).length;
    return {
      remain_space: p.total_space - Math.round(p.total_space * occupancy),
      remain_reserve_space: Math.max(0, p.total_reserve_space - reservedNow),
      update_time: minute * 60,
    };
  }

  private parkView(p: ParkRow, withSpaces: boolean): Record<string, unknown> {
    const base = {
      park_uuid: p.park_uuid, park_name: p.park_name, area_code: p.area_code, area_name: p.area_name, address: p.address,
      lng: p.lng, lat: p.lat, total_space: p.total_space, total_reserve_space: p.total_reserve_space,
      price_per_hour: money(p.price_cents), free_minutes: p.free_minutes, day_max_price: money(p.day_max_cents),
      open_time: p.open_time, close_time: p.close_time, operator_id: p.operator_id,
    };
    if (!withSpaces) return base;
    const s = this.spaces(p);
    const ground = Math.floor(p.total_space / 3);
    return {
      ...base, ...s,
      area_space: [
        { area_name: '地面', total_space: ground, remain_space: Math.min(ground, s.remain_space) },
        { area_name: '地下', total_space: p.total_space - ground, remain_space: Math.max(0, s.remain_space - ground) },
      ],
    };
  }

  private reserveView(r: ReserveRow): Record<string, unknown> {
    return {
      apply_no: r.apply_no, park_uuid: r.park_uuid, plate: r.plate, plate_color: r.plate_color, car_owner: r.car_owner,
      start_time: new Date(r.start).toISOString(), end_time: new Date(r.end).toISOString(),
      status: r.status === 1 && r.end <= this.now() ? 3 : r.status, create_time: Math.floor(r.create_time / 1000),
    };
  }

  /** Other citizens' reservations over the next two days, so operators have something to see. */
  private seedReservations(seed: number): void {
    const random = prng(seed ^ 0x5eed);
    const hour = Math.ceil(this.now() / 3_600_000) * 3_600_000;
    const others = this.vehicles.slice(2);
    for (let i = 0; i < 60; i++) {
      const v = others[Math.floor(random() * others.length)]!;
      const park = this.parks[Math.floor(random() * 110)]!; // 和平区 first
      const start = hour + Math.floor(random() * 48) * 3_600_000;
      const end = start + (1 + Math.floor(random() * 3)) * 3_600_000;
      if (this.reserves.some((r) => r.plate === v.car_number && r.start < end && start < r.end)) continue;
      this.reserves.push({
        apply_no: `R${String(++this.sequence).padStart(10, '0')}`, park_uuid: park.park_uuid, plate: v.car_number, plate_color: v.license_color,
        cert_no: v.cert_no, car_owner: v.car_owner, start, end, status: 1, create_time: this.now() - 86_400_000, cancel_time: null,
      });
    }
  }
}

/** True when the car park is open for the whole of [start, end) (China time; a 24-hour car park always is). */
function openThroughout(p: ParkRow, start: number, end: number): boolean {
  if (p.open_time === '00:00' && p.close_time === '24:00') return true;
  const minutes = (hhmm: string) => Number(hhmm.slice(0, 2)) * 60 + Number(hhmm.slice(3, 5));
  const local = (t: number) => (t + 8 * 3_600_000) / 60_000;
  const [from, to] = [local(start), local(end)];
  const day = Math.floor(from / 1440);
  // Within one opening of one day: a car park that closes at night cannot hold a space across it.
  return to <= (day + 1) * 1440 && from - day * 1440 >= minutes(p.open_time) && to - day * 1440 <= minutes(p.close_time);
}

function orderView(o: OrderRow): Record<string, unknown> {
  return {
    order_id: o.order_id, park_uuid: o.park_uuid, car_number: o.car_number, car_cost_type: o.car_cost_type, license_color: o.license_color,
    in_time: o.in_time, end_time: o.end_time, amount_receivable: money(o.amount_receivable_cents), amount_paid: money(o.amount_paid_cents),
    pay_status: o.pay_status, pay_no: o.pay_no, pay_time: o.pay_time,
  };
}

/** A page of `items` after the cursor; the cursor is the last id of the previous page, base64url. */
function pageOf<T>(items: readonly T[], idOf: (t: T) => string, body: Record<string, unknown>): { items: T[]; next: string | null } | Failure {
  const size = body.page_size ?? 20;
  if (typeof size !== 'number' || !Number.isInteger(size) || size < 1 || size > MAX_PAGE) return fail('PARAM_ERROR', `page_size 须为 1–${MAX_PAGE}`);
  let from = 0;
  if (body.cursor !== undefined && body.cursor !== null && body.cursor !== '') {
    const after = typeof body.cursor === 'string' ? Buffer.from(body.cursor, 'base64url').toString('utf8') : '';
    const at = items.findIndex((t) => idOf(t) === after);
    if (at < 0) return fail('PARAM_ERROR', 'cursor 无效');
    from = at + 1;
  }
  const page = items.slice(from, from + size);
  const more = from + size < items.length;
  return { items: page, next: more ? Buffer.from(idOf(page.at(-1)!), 'utf8').toString('base64url') : null };
}

function certOf(body: Record<string, unknown>): string | null {
  return typeof body.cert_no === 'string' && /^\d{17}[\dX]$/.test(body.cert_no) ? body.cert_no : null;
}

function isoMs(v: unknown): number | null {
  if (typeof v !== 'string' || !/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}/.test(v)) return null;
  const t = Date.parse(v);
  return Number.isNaN(t) ? null : t;
}

function hash(text: string): number {
  let h = 2166136261;
  for (let i = 0; i < text.length; i++) h = Math.imul(h ^ text.charCodeAt(i), 16777619);
  return h >>> 0;
}

