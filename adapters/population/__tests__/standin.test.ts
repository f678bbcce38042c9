/**
 * The stand-in speaks the registry's protocol: raw SOAP 1.1 in GBK, Faults for bad calls, seeded
 * data, control endpoints and a process entry. Requests here are written by hand, not by the adapter.
 */
import { fork } from 'node:child_process';
import iconv from 'iconv-lite';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { validateResidentId } from '../../../core/resident-id.ts';
import {
  DEMO_CITIZEN_ID, DEV_SECRET, generateCitizens, listCitizenIds, startPopulationStandIn, type PopulationStandIn,
} from '../standin/index.ts';

const NS = 'http://rkxx.ga.example/ws/RkxxService';
let standIn: PopulationStandIn;

const esc = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
const para = (ids: string[]) =>
  `<?xml version="1.0" encoding="GBK"?><request><condition>${ids.map((id) => `<item><GMSFHM>${id}</GMSFHM></item>`).join('')}</condition>` +
  '<requiredItems><item><XM>姓名</XM><MZ>民族</MZ></item></requiredItems><clientInfo><loginName>test</loginName></clientInfo></request>';
const envelope = (op: string, params: Record<string, string>) =>
  `<?xml version="1.0" encoding="GBK"?><soap:Envelope xmlns:soap="http://schemas.xmlsoap.org/soap/envelope/" xmlns:rk="${NS}"><soap:Body><rk:${op}>` +
  Object.entries(params).map(([k, v]) => `<rk:${k}>${esc(v)}</rk:${k}>`).join('') +
  `</rk:${op}></soap:Body></soap:Envelope>`;

/** POSTs GBK bytes and returns status, content type and the body decoded from GBK. */
async function soap(body: string, action = 'query'): Promise<{ status: number; type: string; text: string; bytes: Buffer }> {
  const res = await fetch(standIn.url, {
    method: 'POST',
    headers: { 'Content-Type': 'text/xml; charset=GBK', SOAPAction: `"${NS}/${action}"` },
    body: new Uint8Array(iconv.encode(body, 'gbk')),
  });
  const bytes = Buffer.from(await res.arrayBuffer());
  return { status: res.status, type: res.headers.get('content-type') ?? '', text: iconv.decode(bytes, 'gbk'), bytes };
}

const query = (ids: string[], secret = DEV_SECRET) => soap(envelope('query', { senderId: 'test', serviceId: secret, xmlPara: para(ids) }));

beforeAll(async () => {
  standIn = await startPopulationStandIn({ citizens: 2000 });
});
afterAll(async () => {
  await standIn.close();
});

describe('population stand-in protocol', () => {
  it('answers a query in GBK bytes with the XML document escaped inside queryReturn', async () => {
    const reply = await query([DEMO_CITIZEN_ID]);
    expect(reply.status).toBe(200);
    expect(reply.type).toBe('text/xml; charset=GBK');
    expect(reply.bytes.includes(iconv.encode('王立军', 'gbk'))).toBe(true);
    expect(reply.bytes.includes(Buffer.from('王立军', 'utf8'))).toBe(false);
    expect(reply.text).toContain('<queryReturn xsi:type="xsd:string">&lt;?xml version=&quot;1.0&quot; encoding=&quot;GBK&quot;?&gt;&lt;response');
    expect(reply.text).toContain('&lt;XM&gt;王立军&lt;/XM&gt;&lt;MZ&gt;汉族&lt;/MZ&gt;');
    // Only the required items come back (plus the key).
    expect(reply.text).not.toContain('&lt;HJDZ&gt;');
  });

  it('answers a SOAP Client Fault with HTTP 500 for more than 50 IDs', async () => {
    const reply = await query(listCitizenIds(51));
    expect(reply.status).toBe(500);
    expect(reply.text).toContain('<faultcode>soap:Client</faultcode>');
    expect(reply.text).toContain('每次最多50条');
  });

  it('answers a SOAP Fault for an unknown operation and for a SOAPAction that names another one', async () => {
    const unknown = await soap(envelope('delete', { senderId: 't', serviceId: DEV_SECRET, xmlPara: para([DEMO_CITIZEN_ID]) }), 'delete');
    expect([unknown.status, unknown.text.includes('未知的操作：delete')]).toEqual([500, true]);
    const mismatch = await soap(envelope('query', { senderId: 't', serviceId: DEV_SECRET, xmlPara: para([DEMO_CITIZEN_ID]) }), 'modify');
    expect([mismatch.status, mismatch.text.includes('SOAPAction')]).toEqual([500, true]);
  });

  it('answers a SOAP Fault for a wrong secret, a missing parameter and malformed XML', async () => {
    expect((await query([DEMO_CITIZEN_ID], 'wrong')).text).toContain('身份认证失败');
    expect((await soap(envelope('query', { senderId: 't', serviceId: DEV_SECRET }))).text).toContain('缺少参数 xmlPara');
    expect((await soap('<soap:Envelope><soap:Body>')).text).toContain('不是合法的XML');
    const badPara = await soap(envelope('query', { senderId: 't', serviceId: DEV_SECRET, xmlPara: '<condition><item>' }));
    expect([badPara.status, badPara.text.includes('xmlPara')]).toEqual([500, true]);
  });

  it('flags a malformed ID condition inside a success reply and leaves unknown IDs out', async () => {
    const flagged = await query(['21010219850315231X']);
    expect(flagged.status).toBe(200);
    expect(flagged.text).toContain('errflag=&quot;1&quot;');
    const absent = await query(['11010519491231002X', DEMO_CITIZEN_ID]);
    expect(absent.text).not.toContain('11010519491231002X');
    expect(absent.text.match(/&lt;result&gt;/g)).toHaveLength(1);
  });

  it('counts calls, records and faults, and resets the counters', async () => {
    await fetch(`${standIn.url}/__stats/reset`, { method: 'POST' });
    await query(listCitizenIds(3));
    await query([DEMO_CITIZEN_ID], 'wrong');
    expect(await (await fetch(`${standIn.url}/__stats`)).json()).toEqual({ requests: 2, records: 3, faults: 1 });
  });

  it('refuses an unknown fault mode with 400', async () => {
    const res = await fetch(`${standIn.url}/__faults`, { method: 'POST', body: JSON.stringify({ mode: 'explode' }) });
    expect(res.status).toBe(400);
  });

  it('serves a WSDL naming both operations and its own address', async () => {
    const res = await fetch(`${standIn.url}/?wsdl`);
    const text = iconv.decode(Buffer.from(await res.arrayBuffer()), 'gbk');
    expect(text).toContain('<wsdl:operation name="query">');
    expect(text).toContain('<wsdl:operation name="modify">');
    expect(text).toContain(`location="${standIn.url}"`);
  });

  it('refuses bad options at start with a message naming the option', async () => {
    await expect(startPopulationStandIn({ port: -1 })).rejects.toThrow(/port/);
    await expect(startPopulationStandIn({ citizens: 0 })).rejects.toThrow(/citizens/);
    await expect(startPopulationStandIn({ colour: 'red' } as never)).rejects.toThrow(/colour/);
  });
});

describe('population stand-in data', () => {
  const rows = generateCitizens();

  it('holds 10,000 unique citizens with valid IDs, the demo citizen first', () => {
    expect(rows).toHaveLength(10_000);
    expect(new Set(rows.map((r) => r.GMSFHM)).size).toBe(10_000);
    expect(rows[0]).toMatchObject({ GMSFHM: DEMO_CITIZEN_ID, XM: '王立军', XB: '男', MZ: '汉族', CSRQ: '19850315' });
    for (const r of rows) expect(validateResidentId(r.GMSFHM, new Date(2024, 0, 1))).toBe(r.GMSFHM);
  });

  it('is mostly Shenyang IDs, with some under the retired 210122 and some from other provinces', () => {
    const prefix = (p: string) => rows.filter((r) => r.GMSFHM.startsWith(p)).length;
    expect(prefix('2101')).toBeGreaterThan(8000);
    expect(prefix('210122')).toBeGreaterThan(100);
    expect(rows.length - prefix('21')).toBeGreaterThan(500);
    const ethnicities = new Set(rows.map((r) => r.MZ));
    for (const name of ['汉族', '满族', '回族', '朝鲜族', '蒙古族', '锡伯族']) expect(ethnicities.has(name)).toBe(true);
  });

  it('is the same for the same seed and different for another seed', () => {
    expect(listCitizenIds(20)).toEqual(rows.slice(0, 20).map((r) => r.GMSFHM));
    expect(listCitizenIds(20, 7)).not.toEqual(listCitizenIds(20));
    expect(listCitizenIds(20, 7)[0]).toBe(DEMO_CITIZEN_ID);
  });
});

describe('population stand-in process', () => {
  it('starts from main.ts, reports its URL over IPC and stops on SIGTERM', async () => {
    const child = fork(new URL('../standin/main.ts', import.meta.url), [], {
      execArgv: [],
      env: { ...process.env, PORT: '0', CITIZENS: '100' },
      stdio: ['ignore', 'pipe', 'inherit', 'ipc'],
    });
    let stdout = '';
    child.stdout!.on('data', (chunk: Buffer) => (stdout += chunk.toString('utf8')));
    const url = await new Promise<string>((resolve, reject) => {
      child.once('message', (m) => resolve((m as { ready: string }).ready));
      child.once('exit', (code) => reject(new Error(`stand-in exited early with ${code}`)));
    });
    expect(await (await fetch(`${url}/__stats`)).json()).toEqual({ requests: 0, records: 0, faults: 0 });
    const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
    child.kill('SIGTERM');
    expect(await exited).toBe(0);
    expect(JSON.parse(stdout.trim())).toEqual({ service: 'population-standin', url });
  });
});
