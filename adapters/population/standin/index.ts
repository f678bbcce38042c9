/**
 * The population registry stand-in: a real HTTP server speaking SOAP 1.1 in GBK, with seeded data,
 * latency, fault injection and counters. It speaks only the legacy protocol, so the adapter is tested
 * against the wire, not against the graph's own shapes.
 */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { DEMO_FAMILY, SEEDED_HOUSEHOLDS, generateCitizens } from './data.ts';
import { FAULT_MODES, resolveStandInOptions, type FaultMode, type PopulationStandInOptions } from './options.ts';
import { Registry, errorDocument, headOf } from './registry.ts';
import { SoapFault, decodeBody, faultEnvelope, gbk, parseSoapCall, responseEnvelope } from './soap.ts';
import { wsdl } from './wsdl.ts';
import { BIRTH_OPERATIONS, Births } from './births.ts';

export {
  DEMO_CITIZEN_ID, DEMO_CHILD_ID, DEMO_FAMILY, DEMO_HOUSEHOLD_NUMBER, DEMO_SPOUSE_ID, SEEDED_HOUSEHOLDS,
  generateCitizens, householdRegisterId, listCitizenIds, ownHouseholdNumber,
} from './data.ts';
export { RELATIONSHIPS } from './registry.ts';
export { DEV_SECRET, FAULT_MODES, type FaultMode, type PopulationStandInOptions } from './options.ts';
export { MAX_IDS_PER_CALL } from './registry.ts';

/** A running stand-in. */
export interface PopulationStandIn {
  /** Base URL, e.g. `http://127.0.0.1:40123`; SOAP is served at this URL, control endpoints under it. */
  url: string;
  /** Stops listening and drops every open connection (including requests held by the timeout fault). */
  close(): Promise<void>;
}

const MAX_BODY_BYTES = 1_000_000;
const OPERATIONS = new Set(['query', 'modify', 'householdQuery', ...BIRTH_OPERATIONS]);

/** Starts the stand-in and resolves once it listens. */
export async function startPopulationStandIn(options: PopulationStandInOptions = {}): Promise<PopulationStandIn> {
  const config = resolveStandInOptions(options);
  // The demo citizen's family lives beside the generated population (data.ts says why).
  const registry = new Registry([...generateCitizens(config.citizens, config.seed), ...DEMO_FAMILY], SEEDED_HOUSEHOLDS);
  const births = new Births(registry);
  const stats = { requests: 0, records: 0, faults: 0 };
  const injected: { mode: FaultMode; latencyMs: number } = { mode: null, latencyMs: config.latencyMs };
  let baseUrl = '';

  const send = (res: ServerResponse, status: number, body: Buffer, contentType: string): void => {
    res.writeHead(status, { 'Content-Type': contentType, 'Content-Length': body.length });
    res.end(body);
  };
  const sendFault = (res: ServerResponse, fault: SoapFault): void => {
    stats.faults++;
    send(res, 500, gbk(faultEnvelope(fault)), 'text/xml; charset=GBK');
  };
  const json = (res: ServerResponse, status: number, value: unknown): void =>
    send(res, status, Buffer.from(JSON.stringify(value)), 'application/json; charset=utf-8');

  async function handleSoap(req: IncomingMessage, res: ServerResponse, body: Buffer): Promise<void> {
    stats.requests++;
    const mode = injected.mode;
    if (mode === 'timeout') {
      // Never answer: the client must give up on its own. close() drops the socket.
      stats.faults++;
      return;
    }
    if (injected.latencyMs > 0) await new Promise((r) => setTimeout(r, injected.latencyMs));
    if (mode === 'httpError') {
      stats.faults++;
      send(res, 503, gbk('<html><head><title>503 Service Unavailable</title></head><body><h1>服务暂时不可用</h1></body></html>'), 'text/html; charset=GBK');
      return;
    }
    if (mode === 'soapFault') return sendFault(res, new SoapFault('Server', '服务器内部错误：数据库连接失败'));
    try {
      const call = parseSoapCall(decodeBody(body, req.headers['content-type']));
      const action = String(req.headers.soapaction ?? '').replace(/"/g, '');
      const actionName = action.split(/[/#]/).pop() ?? '';
      if (!OPERATIONS.has(call.operation)) throw new SoapFault('Client', `未知的操作：${call.operation}`);
      if (actionName !== '' && actionName !== call.operation) throw new SoapFault('Client', `SOAPAction 与请求操作不一致：${actionName}`);
      for (const p of ['senderId', 'serviceId', 'xmlPara']) {
        if (!call.params[p]) throw new SoapFault('Client', `缺少参数 ${p}`);
      }
      if (call.params.serviceId !== config.secret) throw new SoapFault('Client', '身份认证失败：serviceId 无效');
      const xmlPara = call.params.xmlPara!;
      let reply = mode === 'errflag' ? null : call.operation === 'query' ? registry.query(xmlPara) : call.operation === 'modify' ? registry.modify(xmlPara) : call.operation === 'householdQuery' ? registry.householdQuery(xmlPara) : births.handle(call.operation, xmlPara);
      if (reply === null) reply = { document: errorDocument(headOf({}), '99', '系统繁忙，请稍后再试'), records: 0 };
      let document = reply.document;
      if (mode === 'badXml') document = document.slice(0, Math.floor(document.length * 0.6));
      let bytes = gbk(responseEnvelope(call.operation, document));
      if (mode === 'badEncoding') bytes = corruptGbk(bytes);
      if (mode === null) stats.records += reply.records;
      else stats.faults++;
      send(res, 200, bytes, 'text/xml; charset=GBK');
    } catch (e) {
      if (e instanceof SoapFault) return sendFault(res, e);
      sendFault(res, new SoapFault('Server', '服务器内部错误'));
    }
  }

  function handleControl(req: IncomingMessage, res: ServerResponse, path: string, body: Buffer): void {
    if (req.method === 'GET' && path === '/__stats') return json(res, 200, { ...stats });
    if (req.method === 'POST' && path === '/__stats/reset') {
      Object.assign(stats, { requests: 0, records: 0, faults: 0 });
      return json(res, 200, { ...stats });
    }
    if (req.method === 'POST' && path === '/__faults') {
      let input: { mode?: unknown; latencyMs?: unknown };
      try {
        input = JSON.parse(body.toString('utf8') || '{}') as typeof input;
      } catch {
        return json(res, 400, { error: 'The body must be JSON: { "mode": null | "soapFault" | … , "latencyMs"?: number }.' });
      }
      const mode = input.mode ?? null;
      if (mode !== null && !FAULT_MODES.includes(mode as never)) {
        return json(res, 400, { error: `Unknown mode ${JSON.stringify(mode)}; use null or one of ${FAULT_MODES.join(', ')}.` });
      }
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
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > MAX_BODY_BYTES) req.destroy();
      else chunks.push(chunk);
    });
    req.on('end', () => {
      const url = new URL(req.url ?? '/', 'http://standin');
      const body = Buffer.concat(chunks);
      if (url.pathname.startsWith('/__')) return handleControl(req, res, url.pathname, body);
      if (req.method === 'GET' && url.search.toLowerCase() === '?wsdl') return send(res, 200, gbk(wsdl(baseUrl)), 'text/xml; charset=GBK');
      if (req.method !== 'POST') return send(res, 405, Buffer.from('Only POST (SOAP) and GET ?wsdl are served.'), 'text/plain');
      handleSoap(req, res, body).catch(() => res.destroy());
    });
  });

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(config.port, config.host, () => resolve());
  });
  const address = server.address() as AddressInfo;
  const host = address.family === 'IPv6' ? `[${address.address}]` : address.address;
  baseUrl = `http://${host}:${address.port}`;
  return {
    url: baseUrl,
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.close((e) => (e ? reject(e) : resolve()));
        server.closeAllConnections();
      }),
  };
}

/** Inserts byte sequences that are not GBK right after the first `<message>`, as a broken gateway would. */
function corruptGbk(bytes: Buffer): Buffer {
  const marker = Buffer.from('&lt;message&gt;');
  const at = bytes.indexOf(marker);
  const cut = at < 0 ? Math.floor(bytes.length / 2) : at + marker.length;
  return Buffer.concat([bytes.subarray(0, cut), Buffer.from([0x81, 0x7f, 0xff, 0xff]), bytes.subarray(cut)]);
}
