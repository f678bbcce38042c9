/**
 * The electronic licence library stand-in (电子证照库): a real HTTP server speaking the library's own
 * protocol (LEGACY.md): JSON POSTs to `/dzzz/api/v1/<service>` signed with the gateway-style headers
 * `x-tif-paasid`, `x-tif-timestamp`, `x-tif-nonce`, `x-tif-signature`, answered in a `{head, data}`
 * envelope. Seeded certificates (data.ts) sealed at start with the issuers' keys (keys.ts), a log of
 * uses (用证日志), configurable latency, fault injection at `POST /__faults`, counters at `/__stats`.
 */
import { createHash, timingSafeEqual } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { parseJson, readBody, send } from '../../kit/standin-http.ts';
import { ISSUERS, seedCertificates, type CertificateRow, type CertificateSeed } from './data.ts';
import { issuerKey, type IssuerKey } from './keys.ts';
import { contentHash, signHash } from './sign.ts';

export { DEMO_DOCUMENTS, ENTERPRISE_DOCUMENTS, ISSUERS, OTHER_HOLDERS, seedCertificates, type CertificateRow } from './data.ts';
export { canonicalContent, contentHash, SEALED_FIELDS } from './sign.ts';

/** Our application's id at the library (`x-tif-paasid`) unless told otherwise. */
export const DEV_APP_KEY = 'citygraph';
/** The shared secret of the signature header unless told otherwise. DEVELOPMENT ONLY. */
export const DEV_APP_SECRET = 'DEV-ONLY-not-a-secret-licence-library';
/** Faults that can be injected through `POST /__faults`. */
export const FAULT_MODES = ['timeout', 'httpError', 'garbage', 'busy', 'badShape'] as const;
export type FaultMode = (typeof FAULT_MODES)[number] | null;
/** The most identifiers one query may carry. */
export const MAX_KEYS_PER_CALL = 50;
/** The base path of the services. */
export const API_PATH = '/dzzz/api/v1/';

/** Options of startLicenceLibraryStandIn. */
export interface LicenceLibraryStandInOptions {
  /** TCP port; 0 picks a free one. Default 0. */
  port?: number;
  /** Interface. Default 127.0.0.1. */
  host?: string;
  /** Delay before every answer, ms. Default 0. */
  latencyMs?: number;
  /** Expected `x-tif-paasid`. Default DEV_APP_KEY. */
  appKey?: string;
  /** Shared secret of `x-tif-signature`. Default DEV_APP_SECRET. */
  appSecret?: string;
  /** Data folder whose development secrets give the issuers' keys; none: random keys for this process. Default none. */
  dataDir?: string;
  /** Largest accepted difference between `x-tif-timestamp` and the library's clock, seconds. Default 300. */
  maxSkewSeconds?: number;
}

/** A running stand-in. */
export interface LicenceLibraryStandIn {
  url: string;
  /** The issuers' public keys (uncompressed hex) by issuer code, as `jg/keys` publishes them. */
  publicKeys: Record<string, string>;
  close(): Promise<void>;
}

/** One entry of the use log (用证日志). */
interface UseEntry {
  zzbs: string;
  yzbm: string;
  sxbm: string;
  bjbh: string;
  yzsy: string;
  yzsj: string;
}

/** Seals the seeded certificates with the issuers' keys, then applies the seeded alterations. */
export function sealCertificates(seeds: readonly CertificateSeed[], keys: ReadonlyMap<string, IssuerKey>): CertificateRow[] {
  return seeds.map(({ row, tamper }) => {
    const zzsm3 = contentHash(row);
    const sealed: CertificateRow = { ...row, zzsm3, zzqm: signHash(zzsm3, keys.get(row.bzdwdm)!) };
    if (!tamper) return sealed;
    const altered = { ...sealed, ...tamper.change };
    return tamper.kind === 'hash' ? altered : { ...altered, zzsm3: contentHash(altered) };
  });
}

const KNOWN = new Set(['port', 'host', 'latencyMs', 'appKey', 'appSecret', 'dataDir', 'maxSkewSeconds']);

/** Starts the stand-in; resolves once it listens. Bad options throw a TypeError naming the option. */
export async function startLicenceLibraryStandIn(options: LicenceLibraryStandInOptions = {}): Promise<LicenceLibraryStandIn> {
  for (const key of Object.keys(options)) if (!KNOWN.has(key)) throw new TypeError(`Unknown licence library stand-in option "${key}"; known: ${[...KNOWN].join(', ')}.`);
  const port = options.port ?? 0;
  const latency = options.latencyMs ?? 0;
  const skew = options.maxSkewSeconds ?? 300;
  if (!Number.isInteger(port) || port < 0 || port > 65_535) throw new TypeError(`Option port must be an integer from 0 to 65535, got ${String(port)}.`);
  if (!Number.isInteger(latency) || latency < 0) throw new TypeError(`Option latencyMs must be a whole number, got ${String(latency)}.`);
  if (!Number.isInteger(skew) || skew < 1) throw new TypeError(`Option maxSkewSeconds must be a positive whole number, got ${String(skew)}.`);
  const appKey = options.appKey ?? DEV_APP_KEY;
  const appSecret = options.appSecret ?? DEV_APP_SECRET;

  const keys = new Map(ISSUERS.map((i) => [i.code, issuerKey(i.code, options.dataDir)] as const));
  const certificates = new Map(sealCertificates(seedCertificates(), keys).map((r) => [r.zzbs, r]));
  const byHolder = new Map<string, CertificateRow[]>();
  for (const r of certificates.values()) byHolder.set(r.czztdm, [...(byHolder.get(r.czztdm) ?? []), r]);
  const uses: UseEntry[] = [];
  const stats = { requests: 0, records: 0, faults: 0, uses: 0 };
  const injected: { mode: FaultMode; latencyMs: number } = { mode: null, latencyMs: latency };

  const json = (res: ServerResponse, status: number, value: unknown) => send(res, status, 'application/json; charset=utf-8', JSON.stringify(value));
  const answer = (res: ServerResponse, rid: string, status: string, message: string, data: unknown = null) =>
    json(res, 200, { head: { status, message, rid }, data });

  function authentic(req: IncomingMessage): string | null {
    const h = (name: string) => {
      const v = req.headers[name];
      return Array.isArray(v) ? v[0] : v;
    };
    const paasid = h('x-tif-paasid');
    const timestamp = h('x-tif-timestamp');
    const nonce = h('x-tif-nonce');
    const signature = h('x-tif-signature');
    if (!paasid || !timestamp || !nonce || !signature) return '缺少签名请求头';
    if (paasid !== appKey) return '未注册的应用';
    if (!/^\d{10}$/.test(timestamp) || Math.abs(Date.now() / 1000 - Number(timestamp)) > skew) return '时间戳无效或已过期';
    if (!/^[0-9a-zA-Z]{8,64}$/.test(nonce)) return '随机数格式错误';
    const expected = Buffer.from(createHash('sm3').update(`${timestamp}${appSecret}${nonce}${timestamp}`).digest('hex').toUpperCase());
    const given = Buffer.from(signature);
    return given.length === expected.length && timingSafeEqual(given, expected) ? null : '签名验证失败';
  }

  function strings(value: unknown): string[] | null {
    return Array.isArray(value) && value.every((v) => typeof v === 'string') ? (value as string[]) : null;
  }

  function serve(service: string, data: Record<string, unknown>, rid: string, res: ServerResponse): void {
    switch (service) {
      case 'zzxx/query':
      case 'zzxx/holder': {
        const keysAsked = strings(service === 'zzxx/query' ? data.zzbs : data.czztdm);
        if (!keysAsked || keysAsked.length === 0) return answer(res, rid, '2002', '参数错误：查询条件不能为空');
        if (keysAsked.length > MAX_KEYS_PER_CALL) return answer(res, rid, '2002', `参数错误：每次最多查询${MAX_KEYS_PER_CALL}条`);
        const list = service === 'zzxx/query'
          ? keysAsked.map((k) => certificates.get(k)).filter((r): r is CertificateRow => r !== undefined)
          : keysAsked.flatMap((k) => byHolder.get(k.toUpperCase()) ?? []);
        stats.records += list.length;
        return answer(res, rid, '0', '成功', { total: list.length, list });
      }
      case 'yz/use': {
        const fields = ['zzbs', 'yzbm', 'sxbm', 'bjbh', 'yzsy'] as const;
        const missing = fields.find((f) => typeof data[f] !== 'string' || (data[f] as string).trim() === '');
        if (missing) return answer(res, rid, '2002', `参数错误：缺少${missing}`);
        const row = certificates.get(data.zzbs as string);
        if (!row) return answer(res, rid, '2001', '证照不存在');
        uses.push({ zzbs: row.zzbs, yzbm: data.yzbm as string, sxbm: data.sxbm as string, bjbh: data.bjbh as string, yzsy: data.yzsy as string, yzsj: new Date().toISOString() });
        stats.uses++;
        stats.records++;
        return answer(res, rid, '0', '成功', { zz: row });
      }
      case 'jg/keys':
        return answer(res, rid, '0', '成功', { list: ISSUERS.map((i) => ({ bzdwdm: i.code, bzdwmc: i.name, sm2gy: keys.get(i.code)!.publicKey })) });
      default:
        return answer(res, rid, '2003', `服务不存在：${service}`);
    }
  }

  async function handleApi(req: IncomingMessage, res: ServerResponse, service: string): Promise<void> {
    stats.requests++;
    const mode = injected.mode;
    if (mode === 'timeout') {
      stats.faults++;
      return; // never answers; close() drops the socket
    }
    const body = await readBody(req, 1_000_000);
    if (injected.latencyMs > 0) await new Promise((r) => setTimeout(r, injected.latencyMs));
    const ridHeader = req.headers['x-request-id'];
    const rid = (Array.isArray(ridHeader) ? ridHeader[0] : ridHeader) ?? `r${Date.now()}`;
    if (mode === 'httpError') {
      stats.faults++;
      return send(res, 503, 'text/html; charset=utf-8', '<html><head><title>503 Service Unavailable</title></head><body>电子证照库维护中</body></html>');
    }
    if (mode === 'garbage') {
      stats.faults++;
      return send(res, 200, 'application/json; charset=utf-8', '{"head":{"status":"0","message":"成功"},"data":{"list":[{"zzbs":"DZZ');
    }
    if (body === null) return send(res, 413, 'text/plain', 'request body too large');
    const failure = authentic(req);
    if (failure) return answer(res, rid, '1001', failure);
    const parsed = parseJson(body) as { data?: unknown } | undefined;
    if (!parsed || typeof parsed !== 'object' || typeof parsed.data !== 'object' || parsed.data === null) return answer(res, rid, '2002', '请求报文格式错误');
    if (mode === 'busy') {
      stats.faults++;
      return answer(res, rid, '5000', '系统繁忙，请稍后再试');
    }
    if (mode === 'badShape') {
      stats.faults++;
      return answer(res, rid, '0', '成功', { list: 'see attachment', zz: 42 });
    }
    serve(service, parsed.data as Record<string, unknown>, rid, res);
  }

  async function handleControl(req: IncomingMessage, res: ServerResponse, path: string): Promise<void> {
    if (req.method === 'GET' && path === '/__stats') return json(res, 200, { ...stats });
    if (req.method === 'POST' && path === '/__stats/reset') {
      Object.assign(stats, { requests: 0, records: 0, faults: 0, uses: 0 });
      return json(res, 200, { ...stats });
    }
    if (req.method === 'GET' && path === '/__uses') return json(res, 200, uses);
    if (req.method === 'POST' && path === '/__faults') {
      const input = parseJson((await readBody(req, 10_000)) || '{}') as { mode?: unknown; latencyMs?: unknown } | undefined;
      if (!input || typeof input !== 'object') return json(res, 400, { error: 'The body must be JSON: { "mode": null | "timeout" | …, "latencyMs"?: number }.' });
      const mode = input.mode ?? null;
      if (mode !== null && !FAULT_MODES.includes(mode as never)) return json(res, 400, { error: `Unknown mode ${JSON.stringify(mode)}; use null or one of ${FAULT_MODES.join(', ')}.` });
      if (input.latencyMs !== undefined && (typeof input.latencyMs !== 'number' || !Number.isInteger(input.latencyMs) || input.latencyMs < 0)) {
        return json(res, 400, { error: 'latencyMs must be an integer of 0 or more.' });
      }
      injected.mode = mode as FaultMode;
      if (typeof input.latencyMs === 'number') injected.latencyMs = input.latencyMs;
      return json(res, 200, { ...injected });
    }
    json(res, 404, { error: `No control endpoint ${req.method} ${path}.` });
  }

  const server = createServer((req, res) => {
    const path = new URL(req.url ?? '/', 'http://standin').pathname;
    const run = path.startsWith('/__')
      ? handleControl(req, res, path)
      : req.method === 'POST' && path.startsWith(API_PATH)
        ? handleApi(req, res, path.slice(API_PATH.length))
        : Promise.resolve(send(res, 404, 'application/json; charset=utf-8', JSON.stringify({ head: { status: '404', message: '接口不存在' }, data: null })));
    run.catch(() => res.destroy());
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, options.host ?? '127.0.0.1', () => resolve());
  });
  const address = server.address() as AddressInfo;
  const host = address.family === 'IPv6' ? `[${address.address}]` : address.address;
  return {
    url: `http://${host}:${address.port}`,
    publicKeys: Object.fromEntries([...keys].map(([code, k]) => [code, k.publicKey])),
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.close((e) => (e ? reject(e) : resolve()));
        server.closeAllConnections();
      }),
  };
}
