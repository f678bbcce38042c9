/**
 * Adapter of the city's parking platform (好停车): typed functions in the graph's words over its signed
 * REST API. It honours the platform's limits — waits out `429 Retry-After` within the request's time
 * budget, pages through cursors, batches lot lookups (50 ids a call) — and changes are made once:
 * every reservation and payment carries a request number derived from the client's idempotency key.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { CityGraphError, ErrorCode, badInput, isCityGraphError } from '../../core/errors.ts';
import { LegacyCaller } from '../kit/resilience.ts';
import { ExactNumber, callPlatform, type PlatformEndpoint, type PlatformReply } from './client.ts';
import { DEPARTMENT, parkingError } from './faults.ts';
import { IdempotentCalls } from './idempotency.ts';
import { colorCode, mapLot, mapPayment, mapReservation, mapSession, mapVehicle } from './mapper.ts';
import type {
  LotNear, LotRecord, ParkingCallContext, ParkingChangeContext, PaymentRecord, ReservationRecord, SessionRecord, VehicleRecord,
} from './types.ts';

export type * from './types.ts';

/** Most car parks one info call names (the platform's limit). */
export const MAX_LOTS_PER_CALL = 50;
/** Page size asked for when listing (the platform's largest). */
export const PAGE_SIZE = 100;
/** Pages followed at most for one listing, so a cursor that never ends cannot hold a request forever. */
const MAX_PAGES = 50;

/** Options of createParkingAdapter; checked once, here. */
export interface ParkingAdapterOptions {
  /** Base URL of the platform (APIs under `/gate/1.0/`). Required. */
  url: string;
  /** Our app id. Default `citygraph`. */
  appId?: string;
  /** Our app secret. Default the stand-in's development secret (never use in production). */
  secret?: string;
  /** Milliseconds before one attempt is abandoned. Default 2000. */
  timeoutMs?: number;
  /** Milliseconds one operation (a batch, a listing with all its pages, a reservation) may take in all, 429 waits and retries included. Default 5000. */
  budgetMs?: number;
  /** Extra attempts after a timeout or transport failure (changes too: their request number makes that safe). Default 2. */
  retries?: number;
  /** Calls in flight at once towards the platform. Default 8. */
  concurrency?: number;
  /** How long the car-park directory (static data, nothing personal) is reused, ms. Default 60000. */
  directoryTtlMs?: number;
  /** How long a change's result is answered again for its idempotency key, ms. Default 24 h. */
  idempotencyTtlMs?: number;
}

/** A reservation to make. */
export interface ReserveInput {
  citizenId: string;
  lotId: string;
  plate: string;
  /** ISO instants. */
  from: string;
  to: string;
}

/** What the adapter offers the parking subgraph. Batch functions follow DataLoader's contract. */
export interface ParkingAdapter {
  /** Car parks by id with real-time spaces; `null` for an unknown id, an Error in a failed slot. */
  loadLots(ids: readonly string[], ctx: ParkingCallContext): Promise<Array<LotRecord | null | Error>>;
  /** Car parks within `radiusMeters` of a point, nearest first (static data; spaces through loadLots). */
  lotsNear(point: { lat: number; lng: number }, radiusMeters: number, ctx: ParkingCallContext): Promise<LotNear[]>;
  /** Each citizen's registered vehicles. */
  loadVehicles(citizenIds: readonly string[], ctx: ParkingCallContext): Promise<Array<VehicleRecord[] | Error>>;
  /** Each citizen's unpaid sessions, every page. */
  loadUnpaidSessions(citizenIds: readonly string[], ctx: ParkingCallContext): Promise<Array<SessionRecord[] | Error>>;
  /** Each citizen's reservations, every page. */
  loadReservations(citizenIds: readonly string[], ctx: ParkingCallContext): Promise<Array<ReservationRecord[] | Error>>;
  /** Reservations at one operator's car park (without owner names). */
  lotReservations(operatorId: string, lotId: string, ctx: ParkingCallContext): Promise<ReservationRecord[]>;
  /** Reserves a space once per idempotency key. */
  reserve(input: ReserveInput, ctx: ParkingChangeContext): Promise<ReservationRecord>;
  /** Cancels a reservation once per idempotency key. */
  cancelReservation(input: { citizenId: string; reservationId: string }, ctx: ParkingChangeContext): Promise<ReservationRecord>;
  /** Pays a session's exact amount once per idempotency key. */
  paySession(input: { citizenId: string; sessionId: string; amount: string }, ctx: ParkingChangeContext): Promise<PaymentRecord>;
}

const DEV_SECRET = 'DEV-ONLY-not-a-secret-parking';
const KNOWN = ['url', 'appId', 'secret', 'timeoutMs', 'budgetMs', 'retries', 'concurrency', 'directoryTtlMs', 'idempotencyTtlMs'];

/** Creates the adapter; throws a TypeError naming the option when the options are wrong. */
export function createParkingAdapter(options: ParkingAdapterOptions): ParkingAdapter {
  const o = checkOptions(options);
  const endpoint: PlatformEndpoint = { url: o.url, appId: o.appId, secret: o.secret };
  const caller = new LegacyCaller({ department: DEPARTMENT, timeoutMs: o.timeoutMs, retries: o.retries, concurrency: o.concurrency });
  const changes = new IdempotentCalls({ ttlMs: o.idempotencyTtlMs });
  let directory: { at: number; lots: Promise<LotRecord[]> } | null = null;

  /** One API call before the operation's deadline: 429s are waited out while it allows. */
  async function call(api: string, params: Record<string, unknown>, ctx: ParkingCallContext, deadline: number): Promise<PlatformReply> {
    const work = async (): Promise<PlatformReply> => {
      for (;;) {
        try {
          // Reads are idempotent; changes are too, because the platform applies one request number once.
          return await caller.call(({ signal }) => callPlatform(endpoint, api, params, { signal, requestId: ctx.requestId }), { idempotent: true });
        } catch (e) {
          if (!isCityGraphError(e) || e.code !== ErrorCode.ADAPTER_RATE_LIMITED) throw e;
          const seconds = Number(e.details?.retryAfterSeconds ?? 1);
          // A little jitter, so requests that waited together do not return together.
          const wait = Math.max(50, seconds * 1000) + Math.random() * 100;
          if (Date.now() + wait >= deadline) throw parkingError({ kind: 'rateLimitedTooLong', retryAfterSeconds: seconds, budgetMs: o.budgetMs });
          await sleep(wait);
        }
      }
    };
    return withDeadline(work(), deadline, () => parkingError({ kind: 'budget', budgetMs: o.budgetMs }));
  }

  /** Every page of a listing, following `next_cursor`. */
  async function allPages(api: string, params: Record<string, unknown>, listField: string, ctx: ParkingCallContext, deadline: number): Promise<unknown[]> {
    const out: unknown[] = [];
    let cursor: string | null = null;
    for (let page = 0; page < MAX_PAGES; page++) {
      const { payload } = await call(api, { ...params, page_size: PAGE_SIZE, ...(cursor ? { cursor } : {}) }, ctx, deadline);
      const items = payload[listField];
      if (!Array.isArray(items)) throw parkingError({ kind: 'badShape', field: listField });
      out.push(...items);
      const next = payload.next_cursor;
      if (next === null || next === undefined || next === '') return out;
      if (typeof next !== 'string') throw parkingError({ kind: 'badShape', field: 'next_cursor' });
      cursor = next;
    }
    throw parkingError({ kind: 'badShape', field: 'next_cursor' });
  }

  function mapAll<T>(raws: unknown[], map: (raw: unknown) => T | CityGraphError): T[] {
    return raws.map((raw) => {
      const v = map(raw);
      if (v instanceof Error) throw v;
      return v;
    });
  }

  /** Runs `load` once per distinct citizen, one slot per key, all before one deadline. */
  async function perCitizen<T>(ids: readonly string[], load: (id: string, deadline: number) => Promise<T>): Promise<Array<T | Error>> {
    const deadline = Date.now() + o.budgetMs;
    const byId = new Map<string, Promise<T | Error>>();
    for (const id of ids) if (!byId.has(id)) byId.set(id, checkCitizen(id).then((c) => load(c, deadline)).catch(slotError));
    return Promise.all(ids.map((id) => byId.get(id)!));
  }

  function lotDirectory(ctx: ParkingCallContext): Promise<LotRecord[]> {
    if (directory && Date.now() - directory.at < o.directoryTtlMs) return directory.lots;
    const lots = allPages('parking/park/list', {}, 'parks', ctx, Date.now() + o.budgetMs).then((raws) => mapAll(raws, mapLot));
    const entry = { at: Date.now(), lots };
    directory = entry;
    lots.catch(() => {
      if (directory === entry) directory = null;
    });
    return lots;
  }

  async function vehiclesOf(citizenId: string, ctx: ParkingCallContext, deadline: number): Promise<VehicleRecord[]> {
    const { payload } = await call('vehicle/list', { cert_no: citizenId }, ctx, deadline);
    if (!Array.isArray(payload.vehicles)) throw parkingError({ kind: 'badShape', field: 'vehicles' });
    return mapAll(payload.vehicles, mapVehicle);
  }

  return {
    async loadLots(ids, ctx) {
      requireRequestId(ctx);
      const deadline = Date.now() + o.budgetMs;
      const unique = [...new Set(ids)];
      const found = new Map<string, LotRecord | null | Error>();
      const chunks: string[][] = [];
      for (let i = 0; i < unique.length; i += MAX_LOTS_PER_CALL) chunks.push(unique.slice(i, i + MAX_LOTS_PER_CALL));
      await Promise.all(
        chunks.map(async (chunk) => {
          try {
            const { payload } = await call('parking/park/info', { park_uuids: chunk }, ctx, deadline);
            if (!Array.isArray(payload.parks)) throw parkingError({ kind: 'badShape', field: 'parks' });
            for (const raw of payload.parks) {
              const lot = mapLot(raw);
              if (!(lot instanceof Error) && chunk.includes(lot.id)) found.set(lot.id, lot);
            }
            // An id neither returned nor listed as not found might be a bad record: an error, not a guess.
            const notFound = new Set(Array.isArray(payload.not_found) ? payload.not_found : []);
            for (const id of chunk) if (!found.has(id)) found.set(id, notFound.has(id) ? null : parkingError({ kind: 'badShape', field: 'lot' }));
          } catch (e) {
            for (const id of chunk) found.set(id, slotError(e));
          }
        }),
      );
      return ids.map((id) => found.get(id)!);
    },

    async lotsNear(point, radiusMeters, ctx) {
      requireRequestId(ctx);
      const lots = await lotDirectory(ctx);
      return lots
        .map((lot) => ({ lot, distanceMeters: Math.round(distanceMeters(point, lot.location)) }))
        .filter((l) => l.distanceMeters <= radiusMeters)
        .sort((a, b) => a.distanceMeters - b.distanceMeters || a.lot.id.localeCompare(b.lot.id));
    },

    loadVehicles: (ids, ctx) => perCitizen(ids, (id, deadline) => vehiclesOf(id, requireRequestId(ctx), deadline)),

    loadUnpaidSessions: (ids, ctx) =>
      perCitizen(ids, async (id, deadline) => mapAll(await allPages('parking/laterpay/order/query', { cert_no: id, pay_status: 0 }, 'orders', requireRequestId(ctx), deadline), mapSession)),

    loadReservations: (ids, ctx) =>
      perCitizen(ids, async (id, deadline) => mapAll(await allPages('parking/reserve/list', { cert_no: id }, 'reserves', requireRequestId(ctx), deadline), mapReservation)),

    async lotReservations(operatorId, lotId, ctx) {
      return mapAll(await allPages('parking/reserve/list', { operator_id: operatorId, park_uuid: lotId }, 'reserves', requireRequestId(ctx), Date.now() + o.budgetMs), mapReservation);
    },

    async reserve(input, ctx) {
      const key = requireKey(ctx);
      const citizenId = await checkCitizen(input.citizenId);
      const fingerprint = JSON.stringify([input.lotId, input.plate, input.from, input.to]);
      return changes.run('reserve', citizenId, key, fingerprint, async (requestNo) => {
        const deadline = Date.now() + o.budgetMs;
        // The platform wants the plate's colour; the citizen's own vehicle list has it (and says early when the plate is not theirs).
        const vehicle = (await vehiclesOf(citizenId, ctx, deadline)).find((v) => v.plate === input.plate);
        if (!vehicle) throw parkingError({ kind: 'failure', errCode: 'VEHICLE_NOT_BOUND' });
        const { code, payload } = await call('parking/reserve/apply', {
          park_uuid: input.lotId, plate: input.plate, plate_color: colorCode(vehicle.color), start_time: input.from, end_time: input.to,
          cert_no: citizenId, request_no: requestNo,
        }, ctx, deadline);
        const reservation = mapOrThrow(mapReservation(payload.reserve));
        // 1000 is "accepted, pending": the record says so even when the platform's status lags.
        return code === '1000' ? { ...reservation, status: 'PENDING' as const } : reservation;
      });
    },

    async cancelReservation(input, ctx) {
      const key = requireKey(ctx);
      const citizenId = await checkCitizen(input.citizenId);
      return changes.run('cancel', citizenId, key, JSON.stringify([input.reservationId]), async (requestNo) => {
        const { payload } = await call('parking/reserve/cancel', { apply_no: input.reservationId, cert_no: citizenId, request_no: requestNo }, ctx, Date.now() + o.budgetMs);
        return mapOrThrow(mapReservation(payload.reserve));
      });
    },

    async paySession(input, ctx) {
      const key = requireKey(ctx);
      const citizenId = await checkCitizen(input.citizenId);
      if (typeof input.amount !== 'string' || !/^\d{1,9}\.\d{2}$/.test(input.amount)) {
        throw badInput('An amount is a decimal string with two places, e.g. "12.50".', 'amountFormat');
      }
      return changes.run('pay', citizenId, key, JSON.stringify([input.sessionId, input.amount]), async (requestNo) => {
        const { payload } = await call('parking/laterpay/order/pay', {
          order_id: input.sessionId, cert_no: citizenId, pay_amount: new ExactNumber(input.amount), out_trade_no: requestNo,
        }, ctx, Date.now() + o.budgetMs);
        return mapOrThrow(mapPayment(payload));
      });
    },
  };
}

/** Great-circle distance in metres (haversine; plenty exact within a city). */
export function distanceMeters(a: { lat: number; lng: number }, b: { lat: number; lng: number }): number {
  const rad = Math.PI / 180;
  const dLat = (b.lat - a.lat) * rad;
  const dLng = (b.lng - a.lng) * rad;
  const h = Math.sin(dLat / 2) ** 2 + Math.cos(a.lat * rad) * Math.cos(b.lat * rad) * Math.sin(dLng / 2) ** 2;
  return 2 * 6_371_008.8 * Math.asin(Math.min(1, Math.sqrt(h)));
}

function withDeadline<T>(work: Promise<T>, deadline: number, onLate: () => Error): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(onLate()), Math.max(0, deadline - Date.now()));
  });
  // The work may still settle after the deadline; its outcome is then only logged by nobody, never thrown unhandled.
  work.catch(() => {});
  return Promise.race([work, late]).finally(() => clearTimeout(timer));
}

function mapOrThrow<T>(v: T | CityGraphError): T {
  if (v instanceof Error) throw v;
  return v;
}

async function checkCitizen(id: unknown): Promise<string> {
  // The subgraph validates IDs at its edge; this only keeps garbage from ever reaching the platform.
  if (typeof id !== 'string' || !/^\d{17}[\dX]$/.test(id)) throw badInput('A resident ID number has 18 characters: 17 digits, then a digit or X.', 'format');
  return id;
}

function requireRequestId(ctx: ParkingCallContext): ParkingCallContext {
  if (!ctx || typeof ctx.requestId !== 'string' || ctx.requestId === '') throw new TypeError('The parking adapter needs ctx.requestId, the id of the GraphQL request.');
  return ctx;
}

function requireKey(ctx: ParkingChangeContext): string {
  requireRequestId(ctx);
  // Without a key a retry could book or charge twice, so a change without one is never sent.
  if (typeof ctx.idempotencyKey !== 'string' || !/^[A-Za-z0-9._:-]{8,64}$/.test(ctx.idempotencyKey)) {
    throw badInput('A parking change needs an idempotency key of 8 to 64 letters, digits or . _ : -', 'idempotencyKey');
  }
  return ctx.idempotencyKey;
}

function slotError(e: unknown): Error {
  if (isCityGraphError(e)) return e;
  return new CityGraphError(ErrorCode.INTERNAL, 'Internal error in the parking adapter.', { department: DEPARTMENT, cause: e });
}

function checkOptions(options: ParkingAdapterOptions): Required<ParkingAdapterOptions> {
  const name = 'createParkingAdapter';
  if (typeof options !== 'object' || options === null) throw new TypeError(`${name} needs an options object with at least { url }.`);
  const unknown = Object.keys(options).filter((k) => !KNOWN.includes(k));
  if (unknown.length > 0) throw new TypeError(`${name}: unknown option(s) ${unknown.join(', ')}; known: ${KNOWN.join(', ')}.`);
  const {
    url, appId = 'citygraph', secret = DEV_SECRET, timeoutMs = 2000, budgetMs = 5000, retries = 2, concurrency = 8, directoryTtlMs = 60_000, idempotencyTtlMs = 86_400_000,
  } = options;
  if (typeof url !== 'string' || !URL.canParse(url) || !/^https?:$/.test(new URL(url).protocol)) throw new TypeError(`${name}: options.url must be an http(s) URL of the platform.`);
  if (typeof appId !== 'string' || appId === '') throw new TypeError(`${name}: options.appId must be a non-empty string.`);
  if (typeof secret !== 'string' || secret === '') throw new TypeError(`${name}: options.secret must be a non-empty string.`);
  for (const [k, v] of Object.entries({ timeoutMs, budgetMs, concurrency, directoryTtlMs, idempotencyTtlMs })) {
    if (typeof v !== 'number' || !Number.isInteger(v) || v <= 0) throw new TypeError(`${name}: options.${k} must be a positive whole number, got ${String(v)}.`);
  }
  if (!Number.isInteger(retries) || retries < 0) throw new TypeError(`${name}: options.retries must be a whole number, 0 or more.`);
  return { url, appId, secret, timeoutMs, budgetMs, retries, concurrency, directoryTtlMs, idempotencyTtlMs };
}
