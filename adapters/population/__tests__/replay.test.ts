/**
 * Replays reply bytes captured from the stand-in (GBK, committed under fixtures/) against the adapter
 * with nock: mapping, GBK decoding and error codes per key, with no server running.
 */
import { readFileSync } from 'node:fs';
import iconv from 'iconv-lite';
import nock from 'nock';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { isCityGraphError } from '../../../core/errors.ts';
import { createPopulationAdapter } from '../index.ts';
import { generateCitizens } from '../standin/data.ts';

const fixture = (name: string): Buffer => readFileSync(new URL(`./fixtures/${name}`, import.meta.url));
const manifest = JSON.parse(fixture('manifest.json').toString('utf8')) as {
  queryIds: string[];
  xibe: string;
  noPhone: string;
  absent: string;
};
const [demo] = manifest.queryIds as [string];
const rows = new Map(generateCitizens().map((r) => [r.GMSFHM, r]));
const ORIGIN = 'http://registry.test';
const GBK = { 'Content-Type': 'text/xml; charset=GBK' };

function adapter() {
  return createPopulationAdapter({ url: `${ORIGIN}/ws/RkxxService`, retries: 0, timeoutMs: 2000 });
}

function replay(status: number, body: Buffer | string, headers: Record<string, string> = GBK): nock.Scope {
  return nock(ORIGIN).post('/ws/RkxxService').reply(status, body, headers);
}

function codeOf(value: unknown): string {
  return isCityGraphError(value) ? value.code : value === null ? 'null' : 'record';
}

beforeAll(() => nock.disableNetConnect());
afterEach(() => nock.cleanAll());
afterAll(() => nock.enableNetConnect());

describe('population adapter on captured replies', () => {
  it('keeps the fixtures as real GBK bytes, not UTF-8', () => {
    const bytes = fixture('query-3-persons.xml');
    expect(() => new TextDecoder('utf-8', { fatal: true }).decode(bytes)).toThrow();
    expect(bytes.includes(iconv.encode('王立军', 'gbk'))).toBe(true);
  });

  it('maps a 3-person reply in key order, with null for the absent ID and GBK names decoded', async () => {
    const scope = replay(200, fixture('query-3-persons.xml'));
    const keys = [manifest.absent, manifest.xibe, demo, manifest.noPhone];
    const result = await adapter().loadCitizens(keys, { requestId: 'req-replay-1' });
    expect(scope.isDone()).toBe(true);
    expect(result.map(codeOf)).toEqual(['null', 'record', 'record', 'record']);
    expect(result[2]).toMatchObject({ id: demo, name: '王立军', gender: 'MALE', ethnicity: { code: '01', name: '汉族' }, birthDate: '1985-03-15' });
    expect(result[1]).toMatchObject({ id: manifest.xibe, name: rows.get(manifest.xibe)!.XM, ethnicity: { code: '38', name: '锡伯族' } });
    expect(result[3]).toMatchObject({ id: manifest.noPhone, phone: null });
  });

  it('sends a GBK SOAP envelope with the SOAPAction and the request id', async () => {
    let seen: { headers: Record<string, string>; body: Buffer } | undefined;
    nock(ORIGIN)
      .post('/ws/RkxxService')
      // nock 15 hands a reply function the intercepted request as a fetch Request.
      .reply(async (req: Request) => {
        seen = { headers: Object.fromEntries(req.headers), body: Buffer.from(await req.arrayBuffer()) };
        return [200, fixture('query-3-persons.xml'), GBK];
      });
    await adapter().loadCitizens([demo], { requestId: 'req-header-1' });
    expect(seen?.headers['x-request-id']).toBe('req-header-1');
    expect(String(seen?.headers['content-type'])).toMatch(/charset=GBK/i);
    expect(String(seen?.headers.soapaction)).toContain('/query');
    const text = iconv.decode(seen!.body, 'gbk');
    expect(text).toContain('&lt;GMSFHM&gt;210102198503152318&lt;/GMSFHM&gt;');
    expect(text).toContain('&lt;requestId&gt;req-header-1&lt;/requestId&gt;');
    expect(seen!.body.includes(iconv.encode('姓名', 'gbk'))).toBe(true);
  });

  it('puts LEGACY_ERROR in every slot of a SOAP Fault without passing on the faultstring', async () => {
    replay(500, fixture('soap-fault.xml'));
    const result = await adapter().loadCitizens([demo, manifest.xibe], { requestId: 'r' });
    expect(result.map(codeOf)).toEqual(['LEGACY_ERROR', 'LEGACY_ERROR']);
    const error = result[0] as Error & { department?: string };
    expect(error.department).toBe('population');
    expect(error.message).not.toMatch(/身份认证|serviceId|registry\.test/);
  });

  it('turns an error flag inside a success reply into LEGACY_ERROR without the legacy errtext', async () => {
    replay(200, fixture('errflag.xml'));
    const [first] = await adapter().loadCitizens([demo], { requestId: 'r' });
    expect(codeOf(first)).toBe('LEGACY_ERROR');
    expect((first as Error).message).not.toContain('公民身份号码');
  });

  it('reports a truncated XML document inside the string as ADAPTER_BAD_REPLY', async () => {
    replay(200, fixture('truncated-xml.xml'));
    const result = await adapter().loadCitizens([demo, manifest.xibe], { requestId: 'r' });
    expect(result.map(codeOf)).toEqual(['ADAPTER_BAD_REPLY', 'ADAPTER_BAD_REPLY']);
  });

  it('reports invalid GBK byte sequences as ADAPTER_BAD_REPLY', async () => {
    replay(200, fixture('broken-gbk.xml'));
    const [first] = await adapter().loadCitizens([demo], { requestId: 'r' });
    expect(codeOf(first)).toBe('ADAPTER_BAD_REPLY');
    expect((first as Error).message).toMatch(/GBK/);
  });

  it('fails only the slot of a record that fails its check', async () => {
    const text = iconv.decode(fixture('query-3-persons.xml'), 'gbk');
    const birth = rows.get(manifest.xibe)!.CSRQ;
    const broken = text.replace(`&lt;CSRQ&gt;${birth}`, `&lt;CSRQ&gt;${birth.slice(0, 4)}1399`);
    expect(broken).not.toBe(text);
    replay(200, iconv.encode(broken, 'gbk'));
    const result = await adapter().loadCitizens([demo, manifest.xibe, manifest.noPhone], { requestId: 'r' });
    expect(result.map(codeOf)).toEqual(['record', 'ADAPTER_BAD_REPLY', 'record']);
    expect((result[1] as { details?: unknown }).details).toEqual({ field: 'birthDate' });
  });

  it('gives BAD_USER_INPUT to an invalid key and still answers the others from one call', async () => {
    const scope = replay(200, fixture('query-3-persons.xml'));
    const result = await adapter().loadCitizens(['210102198503152317', demo], { requestId: 'r' });
    expect(scope.isDone()).toBe(true);
    expect(result.map(codeOf)).toEqual(['BAD_USER_INPUT', 'record']);
  });

  it('maps HTTP 503 to ADAPTER_UNAVAILABLE and HTTP 404 or an HTML page to ADAPTER_BAD_REPLY', async () => {
    replay(503, 'Service Unavailable', { 'Content-Type': 'text/plain' });
    expect(codeOf((await adapter().loadCitizens([demo], { requestId: 'r' }))[0])).toBe('ADAPTER_UNAVAILABLE');
    replay(404, 'Not Found', { 'Content-Type': 'text/plain' });
    expect(codeOf((await adapter().loadCitizens([demo], { requestId: 'r' }))[0])).toBe('ADAPTER_BAD_REPLY');
    replay(200, '<html><body>login</body></html>', { 'Content-Type': 'text/html; charset=utf-8' });
    expect(codeOf((await adapter().loadCitizens([demo], { requestId: 'r' }))[0])).toBe('ADAPTER_BAD_REPLY');
  });

  it('decodes entities once, at each of the two levels, and refuses an undeclared one', async () => {
    const text = iconv.decode(fixture('query-3-persons.xml'), 'gbk');
    // Inside the document the name is `王&amp;lt;立&#x519B;`: one `&amp;` and a character reference,
    // each escaped once more in the SOAP string. It must read `王&lt;立军`, not `王<立军`.
    replay(200, iconv.encode(text.replace('&lt;XM&gt;王立军', '&lt;XM&gt;王&amp;amp;lt;立&amp;#x519B;'), 'gbk'));
    const [decoded] = await adapter().loadCitizens([demo], { requestId: 'r' });
    expect(decoded).toMatchObject({ id: demo, name: '王&lt;立军' });
    replay(200, iconv.encode(text.replace('&lt;XM&gt;王立军', '&lt;XM&gt;王&amp;nbsp;立军'), 'gbk'));
    const [undeclared] = await adapter().loadCitizens([demo], { requestId: 'r' });
    expect(codeOf(undeclared)).toBe('ADAPTER_BAD_REPLY');
  });

  it('refuses a reply with a DTD instead of expanding its entities', async () => {
    const text = iconv.decode(fixture('query-3-persons.xml'), 'gbk');
    const hostile = text.replace('?>', '?><!DOCTYPE x [<!ENTITY boom "王立军王立军王立军">]>').replace('&lt;XM&gt;王立军', '&lt;XM&gt;&boom;');
    replay(200, iconv.encode(hostile, 'gbk'));
    const [first] = await adapter().loadCitizens([demo], { requestId: 'r' });
    expect(codeOf(first)).toBe('ADAPTER_BAD_REPLY');
  });
});
