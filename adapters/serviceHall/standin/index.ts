/**
 * Stand-in of the online government service hall (一网通办 办件交换): form POSTs of `accessToken` +
 * `xmlStr`, replies `<RESULT><STATUS>…</STATUS><DESC>…</DESC><DATA>…</DATA></RESULT>` (HTTP 200 even
 * for refusals, as the hall does), access tokens that expire, a catalogue of matters, a seeded case
 * book, latency, fault injection and counters. The token endpoint and method names are invented.
 */
import { randomBytes } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { CATALOGUE, DEPARTMENTS } from './catalogue.ts';
import { CaseBook, caseXml, type CaseMaterial, type Handler } from './cases.ts';
import { seedCases } from './seed.ts';
import { HallRefusal, el, parseXmlStr, result, text } from './xml.ts';

export { DEMO_APPLICANT, DEMO_ENTERPRISE, uscc } from './seed.ts';
export { CATALOGUE } from './catalogue.ts';

/** Development credentials of the hall; the adapter's defaults equal them (a test checks). */
export const DEV_APP_ID = 'citygraph';
export const DEV_APP_SECRET = 'DEV-ONLY-not-a-secret-service-hall';
/** Ways the stand-in can misbehave. */
export const FAULT_MODES = ['status500', 'badXml', 'timeout', 'httpError'] as const;
export type FaultMode = (typeof FAULT_MODES)[number] | null;
/** Most case numbers one `queryBjxx` accepts. */
export const MAX_CASES_PER_CALL = 50;

/** Options of the stand-in. */
export interface ServiceHallStandInOptions {
  /** TCP port; 0 picks a free one. Default 0. */
  port?: number;
  /** Interface. Default 127.0.0.1. */
  host?: string;
  /** Milliseconds before every answer. Default 0. */
  latencyMs?: number;
  /** Lifetime of an access token in milliseconds. Default 7 200 000 (2 h, as the hall issues them). */
  tokenTtlMs?: number;
  /** Seeded cases. Default 60. */
  cases?: number;
  /** The hall's clock (its case times). Default the real clock. */
  now?: () => Date;
}

/** A running stand-in. */
export interface ServiceHallStandIn {
  url: string;
  close(): Promise<void>;
}

const MAX_BODY_BYTES = 512 * 1024;

/** Starts the stand-in; resolves once it listens. */
export async function startServiceHallStandIn(options: ServiceHallStandInOptions = {}): Promise<ServiceHallStandIn> {
  const now = options.now ?? (() => new Date());
  const ttl = options.tokenTtlMs ?? 7_200_000;
  if (!Number.isInteger(ttl) || ttl < 1) throw new TypeError('startServiceHallStandIn: tokenTtlMs must be a whole number of milliseconds ≥ 1.');
  const book = new CaseBook(now);
  seedCases(book, options.cases ?? 60);
  const tokens = new Map<string, number>();
  const stats = { requests: 0, records: 0, faults: 0, tokens: 0, expired: 0 };
  const injected: { mode: FaultMode; latencyMs: number } = { mode: null, latencyMs: options.latencyMs ?? 0 };

  const handler = (root: Record<string, any>, block: string): Handler => {
    const b = root[block] ?? {};
    const h = { BLRJS: text(b.BLRJS), BLBM: text(b.BLBM), BLR: text(b.BLR), BLRXM: text(b.BLRXM) };
    if (!h.BLRJS || !h.BLBM || !h.BLR) throw new HallRefusal(400, `${block}缺少办理人信息（BLRJS、BLBM、BLR）`);
    return h;
  };
  const materials = (block: Record<string, any>): CaseMaterial[] =>
    ((block?.CLLIST?.CL ?? []) as Record<string, unknown>[]).map((x) => ({ CLBM: text(x.CLBM), CLSYZ: text(x.CLSYZ), WJBH: text(x.WJBH) }));
  const number = (root: Record<string, any>, block: string): string => {
    const n = text(root[block]?.SBLSH?.[0]);
    if (!n) throw new HallRefusal(400, `${block}缺少申办流水号SBLSH`);
    return n;
  };
  const one = (c: ReturnType<CaseBook['accept']>) => {
    stats.records++;
    return caseXml(c);
  };

  const methods: Record<string, (root: Record<string, any>) => string> = {
    querySxList(root) {
      const dept = text(root.SSBM);
      if (dept && !(dept in DEPARTMENTS)) throw new HallRefusal(400, `实施部门编码${dept}不存在`);
      const list = CATALOGUE.filter((x) => !dept || x.SSBM === dept);
      stats.records += list.length;
      return list
        .map((x) => `<SXXX>${el('SXBM', x.SXBM)}${el('SXMC', x.SXMC)}${el('SSBM', x.SSBM)}${el('SSBMMC', DEPARTMENTS[x.SSBM])}${el('SXLX', x.SXLX)}${el('FDSX', x.FDSX)}${el('CNSX', x.CNSX)}${el('ZSSCSJ', x.ZSSCSJ)}${el('LCLBL', x.LCLBL)}<CLLIST>${x.CLLIST.map((c) => `<CL>${el('CLBM', c.CLBM)}${el('CLMC', c.CLMC)}${el('SFBY', c.SFBY)}</CL>`).join('')}</CLLIST></SXXX>`)
        .join('');
    },
    queryBjxx(root) {
      const numbers = ((root.SBLSH ?? []) as unknown[]).map(text);
      if (numbers.length === 0) throw new HallRefusal(400, '查询条件SBLSH不能为空');
      if (numbers.length > MAX_CASES_PER_CALL) throw new HallRefusal(400, `每次最多查询${MAX_CASES_PER_CALL}件`);
      // Unknown numbers are simply absent, as in the hall's own list queries.
      return numbers.map((n) => book.get(n)).filter((c) => c !== undefined).map(one).join('');
    },
    queryBjList(root) {
      const id = text(root.SQRZJHM);
      if (!id) throw new HallRefusal(400, '查询条件SQRZJHM不能为空');
      return book.ofApplicant(id).map(one).join('');
    },
    pushShenQing(root) {
      const b = root.SPSHENQIN ?? {};
      const kind = text(b.SQRLX);
      if (kind !== '1' && kind !== '2') throw new HallRefusal(400, '申请人类型SQRLX应为1（自然人）或2（法人）');
      return one(book.submit({ SXBM: text(b.SXBM), SQRLX: kind, SQRZJHM: text(b.SQRZJHM), SQRMC: text(b.SQRMC), YWLSH: text(b.YWLSH), CLLIST: materials(b) }));
    },
    pushShouLi: (root) => one(book.accept(number(root, 'SPSHOULI'), handler(root, 'SPSHOULI'))),
    pushBuYuShouLi: (root) => one(book.notAccept(number(root, 'SPBYSL'), handler(root, 'SPBYSL'), required(root.SPBYSL?.YJ, '不予受理原因'))),
    pushBuZheng: (root) => one(book.requestSupplement(number(root, 'SPBUZHENG'), handler(root, 'SPBUZHENG'), required(root.SPBUZHENG?.YJ, '补正原因'))),
    pushBzsl: (root) => one(book.supplement(number(root, 'SPBZSL'), text(root.SPBZSL?.SQRZJHM), materials(root.SPBZSL))),
    pushShenPi(root) {
      const spjg = text(root.SPSHENPI?.SPJG);
      if (spjg !== '1' && spjg !== '0') throw new HallRefusal(400, '审批结果SPJG应为1（准予）或0（不予许可）');
      const opinion = text(root.SPSHENPI?.YJ);
      if (spjg === '0' && !opinion) throw new HallRefusal(400, '不予许可必须说明理由');
      return one(book.decide(number(root, 'SPSHENPI'), handler(root, 'SPSHENPI'), spjg === '1', opinion));
    },
    pushBanJie: (root) => one(book.complete(number(root, 'SPBANJIE'), handler(root, 'SPBANJIE'))),
    pushGuoCheng: (root) => one(book.recordPart(number(root, 'SPLHBL'), handler(root, 'SPLHBL'), required(root.SPLHBL?.HJMC, '环节名称'), text(root.SPLHBL?.YJ), text(root.SPLHBL?.BLJG))),
  };

  async function handle(req: IncomingMessage, res: ServerResponse, path: string, body: string): Promise<void> {
    if (req.method === 'GET' && path === '/__stats') return json(res, 200, { ...stats, cases: book.size });
    if (req.method === 'POST' && path === '/__stats/reset') {
      Object.assign(stats, { requests: 0, records: 0, faults: 0, tokens: 0, expired: 0 });
      return json(res, 200, stats);
    }
    if (req.method === 'POST' && path === '/__tokens/expire') {
      tokens.clear();
      return json(res, 200, { expired: true });
    }
    if (req.method === 'POST' && path === '/__faults') {
      let input: { mode?: unknown; latencyMs?: unknown };
      try {
        input = JSON.parse(body || '{}') as typeof input;
      } catch {
        return json(res, 400, { error: 'The body must be JSON: { "mode": null | "status500" | "badXml" | "timeout" | "httpError", "latencyMs"?: number }.' });
      }
      const mode = input.mode ?? null;
      if (mode !== null && !FAULT_MODES.includes(mode as never)) return json(res, 400, { error: `Unknown mode ${JSON.stringify(mode)}; use null or one of ${FAULT_MODES.join(', ')}.` });
      if (input.latencyMs !== undefined && !(Number.isInteger(input.latencyMs) && (input.latencyMs as number) >= 0)) return json(res, 400, { error: 'latencyMs must be an integer of 0 or more.' });
      injected.mode = mode as FaultMode;
      if (typeof input.latencyMs === 'number') injected.latencyMs = input.latencyMs;
      return json(res, 200, injected);
    }
    if (req.method !== 'POST') return send(res, 405, 'text/plain; charset=utf-8', 'Method Not Allowed');
    const form = new URLSearchParams(body);
    if (path === '/ywtb/oauth/token') {
      if (form.get('appId') !== DEV_APP_ID || form.get('appSecret') !== DEV_APP_SECRET) return xml(res, result(403, 'appId或appSecret错误'));
      const token = randomBytes(16).toString('hex');
      tokens.set(token, Date.now() + ttl);
      stats.tokens++;
      return xml(res, result(200, '获取成功', `${el('ACCESS_TOKEN', token)}${el('EXPIRES_IN', Math.floor(ttl / 1000))}`));
    }
    const method = /^\/ywtb\/api\/(\w+)$/.exec(path)?.[1];
    if (!method || !(method in methods)) return send(res, 404, 'text/html; charset=utf-8', '<html><body><h1>404 Not Found</h1></body></html>');
    stats.requests++;
    if (injected.mode === 'timeout') {
      stats.faults++;
      return; // never answers; close() drops the socket
    }
    if (injected.latencyMs > 0) await new Promise((r) => setTimeout(r, injected.latencyMs));
    if (injected.mode === 'httpError') {
      stats.faults++;
      return send(res, 502, 'text/html; charset=utf-8', '<html><body><h1>502 Bad Gateway</h1><p>nginx</p></body></html>');
    }
    if (injected.mode === 'status500') {
      stats.faults++;
      return xml(res, result(500, '系统异常，请联系管理员'));
    }
    const token = form.get('accessToken') ?? '';
    const expires = tokens.get(token);
    if (expires === undefined || expires <= Date.now()) {
      if (expires !== undefined) tokens.delete(token);
      stats.expired++;
      return xml(res, result(401, 'accessToken无效或已过期，请重新获取'));
    }
    let reply: string;
    try {
      reply = result(200, '请求成功！', methods[method]!(parseXmlStr(form.get('xmlStr') ?? '')));
    } catch (e) {
      if (!(e instanceof HallRefusal)) throw e;
      reply = result(e.status, e.desc);
    }
    if (injected.mode === 'badXml') {
      stats.faults++;
      reply = reply.slice(0, Math.floor(reply.length * 0.6));
    }
    xml(res, reply);
  }

  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (c: Buffer) => {
      size += c.length;
      if (size > MAX_BODY_BYTES) req.destroy();
      else chunks.push(c);
    });
    req.on('end', () => {
      const path = new URL(req.url ?? '/', 'http://standin').pathname;
      handle(req, res, path, Buffer.concat(chunks).toString('utf8')).catch(() => {
        if (!res.headersSent) xml(res, result(500, '系统异常'));
      });
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, options.host ?? '127.0.0.1', () => resolve());
  });
  const address = server.address() as AddressInfo;
  return {
    url: `http://${address.family === 'IPv6' ? `[${address.address}]` : address.address}:${address.port}`,
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.close((e) => (e ? reject(e) : resolve()));
        server.closeAllConnections();
      }),
  };
}

function required(v: unknown, what: string): string {
  const t = text(v);
  if (!t) throw new HallRefusal(400, `${what}不能为空`);
  return t;
}

function send(res: ServerResponse, status: number, type: string, body: string): void {
  res.writeHead(status, { 'content-type': type, 'content-length': Buffer.byteLength(body) });
  res.end(body);
}
const xml = (res: ServerResponse, body: string) => send(res, 200, 'text/xml; charset=UTF-8', body);
const json = (res: ServerResponse, status: number, v: unknown) => send(res, status, 'application/json; charset=utf-8', JSON.stringify(v));
