/**
 * Stand-in of the city's parking platform (好停车): a real HTTP server of the operator open API —
 * signed JSON POSTs (`app_id`, `rand`, `timestamp`, `sign`), replies `{code: 1000|1001|1500, …}`,
 * cursor pagination, 429 with Retry-After — over 608 seeded car parks, vehicles, reservations and
 * leave-first-pay-later orders. It knows nothing of CityGraph: it plays the legacy system.
 */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';
import { LosslessNumber, parse } from 'lossless-json';
import { NO_FAULTS, RateLimiter, emptyStats, parseFaultPlan, type FaultPlan } from './controls.ts';
import { DEFAULT_SEED } from './data.ts';
import { Platform, type Outcome } from './platform.ts';
import { CODE, DEV_APP_ID, DEV_APP_SECRET, envelope, signOf } from './protocol.ts';
import { parseJson, readBody, send } from '../../kit/standin-http.ts';

export { DEMO_PLATES, OPERATORS, PARK_COUNT, generateWorld } from './data.ts';
export { DEV_APP_ID, DEV_APP_SECRET, signOf } from './protocol.ts';
export { FAULT_MODES, type FaultMode } from './controls.ts';

/** Options of the stand-in; checked once, when it starts. */
export interface ParkingStandInOptions {
  /** TCP port; 0 picks a free one. Default 0. */
  port?: number;
  /** Interface to listen on. Default `127.0.0.1`. */
  host?: string;
  /** Seed of the data. Default 20261201. */
  seed?: number;
  /** Delay before every business answer, ms. Default 0. */
  latencyMs?: number;
  /** Calls a second per app before 429 (a token bucket); 0 disables the limit. Default 200. */
  rateLimitPerSecond?: number;
  /** App id → secret. Default `{ citygraph: DEV_APP_SECRET }` (development only). */
  apps?: Record<string, string>;
  /** Clock in Unix ms, for tests. Default `Date.now`. */
  now?: () => number;
}

/** A running stand-in. */
export interface ParkingStandIn {
  /** Base URL; the API lives under `/gate/1.0/…`. */
  url: string;
  /** The platform's state, for tests that look behind the wire (reservations, charges). */
  platform: Platform;
  /** Stops listening and drops open connections (including the ones a `timeout` fault holds). */
  close(): Promise<void>;
}

/** Prefix of every API path. */
export const API_PREFIX = '/gate/1.0/';
const MAX_BODY_BYTES = 64 * 1024;
/** How long a `rand` is remembered (and a timestamp accepted), seconds. */
const REPLAY_WINDOW_S = 300;

type Handler = (platform: Platform, body: Record<string, unknown>) => Outcome;
const APIS: Readonly<Record<string, Handler>> = {
  'parking/park/list': (p, b) => p.listParks(b),
  'parking/park/info': (p, b) => p.parkInfo(b),
  'vehicle/list': (p, b) => p.listVehicles(b),
  'parking/reserve/apply': (p, b) => p.applyReserve(b),
  'parking/reserve/cancel': (p, b) => p.cancelReserve(b),
  'parking/reserve/list': (p, b) => p.listReserves(b),
  'parking/laterpay/order/query': (p, b) => p.listOrders(b),
  'parking/laterpay/order/pay': (p, b) => p.payOrder(b),
};

/** Starts the stand-in; resolves once it listens. Invalid options throw before anything starts. */
export async function startParkingStandIn(options: ParkingStandInOptions = {}): Promise<ParkingStandIn> {
  const o = checkOptions(options);
  const platform = new Platform(o.seed, o.now);
  const limiters = new Map(Object.keys(o.apps).map((app) => [app, new RateLimiter(o.rateLimitPerSecond, o.now)]));
  const rands = new Map<string, number>();
  let stats = emptyStats();
  let plan: FaultPlan = NO_FAULTS;
  let inFlight = 0;
  let seq = 0;

  async function business(api: string, res: ServerResponse, text: string): Promise<void> {
    const started = Date.now();
    const seqno = `${Math.floor(o.now() / 1000)}${String(++seq).padStart(6, '0')}`;
    const reply = (code: string, msg: string, payload: unknown, status = 200, headers: Record<string, string> = {}) =>
      send(res, status, 'application/json;charset=UTF-8', envelope(code, msg, seqno, started, payload), headers);
    stats.requests++;
    stats.byApi[api] = (stats.byApi[api] ?? 0) + 1;
    inFlight++;
    stats.maxInFlight = Math.max(stats.maxInFlight, inFlight);
    res.once('close', () => inFlight--);
    const faulty = plan.mode !== null && (plan.apis === null || plan.apis.has(api)) ? plan : null;
    const delay = o.latencyMs + (faulty ? faulty.latencyMs : 0);
    if (delay > 0) await sleep(delay);
    if (faulty?.mode) {
      stats.faults++;
      if (faulty.times !== null && --faulty.times === 0) plan = NO_FAULTS;
      switch (faulty.mode) {
        case 'lostReply': break; // handled after the work is done
        case 'timeout': return; // never answers; close() drops the connection
        case 'httpError': return send(res, 502, 'text/html', '<html><body><h1>502 Bad Gateway</h1></body></html>');
        case 'notJson': return send(res, 200, 'text/html; charset=utf-8', '<html><body>系统维护中</body></html>');
        case 'platformError': return reply(CODE.FAILURE, '系统繁忙，请稍后再试', { err_code: 'SYSTEM_BUSY' });
        case 'rateLimited':
          stats.rateLimited++;
          return reply(CODE.FAILURE, '请求过于频繁', { err_code: 'RATE_LIMITED' }, 429, { 'retry-after': String(faulty.retryAfterSeconds) });
      }
    }
    const body = parseBody(text);
    if (!body) return reply(CODE.FAILURE, '请求体不是JSON对象', { err_code: 'PARAM_ERROR' });
    const secret = typeof body.app_id === 'string' ? o.apps[body.app_id] : undefined;
    const refused = (msg: string, err_code: string) => {
      stats.refused++;
      return reply(CODE.FAILURE, msg, { err_code });
    };
    if (secret === undefined) return refused('app_id 无效', 'APP_INVALID');
    const wait = limiters.get(body.app_id as string)!.take();
    if (wait > 0) {
      stats.rateLimited++;
      return reply(CODE.FAILURE, '请求过于频繁', { err_code: 'RATE_LIMITED' }, 429, { 'retry-after': String(wait) });
    }
    const nowS = Math.floor(o.now() / 1000);
    if (typeof body.timestamp !== 'number' || Math.abs(body.timestamp - nowS) > REPLAY_WINDOW_S) return refused('timestamp 超出允许范围', 'TIMESTAMP_INVALID');
    if (typeof body.sign !== 'string' || body.sign !== signOf(body, secret)) return refused('签名错误', 'SIGN_ERROR');
    if (typeof body.rand !== 'string' || !/^[A-Za-z0-9]{8,32}$/.test(body.rand)) return refused('rand 格式错误', 'PARAM_ERROR');
    for (const [r, at] of rands) if (at < nowS - REPLAY_WINDOW_S) rands.delete(r);
    const randKey = `${body.app_id}:${body.rand}`;
    if (rands.has(randKey)) return refused('rand 重复（疑似重放）', 'RAND_REPEATED');
    rands.set(randKey, nowS);
    const outcome = APIS[api]!(platform, body);
    if (faulty?.mode === 'lostReply') return; // done, but the caller never hears of it
    if (outcome.fail) return reply(CODE.FAILURE, outcome.msg, { err_code: outcome.err_code });
    reply(outcome.code, '成功', outcome.payload);
  }

  async function route(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const path = (req.url ?? '/').split('?')[0]!;
    if (req.method === 'GET' && path === '/__stats') return sendJson(res, 200, { ...stats, ...platform.counters, reservations: platform.reserves.length });
    if (req.method === 'POST' && path === '/__stats/reset') {
      stats = { ...emptyStats(), maxInFlight: inFlight };
      Object.assign(platform.counters, { reservationsCreated: 0, reservationsCancelled: 0, charges: 0, chargedCents: 0 });
      return sendJson(res, 200, stats);
    }
    const text = await readBody(req, MAX_BODY_BYTES);
    if (text === null) return send(res, 413, 'text/plain; charset=utf-8', 'Request Entity Too Large');
    if (req.method === 'POST' && path === '/__faults') {
      const parsed = parseFaultPlan(parseJson(text));
      if (typeof parsed === 'string') return sendJson(res, 400, { error: parsed });
      plan = parsed;
      return sendJson(res, 200, { ...plan, apis: plan.apis && [...plan.apis] });
    }
    const api = path.startsWith(API_PREFIX) ? path.slice(API_PREFIX.length) : '';
    if (req.method === 'POST' && APIS[api]) return business(api, res, text);
    send(res, 404, 'application/json;charset=UTF-8', JSON.stringify({ code: CODE.FAILURE, msg: '接口不存在' }));
  }

  const server = createServer((req, res) => {
    route(req, res).catch(() => {
      if (!res.headersSent) send(res, 500, 'text/plain; charset=utf-8', 'Internal Server Error');
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(o.port, o.host, () => resolve());
  });
  const address = server.address() as AddressInfo;
  const shownHost = address.family === 'IPv6' ? `[${address.address}]` : address.address;
  return {
    url: `http://${shownHost}:${address.port}`,
    platform,
    close: () => new Promise<void>((resolve, reject) => {
      server.close((e) => (e ? reject(e) : resolve()));
      server.closeAllConnections();
    }),
  };
}

function checkOptions(options: ParkingStandInOptions): Required<ParkingStandInOptions> {
  const name = 'startParkingStandIn';
  if (typeof options !== 'object' || options === null) throw new TypeError(`${name} needs an options object.`);
  const known = ['port', 'host', 'seed', 'latencyMs', 'rateLimitPerSecond', 'apps', 'now'];
  const unknown = Object.keys(options).filter((k) => !known.includes(k));
  if (unknown.length > 0) throw new TypeError(`${name}: unknown option(s) ${unknown.join(', ')}; known: ${known.join(', ')}.`);
  const { port = 0, host = '127.0.0.1', seed = DEFAULT_SEED, latencyMs = 0, rateLimitPerSecond = 200, apps = { [DEV_APP_ID]: DEV_APP_SECRET }, now = Date.now } = options;
  const whole = (n: string, v: unknown, max: number) => {
    if (typeof v !== 'number' || !Number.isInteger(v) || v < 0 || v > max) throw new TypeError(`${name}: ${n} must be a whole number from 0 to ${max}, got ${String(v)}.`);
  };
  whole('port', port, 65535);
  whole('seed', seed, 2 ** 32 - 1);
  whole('latencyMs', latencyMs, 600_000);
  whole('rateLimitPerSecond', rateLimitPerSecond, 100_000);
  if (typeof host !== 'string' || host === '') throw new TypeError(`${name}: host must be a non-empty string.`);
  if (typeof apps !== 'object' || apps === null || Object.values(apps).some((s) => typeof s !== 'string' || s === '')) {
    throw new TypeError(`${name}: apps must map app ids to non-empty secrets.`);
  }
  if (typeof now !== 'function') throw new TypeError(`${name}: now must be a function returning Unix milliseconds.`);
  return { port, host, seed, latencyMs, rateLimitPerSecond, apps, now };
}

/** Parses a request body; decimals stay exact (LosslessNumber), whole numbers become numbers. */
function parseBody(text: string): Record<string, unknown> | null {
  try {
    const v = parse(text, null, (n) => (/^-?\d+$/.test(n) && Number.isSafeInteger(Number(n)) ? Number(n) : new LosslessNumber(n)));
    return typeof v === 'object' && v !== null && !Array.isArray(v) ? (v as Record<string, unknown>) : null;
  } catch {
    return null;
  }
}

function sendJson(res: ServerResponse, status: number, value: unknown): void {
  send(res, status, 'application/json;charset=UTF-8', JSON.stringify(value));
}

