/**
 * Stand-in for the enterprise registry (市场监管): a real HTTP server with two endpoints over the same
 * seeded records — SAMR's REST interface (`UNISCID ENTNAME …`) and the city sharing platform's
 * (`SHTYXYDM QYMC …`) — batch lookup by comma-separated codes (at most 20 a call) or by legal
 * representatives' ID numbers, with latency, fault injection (`POST /__faults`) and counters (`GET /__stats`).
 */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';
import { DEFAULT_ENTERPRISES, generateEnterprises, type SamrRecord } from './data.ts';
import { samrFailure, samrReply, sharingFailure, sharingReply } from './shapes.ts';
import { readBody } from '../../kit/standin-http.ts';

/** Largest request body the stand-in reads. */
const MAX_BODY_BYTES = 64 * 1024;

export { DEMO_CLOSED_USCC, DEMO_ENTERPRISE_USCC, generateEnterprises, type SamrRecord } from './data.ts';

/** SAMR's lookup by codes / by legal representatives. */
export const SAMR_BY_CODE = '/samr/api/v1/ent/baseinfo';
export const SAMR_BY_LEREP = '/samr/api/v1/ent/lerep';
/**
 * SAMR's electronic business licences (电子营业执照, invented endpoint in the shape of the others): by
 * codes, the 电子证照标识 under which the registry issued each enterprise's licence into the electronic
 * licence library (`DZYYZZBS`) and whether it stands (`ZZZT` 1) or was cancelled with the enterprise (2).
 */
export const SAMR_LICENCES = '/samr/api/v1/ent/dzyyzz';
/** The sharing platform's table endpoint; the query parameter chooses the key. */
export const SHARING_PATH = '/share/api/v2/qyjbxx';
/** Most codes or ID numbers in one call. */
export const MAX_PER_CALL = 20;

/** Ways the stand-in misbehaves. `otherShape`: SAMR's endpoint answers in the sharing platform's names. */
export const FAULT_MODES = ['timeout', 'httpError', 'notJson', 'busy', 'badShape', 'otherShape'] as const;
type FaultMode = (typeof FAULT_MODES)[number];

/** Options of the stand-in. */
export interface MarketRegulationStandInOptions {
  port?: number;
  host?: string;
  /** Milliseconds before every answer. Default 0. */
  latencyMs?: number;
  /** Enterprises besides the two demo ones. Default 2400. */
  enterprises?: number;
}

/** A running stand-in. */
export interface MarketRegulationStandIn {
  url: string;
  records: readonly SamrRecord[];
  close(): Promise<void>;
}

/** Starts the stand-in; resolves once it listens. */
export async function startMarketRegulationStandIn(options: MarketRegulationStandInOptions = {}): Promise<MarketRegulationStandIn> {
  const { port = 0, host = '127.0.0.1', latencyMs = 0, enterprises = DEFAULT_ENTERPRISES } = options;
  if (!Number.isInteger(port) || port < 0 || port > 65535) throw new TypeError(`startMarketRegulationStandIn: port must be 0–65535, got ${String(port)}.`);
  if (!Number.isFinite(latencyMs) || latencyMs < 0) throw new TypeError('startMarketRegulationStandIn: latencyMs must be 0 or more.');
  const records = generateEnterprises(enterprises);
  const byCode = new Map(records.map((r) => [r.UNISCID, r]));
  const byRep = new Map<string, SamrRecord[]>();
  for (const r of records) byRep.set(r.CERNO, [...(byRep.get(r.CERNO) ?? []), r]);
  const stats = { requests: 0, records: 0, faults: 0, samr: 0, sharing: 0 };
  let fault: FaultMode | null = null;

  function lookup(param: string | null, index: 'code' | 'rep'): SamrRecord[] | string {
    const keys = (param ?? '').split(',').map((k) => k.trim()).filter(Boolean);
    if (keys.length === 0) return '查询条件不能为空';
    if (keys.length > MAX_PER_CALL) return `单次最多查询${MAX_PER_CALL}条`;
    return index === 'code' ? keys.flatMap((k) => byCode.get(k) ?? []) : keys.flatMap((k) => byRep.get(k) ?? []);
  }

  async function route(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', 'http://stand-in');
    if (req.method === 'GET' && url.pathname === '/__stats') return send(res, 200, JSON.stringify(stats));
    if (req.method === 'POST' && url.pathname === '/__stats/reset') {
      Object.assign(stats, { requests: 0, records: 0, faults: 0, samr: 0, sharing: 0 });
      return send(res, 200, JSON.stringify(stats));
    }
    if (req.method === 'POST' && url.pathname === '/__faults') {
      let body: { mode?: unknown };
      try {
        body = JSON.parse((await readBody(req, MAX_BODY_BYTES)) ?? '') as { mode?: unknown };
      } catch {
        return send(res, 400, JSON.stringify({ error: 'body must be JSON' }));
      }
      if (body?.mode !== null && !(FAULT_MODES as readonly unknown[]).includes(body?.mode)) {
        return send(res, 400, JSON.stringify({ error: `mode must be null or one of ${FAULT_MODES.join(', ')}` }));
      }
      fault = body.mode as FaultMode | null;
      return send(res, 200, JSON.stringify({ mode: fault }));
    }
    const samr = url.pathname === SAMR_BY_CODE || url.pathname === SAMR_BY_LEREP || url.pathname === SAMR_LICENCES;
    if (req.method !== 'GET' || (!samr && url.pathname !== SHARING_PATH)) return send(res, 404, 'Not Found', 'text/plain');
    stats.requests++;
    if (samr) stats.samr++;
    else stats.sharing++;
    if (latencyMs > 0) await sleep(latencyMs);
    if (fault) stats.faults++;
    switch (fault) {
      case 'timeout': return; // never answers; close() drops the connection
      case 'httpError': return send(res, 502, '<html><body><h1>502 Bad Gateway</h1></body></html>', 'text/html');
      case 'notJson': return send(res, 200, '<html><body>系统维护中，请稍后访问</body></html>', 'text/html;charset=UTF-8');
      case 'busy': return send(res, 200, samr ? samrFailure('500', '系统繁忙，请稍后再试') : sharingFailure('系统繁忙'));
      default: break;
    }
    const found = samr
      ? lookup(url.searchParams.get(url.pathname === SAMR_BY_LEREP ? 'cernos' : 'uniscids'), url.pathname === SAMR_BY_LEREP ? 'rep' : 'code')
      : url.searchParams.has('fddbrzjhm') ? lookup(url.searchParams.get('fddbrzjhm'), 'rep') : lookup(url.searchParams.get('shtyxydm'), 'code');
    if (typeof found === 'string') return send(res, 200, samr ? samrFailure('400', found) : sharingFailure(found));
    stats.records += found.length;
    if (fault === 'badShape') return send(res, 200, samr ? '{"code":"200","message":"查询成功","data":[{"UNISCID":null}]}' : '{"success":true,"result":[{"QYMC":1}]}');
    if (url.pathname === SAMR_LICENCES) {
      return send(res, 200, JSON.stringify({ code: '200', message: '查询成功', data: found.map((r) => ({ UNISCID: r.UNISCID, DZYYZZBS: `DZZZ-YYZZ-${r.UNISCID}`, ZZZT: r.REGSTATE === '1' ? '1' : '2' })) }));
    }
    if (fault === 'otherShape' && samr) return send(res, 200, JSON.stringify({ code: '200', message: '查询成功', data: JSON.parse(sharingReply(found)).result }));
    send(res, 200, samr ? samrReply(found) : sharingReply(found));
  }

  const server = createServer((req, res) => {
    route(req, res).catch(() => {
      if (!res.headersSent) send(res, 500, 'Internal Server Error', 'text/plain');
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => resolve());
  });
  const address = server.address() as AddressInfo;
  return {
    url: `http://${address.family === 'IPv6' ? `[${address.address}]` : address.address}:${address.port}`,
    records,
    close: () => new Promise<void>((resolve, reject) => {
      server.close((e) => (e ? reject(e) : resolve()));
      server.closeAllConnections();
    }),
  };
}

function send(res: ServerResponse, status: number, text: string, type = 'application/json;charset=UTF-8'): void {
  res.writeHead(status, { 'content-type': type, 'content-length': Buffer.byteLength(text) });
  res.end(text);
}
