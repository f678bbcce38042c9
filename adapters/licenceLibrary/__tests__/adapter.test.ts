/**
 * The licence library adapter against its running stand-in: the signed JSON wire (real bytes), batch
 * functions with DataLoader's contract, uses logged by the library, the seal checks on every seeded
 * kind of certificate (valid, expired, revoked, altered content, altered and re-hashed), pinned keys,
 * and every injected fault reaching callers as LICENCE_LIBRARY_UNAVAILABLE.
 */
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { DEMO_CITIZEN_ID, DEMO_HOUSEHOLD_NUMBER, DEMO_SPOUSE_ID } from '../../population/standin/data.ts';
import { DEMO_ENTERPRISE_USCC } from '../../marketRegulation/standin/data.ts';
import { signatureHeaders } from '../client.ts';
import { checkForUse, createLicenceLibraryAdapter, type CertificateRecord } from '../index.ts';
import { DEMO_DOCUMENTS, DEV_APP_SECRET, ENTERPRISE_DOCUMENTS, startLicenceLibraryStandIn, type FaultMode, type LicenceLibraryStandIn } from '../standin/index.ts';

let standIn: LicenceLibraryStandIn;
const ctx = { requestId: 'licence-test' };
const TODAY = '2026-10-09';

const fault = async (mode: FaultMode, latencyMs = 0) => {
  const res = await fetch(`${standIn.url}/__faults`, { method: 'POST', body: JSON.stringify({ mode, latencyMs }) });
  expect(res.status).toBe(200);
};
const stats = async () => (await fetch(`${standIn.url}/__stats`)).json() as Promise<{ requests: number; records: number; faults: number; uses: number }>;

beforeAll(async () => {
  standIn = await startLicenceLibraryStandIn();
});
afterAll(() => standIn.close());
beforeEach(async () => {
  await fault(null);
  await fetch(`${standIn.url}/__stats/reset`, { method: 'POST' });
});

describe('the library\'s wire', () => {
  it('answers a signed JSON POST in its {head, data} envelope, and refuses an unsigned or wrongly signed one', async () => {
    const body = JSON.stringify({ data: { zzbs: [DEMO_DOCUMENTS.idCard] } });
    const post = (headers: Record<string, string>) =>
      fetch(`${standIn.url}/dzzz/api/v1/zzxx/query`, { method: 'POST', headers: { 'content-type': 'application/json; charset=utf-8', 'x-request-id': 'wire-1', ...headers }, body });
    const signed = await post(signatureHeaders({ url: standIn.url, appKey: 'citygraph', appSecret: DEV_APP_SECRET }, Date.now(), '0123456789abcdef'));
    expect(signed.status).toBe(200);
    expect(signed.headers.get('content-type')).toBe('application/json; charset=utf-8');
    const reply = await signed.json();
    expect(reply.head).toEqual({ status: '0', message: '成功', rid: 'wire-1' });
    expect(reply.data.list[0]).toMatchObject({ zzbs: 'DZZZ-SFZ-0001', zzlxdm: '0101', zzlxmc: '居民身份证', zzbh: DEMO_CITIZEN_ID, czzt: '王立军', czztdm: DEMO_CITIZEN_ID, czztdmlx: '111', bzdw: '沈阳市公安局', bzdwdm: 'SYGAJ', yxqqsrq: '2015-05-12', yxqjzrq: '2035-05-12', zzzt: '1' });
    expect(reply.data.list[0].zzsm3).toMatch(/^[0-9a-f]{64}$/);
    expect(reply.data.list[0].zzqm).toMatch(/^[0-9a-f]{128}$/);

    expect((await (await post({})).json()).head).toMatchObject({ status: '1001', message: '缺少签名请求头' });
    const forged = signatureHeaders({ url: standIn.url, appKey: 'citygraph', appSecret: 'guessed' }, Date.now(), '0123456789abcdef');
    expect((await (await post(forged)).json()).head).toMatchObject({ status: '1001', message: '签名验证失败' });
    const stale = signatureHeaders({ url: standIn.url, appKey: 'citygraph', appSecret: DEV_APP_SECRET }, Date.now() - 3_600_000, '0123456789abcdef');
    expect((await (await post(stale)).json()).head).toMatchObject({ status: '1001', message: '时间戳无效或已过期' });
  });

  it('signs x-tif-signature as upper-case SM3 of timestamp ‖ secret ‖ nonce ‖ timestamp', () => {
    const h = signatureHeaders({ url: 'http://x', appKey: 'citygraph', appSecret: 's3cret' }, 1_760_000_000_123, 'abcdef0123456789');
    expect(h).toEqual({
      'x-tif-paasid': 'citygraph',
      'x-tif-timestamp': '1760000000',
      'x-tif-nonce': 'abcdef0123456789',
      'x-tif-signature': expect.stringMatching(/^[0-9A-F]{64}$/),
    });
  });
});

describe('batch functions', () => {
  it('loads certificates in key order in one call: null for an unknown id, an Error for a malformed one', async () => {
    const adapter = createLicenceLibraryAdapter({ url: standIn.url });
    const [id, unknown, bad, again] = await adapter.loadCertificates([DEMO_DOCUMENTS.idCard, 'DZZZ-SFZ-9999', 'no spaces please', DEMO_DOCUMENTS.idCard], ctx);
    expect((await stats()).requests).toBe(1);
    expect(id).toMatchObject({ id: 'DZZZ-SFZ-0001', type: 'ID_CARD', typeName: '居民身份证', holder: { kind: 'citizen', id: DEMO_CITIZEN_ID }, issuer: { code: 'SYGAJ', name: '沈阳市公安局', department: 'population' }, validUntil: '2035-05-12', status: 'ISSUED' });
    expect(unknown).toBeNull();
    expect(bad).toMatchObject({ code: 'BAD_USER_INPUT' });
    expect(again).toEqual(id);
    // The holder's name is read only for the hash check: it is not a field of the record.
    expect(JSON.stringify(Object.keys(id as object))).not.toContain('name');
  });

  it('lists each holder\'s certificates, citizens and enterprises, an empty list for none', async () => {
    const [mine, wife, enterprise, nobody] = (await createLicenceLibraryAdapter({ url: standIn.url }).certificatesOf([DEMO_CITIZEN_ID, DEMO_SPOUSE_ID, DEMO_ENTERPRISE_USCC, '11010519491231002X'], ctx)) as CertificateRecord[][];
    expect(mine!.map((c) => c.id).sort()).toEqual(
      [DEMO_DOCUMENTS.idCard, DEMO_DOCUMENTS.expiredIdCard, `DZZZ-HKB-${DEMO_HOUSEHOLD_NUMBER}-01`, DEMO_DOCUMENTS.insurance, DEMO_DOCUMENTS.marriage, DEMO_DOCUMENTS.tamperedHash, DEMO_DOCUMENTS.revoked, DEMO_DOCUMENTS.revokedRealEstate, DEMO_DOCUMENTS.tamperedSignature].sort(),
    );
    expect(wife!.map((c) => c.type).sort()).toEqual(['HOUSEHOLD_REGISTER', 'ID_CARD', 'MARRIAGE_CERTIFICATE']);
    expect(enterprise!.map((c) => c.id)).toContain(ENTERPRISE_DOCUMENTS.businessLicence);
    expect(enterprise!.find((c) => c.id === ENTERPRISE_DOCUMENTS.businessLicence)).toMatchObject({ type: 'BUSINESS_LICENCE', holder: { kind: 'enterprise' }, issuer: { department: 'marketRegulation' } });
    expect(nobody).toEqual([]);
  });
});

describe('the seal checks', () => {
  const verdictOf = async (id: string, options: { issuerKeys?: Record<string, string> } = {}) => {
    const adapter = createLicenceLibraryAdapter({ url: standIn.url, ...options });
    const [c] = await adapter.loadCertificates([id], ctx);
    return adapter.verify(c as CertificateRecord, TODAY, ctx);
  };

  it('passes a valid certificate and names what is wrong with each bad one', async () => {
    expect(await verdictOf(DEMO_DOCUMENTS.idCard)).toEqual({ ok: true });
    expect(await verdictOf(DEMO_DOCUMENTS.householdRegister)).toEqual({ ok: true });
    expect(await verdictOf(DEMO_DOCUMENTS.expiredIdCard)).toEqual({ ok: false, code: 'DOCUMENT_EXPIRED', reason: 'expired' });
    expect(await verdictOf(DEMO_DOCUMENTS.revoked)).toEqual({ ok: false, code: 'DOCUMENT_REVOKED', reason: 'revoked' });
    expect(await verdictOf(DEMO_DOCUMENTS.revokedRealEstate)).toEqual({ ok: false, code: 'DOCUMENT_REVOKED', reason: 'revoked' });
    expect(await verdictOf(DEMO_DOCUMENTS.tamperedHash)).toEqual({ ok: false, code: 'DOCUMENT_TAMPERED', reason: 'content hash' });
    expect(await verdictOf(DEMO_DOCUMENTS.tamperedSignature)).toEqual({ ok: false, code: 'DOCUMENT_TAMPERED', reason: 'signature' });
    expect(await verdictOf(ENTERPRISE_DOCUMENTS.expiredFoodLicence)).toEqual({ ok: false, code: 'DOCUMENT_EXPIRED', reason: 'expired' });
  });

  it('uses pinned issuer keys instead of the published ones: the wrong key fails even a valid certificate', async () => {
    expect(await verdictOf(DEMO_DOCUMENTS.idCard, { issuerKeys: standIn.publicKeys })).toEqual({ ok: true });
    const wrong = { ...standIn.publicKeys, SYGAJ: standIn.publicKeys.SYYBJ! };
    expect(await verdictOf(DEMO_DOCUMENTS.idCard, { issuerKeys: wrong })).toEqual({ ok: false, code: 'DOCUMENT_TAMPERED', reason: 'signature' });
    expect(await verdictOf(DEMO_DOCUMENTS.idCard, { issuerKeys: {} })).toEqual({ ok: false, code: 'DOCUMENT_TAMPERED', reason: 'unknown issuer' });
  });
});

describe('a use for a case', () => {
  const use = { department: 'population', matterCode: 'GA0105', caseNumber: '2101002610090001', purpose: '核验户籍' };

  it('is logged by the library and judged: holder, type, seal', async () => {
    const library = createLicenceLibraryAdapter({ url: standIn.url });
    const check = (documentId: string, applicantId = DEMO_CITIZEN_ID, acceptedTypes: Parameters<typeof checkForUse>[1]['acceptedTypes'] = null) =>
      checkForUse(library, { documentId, applicantId, acceptedTypes, use, today: TODAY }, ctx);
    expect(await check(DEMO_DOCUMENTS.householdRegister, DEMO_CITIZEN_ID, ['HOUSEHOLD_REGISTER'])).toMatchObject({ id: DEMO_DOCUMENTS.householdRegister });
    await expect(check(DEMO_DOCUMENTS.spouseIdCard)).rejects.toMatchObject({ code: 'DOCUMENT_NOT_HOLDER' });
    await expect(check(DEMO_DOCUMENTS.idCard, DEMO_CITIZEN_ID, ['HOUSEHOLD_REGISTER'])).rejects.toMatchObject({ code: 'DOCUMENT_WRONG_TYPE', details: { type: 'ID_CARD' } });
    await expect(check('DZZZ-NOPE-0001')).rejects.toMatchObject({ code: 'DOCUMENT_UNKNOWN' });
    await expect(check(DEMO_DOCUMENTS.tamperedSignature)).rejects.toMatchObject({ code: 'DOCUMENT_TAMPERED' });
    const log = await (await fetch(`${standIn.url}/__uses`)).json();
    expect(log.at(0)).toMatchObject({ zzbs: DEMO_DOCUMENTS.householdRegister, yzbm: 'population', sxbm: 'GA0105', bjbh: '2101002610090001', yzsy: '核验户籍' });
    expect((await stats()).uses).toBe(4);
  });
});

describe('a library that is down or answers garbage', () => {
  const cases: Array<[FaultMode, string]> = [['httpError', 'ADAPTER_UNAVAILABLE'], ['garbage', 'ADAPTER_BAD_REPLY'], ['busy', 'ADAPTER_UNAVAILABLE'], ['badShape', 'ADAPTER_BAD_REPLY'], ['timeout', 'ADAPTER_TIMEOUT']];
  for (const [mode, reason] of cases) {
    it(`${mode}: every function fails with LICENCE_LIBRARY_UNAVAILABLE (reason ${reason})`, async () => {
      await fault(mode);
      const adapter = createLicenceLibraryAdapter({ url: standIn.url, timeoutMs: 150, retries: 0 });
      const expected = { code: 'LICENCE_LIBRARY_UNAVAILABLE', details: { reason } };
      expect((await adapter.loadCertificates([DEMO_DOCUMENTS.idCard], ctx))[0]).toMatchObject(expected);
      expect((await adapter.certificatesOf([DEMO_CITIZEN_ID], ctx))[0]).toMatchObject(expected);
      await expect(adapter.useCertificate(DEMO_DOCUMENTS.idCard, { department: 'population', matterCode: 'GA0105', caseNumber: '2101002610090001', purpose: 'x' }, ctx)).rejects.toMatchObject(expected);
    });
  }
});

describe('the stand-in as a process', () => {
  it('starts from main.ts, reports its URL over IPC, refuses bad options by name and stops on SIGTERM', async () => {
    const { fork } = await import('node:child_process');
    await expect(startLicenceLibraryStandIn({ port: -1 })).rejects.toThrow(/port/);
    await expect(startLicenceLibraryStandIn({ colour: 'red' } as never)).rejects.toThrow(/colour/);
    const child = fork(new URL('../standin/main.ts', import.meta.url), [], { execArgv: [], env: { ...process.env, PORT: '0' }, stdio: ['ignore', 'pipe', 'inherit', 'ipc'] });
    const url = await new Promise<string>((resolve, reject) => {
      child.once('message', (m) => resolve((m as { ready: string }).ready));
      child.once('exit', (code) => reject(new Error(`stand-in exited early with ${code}`)));
    });
    expect(await (await fetch(`${url}/__stats`)).json()).toEqual({ requests: 0, records: 0, faults: 0, uses: 0 });
    const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
    child.kill('SIGTERM');
    expect(await exited).toBe(0);
  }, 60_000);
});
