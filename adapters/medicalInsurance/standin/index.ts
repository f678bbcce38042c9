/**
 * Stand-in for the national medical insurance platform (医保信息平台): a real HTTP server speaking its
 * `callService` JSON envelope, transaction 1101 (person information), with seeded people, latency,
 * fault injection and counters. It knows nothing of CityGraph: it plays the legacy system.
 */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';
import { checkEnvelope } from './envelope.ts';
import { findPerson } from './persons.ts';
import { BAD_GATEWAY_PAGE, HTML_ERROR_PAGE, badShapeReply, chinaTime, failureReply, successReply, type ReplyStamp } from './reply.ts';
import { NO_FAULTS, appliesTo, parseFaultPlan, type FaultPlan, type Stats } from './controls.ts';
import { Enrolments, isEnrolmentCall } from './enrolments.ts';
import { parseJson, readBody, send } from '../../kit/standin-http.ts';

/** Options of the stand-in; checked once, when it starts. */
export interface MedicalInsuranceStandInOptions {
  /** TCP port; 0 picks a free one. Default 0. */
  port?: number;
  /** Interface to listen on. Default `127.0.0.1` (never exposed beyond the machine by default). */
  host?: string;
  /** Milliseconds added before every 1101 answer, to make batching and limits visible. Default 0. */
  latencyMs?: number;
}

/** A running stand-in. */
export interface MedicalInsuranceStandIn {
  /** Base URL, e.g. `http://127.0.0.1:41234`; the service lives under `/fsi/api/…`. */
  url: string;
  /** Stops listening and drops open connections, including the ones a `timeout` fault holds. */
  close(): Promise<void>;
}

/** The platform's one endpoint; the transaction is chosen by `infno` in the body, not by the path. */
export const CALL_SERVICE_PATH = '/fsi/api/rsfComIfsService/callService';
/** Message of the platform when nobody is insured under the ID. */
export const NOT_FOUND_MESSAGE = '未查询到人员参保信息';
const BUSY_MESSAGE = '系统繁忙，请稍后再试';
const MAX_BODY_BYTES = 64 * 1024;

export { makeResidentId, isValidResidentId } from './residentId.ts';
export { DEMO_CERTNO } from './persons.ts';

/** Starts the stand-in; resolves once it listens. Invalid options throw before anything starts. */
export async function startMedicalInsuranceStandIn(options: MedicalInsuranceStandInOptions = {}): Promise<MedicalInsuranceStandIn> {
  const { port, host, latencyMs } = checkOptions(options);
  const stats: Stats = { requests: 0, records: 0, faults: 0, maxInFlight: 0 };
  let inFlight = 0;
  let plan: FaultPlan = NO_FAULTS;
  let sequence = 0;
  const enrolments = new Enrolments();

  async function callService(res: ServerResponse, body: unknown): Promise<void> {
    const received = new Date();
    const stamp = (): ReplyStamp => ({ refmsgid: refmsgid(++sequence), received, now: new Date() });
    if (isEnrolmentCall(body)) {
      // Enrolment (2901/2902, enrolments.ts): its own book, the same fault plan.
      stats.requests++;
      const answer = await enrolments.answer(body, plan, stamp, latencyMs);
      if (answer === null || answer.fault) stats.faults++;
      if (answer !== null) send(res, answer.status, answer.type, answer.text);
      return;
    }
    const checked = checkEnvelope(body);
    if (!checked.ok) return sendJson(res, 200, failureReply(checked.errMsg, stamp()));
    stats.requests++;
    inFlight++;
    stats.maxInFlight = Math.max(stats.maxInFlight, inFlight);
    res.once('close', () => inFlight--);
    const faulty = appliesTo(plan, checked.certno);
    const mode = faulty ? plan.mode : null;
    const delay = latencyMs + (faulty ? plan.latencyMs : 0);
    if (delay > 0) await sleep(delay);
    if (mode !== null) stats.faults++;
    const person = checked.psnCertType === '01' ? findPerson(checked.certno) : null;
    switch (mode) {
      case 'timeout': return; // never answers; close() drops the connection
      case 'infcodeError': return sendJson(res, 200, failureReply(BUSY_MESSAGE, stamp()));
      case 'notJson': return send(res, 200, 'text/html; charset=utf-8', HTML_ERROR_PAGE);
      case 'httpError': return send(res, 502, 'text/html', BAD_GATEWAY_PAGE);
      case 'badShape': return sendJson(res, 200, badShapeReply(person, sequence, stamp()));
      case null: break;
    }
    if (!person) return sendJson(res, 200, failureReply(NOT_FOUND_MESSAGE, stamp()));
    stats.records++;
    sendJson(res, 200, successReply(person, stamp()));
  }

  async function route(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const path = (req.url ?? '/').split('?')[0];
    if (req.method === 'GET' && path === '/__stats') return sendJson(res, 200, JSON.stringify(stats));
    if (req.method === 'POST' && path === '/__stats/reset') {
      Object.assign(stats, { requests: 0, records: 0, faults: 0, maxInFlight: inFlight });
      return sendJson(res, 200, JSON.stringify(stats));
    }
    const text = await readBody(req, MAX_BODY_BYTES);
    if (text === null) return send(res, 413, 'text/plain; charset=utf-8', 'Request Entity Too Large');
    if (req.method === 'POST' && path === '/__faults') {
      const parsed = parseFaultPlan(parseJson(text));
      if (typeof parsed === 'string') return sendJson(res, 400, JSON.stringify({ error: parsed }));
      plan = parsed;
      return sendJson(res, 200, JSON.stringify({ mode: plan.mode, latencyMs: plan.latencyMs, certnos: plan.certnos && [...plan.certnos] }));
    }
    if (req.method === 'POST' && path === CALL_SERVICE_PATH) {
      const body = parseJson(text);
      if (body === undefined) return send(res, 400, 'text/plain; charset=utf-8', 'Bad Request: the body is not JSON');
      return callService(res, body);
    }
    send(res, 404, 'text/plain; charset=utf-8', 'Not Found');
  }

  const server = createServer((req, res) => {
    route(req, res).catch(() => {
      if (!res.headersSent) send(res, 500, 'text/plain; charset=utf-8', 'Internal Server Error');
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => resolve());
  });
  const address = server.address() as AddressInfo;
  const shownHost = address.family === 'IPv6' ? `[${address.address}]` : address.address;
  return {
    url: `http://${shownHost}:${address.port}`,
    close: () => new Promise<void>((resolve, reject) => {
      server.close((e) => (e ? reject(e) : resolve()));
      server.closeAllConnections();
    }),
  };
}

function checkOptions(options: MedicalInsuranceStandInOptions): Required<MedicalInsuranceStandInOptions> {
  if (typeof options !== 'object' || options === null) throw new TypeError('startMedicalInsuranceStandIn needs an options object.');
  const unknown = Object.keys(options).filter((k) => !['port', 'host', 'latencyMs'].includes(k));
  if (unknown.length > 0) throw new TypeError(`startMedicalInsuranceStandIn: unknown option(s) ${unknown.join(', ')}; known: port, host, latencyMs.`);
  const { port = 0, host = '127.0.0.1', latencyMs = 0 } = options;
  if (!Number.isInteger(port) || port < 0 || port > 65535) throw new TypeError(`startMedicalInsuranceStandIn: port must be an integer 0–65535 (0 = any free port), got ${String(port)}.`);
  if (typeof host !== 'string' || host === '') throw new TypeError('startMedicalInsuranceStandIn: host must be a non-empty string.');
  if (typeof latencyMs !== 'number' || !Number.isFinite(latencyMs) || latencyMs < 0) {
    throw new TypeError(`startMedicalInsuranceStandIn: latencyMs must be a number of milliseconds, 0 or more, got ${String(latencyMs)}.`);
  }
  return { port, host, latencyMs };
}

/** The platform's own reply id: its area code, the time and a sequence, 30 characters. */
function refmsgid(n: number): string {
  return `210199${chinaTime(new Date())}${String(n % 10_000_000_000).padStart(10, '0')}`;
}

function sendJson(res: ServerResponse, status: number, text: string): void {
  send(res, status, 'application/json;charset=UTF-8', text);
}

