/**
 * Whole-system tests of the city code (一码通城), one city for the file: a device key made here, its
 * credential fetched through the gateway, codes made and verified offline with the published keys,
 * redeemed by purpose with integrator keys, uploaded as offline scans, and listed in `codeUses`.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEMO_CITIZEN_ID } from '../adapters/population/standin/index.ts';
import {
  createDeviceKey, credentialBody, credentialText, generateKeys, hexToBytes, makeCode, parseCode, parseCredential, sign, SM2_USER_ID, verifyCode, type DeviceKey, type PublishedKeys,
} from '../citycode-client/index.ts';
import { API_KEY_HEADER, issueApiKey } from '../gateway/auth/index.ts';
import { sm2PublicPem } from '../supervision/sm2-keys.ts';
import { startTestCity, type TestCity } from './support/city.ts';

let t: TestCity;
let citizen: string;
let device: DeviceKey;
let credential: string;
const keyFor = (client: string, scopes: string[]) => ({ [API_KEY_HEADER]: issueApiKey(join(t.dataDir, 'api-keys.json'), { client, scopes, purpose: 'city code redemption' }).key });
let hospital: Record<string, string>;
let carPark: Record<string, string>;
let hotel: Record<string, string>;
let metro: Record<string, string>;
let scenic: Record<string, string>;

const ISSUE = `mutation($key: String!) { issueCityCodeCredential(devicePublicKey: $key) { credential keyId deviceId handle functions validFrom validUntil } }`;
const REDEEM = `mutation($code: String!, $purpose: CityCodePurpose!, $name: String, $place: String) {
  redeemCityCode(code: $code, purpose: $purpose, name: $name, place: $place) {
    purpose codeId disclosed insurance { insured status type } parking { plates hasUnpaidSessions } identity { matches } transit { handle } } }`;
const USES = `{ citizen(id: "${DEMO_CITIZEN_ID}") { codeUses(first: 100) { time kind purpose scanner place outcome errorCode disclosed recordSeq } } }`;

async function keys(): Promise<PublishedKeys> {
  const res = await fetch(new URL('/.well-known/citycode-keys', t.city.gatewayUrl));
  expect(res.status).toBe(200);
  return (await res.json()) as PublishedKeys;
}
async function issue(d: DeviceKey, token = citizen) {
  const r = await t.query(ISSUE, { token, variables: { key: d.publicKey } });
  expect(r.body.errors).toBeUndefined();
  return r.body.data.issueCityCodeCredential as { credential: string; deviceId: string; handle: string; keyId: number };
}
const redeem = (headers: Record<string, string>, code: string, purpose: string, extra: Record<string, string> = {}) =>
  t.query(REDEEM, { headers, variables: { code, purpose, ...extra } });
const errorCode = (r: Awaited<ReturnType<TestCity['query']>>) => r.body.errors?.[0]?.extensions?.code;

beforeAll(async () => {
  t = await startTestCity();
  citizen = await t.token({ role: 'citizen', sub: DEMO_CITIZEN_ID });
  hospital = keyFor('sy-yida-hospital', ['citycode:medical']);
  carPark = keyFor('sy-jiaotou', ['citycode:parking']);
  hotel = keyFor('sy-hotel-zhongshan', ['citycode:identity']);
  metro = keyFor('sy-metro', ['citycode:transit']);
  scenic = keyFor('sy-gugong', ['citycode:ticket']);
  device = createDeviceKey();
  credential = (await issue(device)).credential;
}, 90_000);
afterAll(() => t?.stop());

describe('credential and offline verification', () => {
  it('issues a credential through the gateway whose code verifies offline with the published keys, carrying no resident ID', async () => {
    const doc = await keys();
    expect(doc.sm2UserId).toBe(SM2_USER_ID);
    expect(doc.keys.length).toBeGreaterThan(0);
    const code = makeCode(credential, device);
    expect(code.length).toBeLessThanOrEqual(300);
    expect(code).toMatch(/^[A-Z2-7]+$/);
    const verdict = verifyCode(code, doc);
    expect(verdict.ok).toBe(true);
    expect(code).not.toContain(DEMO_CITIZEN_ID);
    expect(JSON.stringify(parseCode(code))).not.toContain(DEMO_CITIZEN_ID);
  });

  it("signs credentials that `openssl pkeyutl -verify -rawin -digest sm3 -pkeyopt distid:1234567812345678` accepts under the published key", async () => {
    const doc = await keys();
    const parsed = parseCredential(credential)!;
    const key = doc.keys.find((k) => k.kid === parsed.fields.keyId)!;
    const dir = t.dataDir;
    writeFileSync(join(dir, 'cred.body'), parsed.body);
    writeFileSync(join(dir, 'cred.sig'), derOf(parsed.signature));
    writeFileSync(join(dir, 'city.pub.pem'), sm2PublicPem(key.publicKey));
    const out = execFileSync('/usr/bin/openssl', ['pkeyutl', '-verify', '-pubin', '-inkey', join(dir, 'city.pub.pem'), '-rawin', '-in', join(dir, 'cred.body'), '-sigfile', join(dir, 'cred.sig'), '-digest', 'sm3', '-pkeyopt', `distid:${SM2_USER_ID}`]).toString();
    expect(out).toMatch(/Signature Verified Successfully/);
  });

  it('refuses a credential for a malformed device key, and to anyone who is not the citizen or their app', async () => {
    const bad = await t.query(ISSUE, { token: citizen, variables: { key: '04abc' } });
    expect(errorCode(bad)).toBe('BAD_USER_INPUT');
    const asIntegrator = await t.query(ISSUE, { headers: hospital, variables: { key: device.publicKey } });
    expect(errorCode(asIntegrator)).toBe('FORBIDDEN');
    expect(asIntegrator.body.data?.issueCityCodeCredential ?? null).toBeNull();
  });
});

describe('redemption by purpose', () => {
  it('discloses to each purpose only what it needs, once per code and purpose', async () => {
    const code = makeCode(credential, device);
    const med = await redeem(hospital, code, 'MEDICAL_INSURANCE', { place: '中国医科大学附属第一医院' });
    expect(med.body.errors).toBeUndefined();
    expect(med.body.data.redeemCityCode).toMatchObject({ purpose: 'MEDICAL_INSURANCE', insurance: { insured: true, status: 'ACTIVE', type: expect.any(String) }, parking: null, identity: null, transit: null });
    expect(JSON.stringify(med.body)).not.toContain(DEMO_CITIZEN_ID);

    const again = await redeem(hospital, code, 'MEDICAL_INSURANCE');
    expect(errorCode(again)).toBe('CODE_ALREADY_USED');
    expect(again.body.data?.redeemCityCode ?? null).toBeNull();

    const park = await redeem(carPark, code, 'PARKING', { place: '太原街停车场' });
    expect(park.body.errors).toBeUndefined();
    expect(park.body.data.redeemCityCode).toMatchObject({ parking: { plates: expect.arrayContaining([expect.stringMatching(/^辽A/)]), hasUnpaidSessions: expect.any(Boolean) }, insurance: null });

    const right = await redeem(hotel, code, 'IDENTITY', { name: ' 王立军 ' });
    expect(right.body.data.redeemCityCode.identity).toEqual({ matches: true });
    const wrong = await redeem(hotel, makeCode(credential, device), 'IDENTITY', { name: '李四' });
    expect(wrong.body.data.redeemCityCode.identity).toEqual({ matches: false });

    const ride = await redeem(metro, code, 'TRANSIT', { place: '1号线 太原街站 3号闸机' });
    expect(ride.body.data.redeemCityCode.transit).toEqual({ handle: parseCode(code)!.credential.handle });

    const ticket = await redeem(scenic, code, 'TICKET');
    expect(errorCode(ticket)).toBe('PURPOSE_NOT_AVAILABLE');
  });

  it('refuses a key without the purpose’s scope, and a code whose purposes leave the asked one out, disclosing nothing', async () => {
    const code = makeCode(credential, device);
    const r = await redeem(carPark, code, 'MEDICAL_INSURANCE');
    expect(errorCode(r)).toBe('FORBIDDEN');
    expect(r.body.data?.redeemCityCode ?? null).toBeNull();
    const other = await redeem(keyFor('sy-other', ['parking:operator']), code, 'PARKING');
    expect(errorCode(other)).toBe('FORBIDDEN');
    const onlyTransit = makeCode(credential, device, { purposes: ['TRANSIT'] });
    expect(errorCode(await redeem(hospital, onlyTransit, 'MEDICAL_INSURANCE'))).toBe('CODE_PURPOSE_NOT_ALLOWED');
  });

  it('refuses a tampered, an expired, a not yet valid and an unknown-key code with their codes', async () => {
    const code = makeCode(credential, device);
    // One character in the city's signature, then one in the device's.
    for (const i of [150, 250]) {
      const tampered = code.slice(0, i) + (code[i] === 'A' ? 'B' : 'A') + code.slice(i + 1);
      expect(errorCode(await redeem(hospital, tampered, 'MEDICAL_INSURANCE'))).toBe('CODE_INVALID');
    }
    const now = Math.floor(Date.now() / 1000);
    expect(errorCode(await redeem(hospital, makeCode(credential, device, { now: now - 120 }), 'MEDICAL_INSURANCE'))).toBe('CODE_EXPIRED');
    expect(errorCode(await redeem(hospital, makeCode(credential, device, { now: now + 120 }), 'MEDICAL_INSURANCE'))).toBe('CODE_NOT_YET_VALID');
    const fields = { ...parseCredential(credential)!.fields, keyId: 250 };
    const body = credentialBody(fields);
    const foreign = credentialText(body, sign(body, generateKeys()));
    expect(errorCode(await redeem(hospital, makeCode(foreign, device), 'MEDICAL_INSURANCE'))).toBe('CODE_UNKNOWN_KEY');
    expect(errorCode(await redeem(hospital, 'NOTACODE', 'MEDICAL_INSURANCE'))).toBe('CODE_INVALID');
  });

  it('honours a revoked device at once, and publishes it for gates', async () => {
    const lost = createDeviceKey();
    const issued = await issue(lost);
    const code = makeCode(issued.credential, lost);
    const revoke = await t.query(`mutation($d: String!) { revokeCityCodeDevice(deviceId: $d) { deviceId revokedAt } }`, { token: citizen, variables: { d: issued.deviceId } });
    expect(revoke.body.errors).toBeUndefined();
    expect(errorCode(await redeem(hospital, code, 'MEDICAL_INSURANCE'))).toBe('CODE_REVOKED');
    const doc = await keys();
    expect(doc.revokedDevices).toContain(issued.deviceId);
    expect(verifyCode(code, doc)).toMatchObject({ ok: false, reason: 'CODE_REVOKED' });
    const other = await t.token({ role: 'citizen', sub: '11010519491231002X' });
    const notHers = await t.query(`mutation($d: String!) { revokeCityCodeDevice(deviceId: $d) { deviceId } }`, { token: other, variables: { d: device.compressedPublicKey.slice(0, 16) } });
    expect(errorCode(notHers)).toBe('NOT_FOUND');
  });
});

describe('npm run -s citycode', () => {
  const run = (args: string[]) => {
    const r = spawnSync(process.execPath, ['scripts/citycode.ts', ...args, '--gateway', t.city.gatewayUrl], { env: { ...process.env, CITYGRAPH_DATA_DIR: t.dataDir }, encoding: 'utf8' });
    return { status: r.status, out: r.stdout, err: r.stderr };
  };

  it('shows a fresh code for a citizen with a device key kept in the data folder, and verifies it offline (exit 0), a tampered one not (exit 1)', () => {
    const shown = run(['show', '--sub', DEMO_CITIZEN_ID]);
    expect(shown).toMatchObject({ status: 0 });
    const code = shown.out.trim();
    expect(code).toMatch(/^[A-Z2-7]{300}$/);
    const again = run(['show', '--sub', DEMO_CITIZEN_ID, '--purposes', 'TRANSIT']).out.trim();
    expect(parseCode(again)!.deviceId).toBe(parseCode(code)!.deviceId);
    expect(parseCode(again)!.purposes).toEqual(['TRANSIT']);
    const ok = run(['verify', code]);
    expect(ok.status).toBe(0);
    expect(ok.out).toMatch(/^valid\n/);
    expect(ok.out).toContain(parseCode(code)!.credential.handle);
    expect(ok.out).not.toContain(DEMO_CITIZEN_ID);
    const bad = run(['verify', code.slice(0, 200) + (code[200] === 'A' ? 'B' : 'A') + code.slice(201)]);
    expect(bad.status).toBe(1);
    expect(bad.out).toMatch(/^invalid: CODE_INVALID/);
    expect(run(['verify', again, '--purpose', 'PARKING'])).toMatchObject({ status: 1, out: expect.stringMatching(/CODE_PURPOSE_NOT_ALLOWED/) });
    expect(run(['show', '--sub', '123'])).toMatchObject({ status: 2, err: expect.stringMatching(/--sub must be a resident ID/) });
  });
});

describe('offline scans and uses', () => {
  const UPLOAD = `mutation($gate: String!, $scans: [CityCodeScanInput!]!) { uploadCityCodeScans(gate: $gate, scans: $scans) { accepted duplicates } }`;

  it('records uploaded scans once, and refuses a whole upload when one scan does not verify', async () => {
    const now = Math.floor(Date.now() / 1000);
    const scans = [now - 250, now - 200].map((s) => ({ code: makeCode(credential, device, { now: s, purposes: ['TRANSIT'] }), purpose: 'TRANSIT', scannedAt: new Date((s + 5) * 1000).toISOString(), place: '2号线 市府广场站' }));
    const first = await t.query(UPLOAD, { headers: metro, variables: { gate: 'M2-SFGC-07', scans } });
    expect(first.body.errors).toBeUndefined();
    expect(first.body.data.uploadCityCodeScans).toEqual({ accepted: 2, duplicates: 0 });
    const again = await t.query(UPLOAD, { headers: metro, variables: { gate: 'M2-SFGC-07', scans } });
    expect(again.body.data.uploadCityCodeScans).toEqual({ accepted: 0, duplicates: 2 });
    const c = makeCode(credential, device, { now: now - 100, purposes: ['TRANSIT'] });
    const bad = [...scans, { ...scans[0]!, code: c.slice(0, 299) + (c[299] === 'A' ? 'Q' : 'A'), scannedAt: new Date((now - 95) * 1000).toISOString() }];
    const refused = await t.query(UPLOAD, { headers: metro, variables: { gate: 'M2-SFGC-07', scans: bad } });
    expect(errorCode(refused)).toBe('CODE_INVALID');
    expect(refused.body.errors?.[0]?.message).toMatch(/Scan 2/);
    const late = [{ ...scans[0]!, scannedAt: new Date((now - 100) * 1000).toISOString() }];
    expect(errorCode(await t.query(UPLOAD, { headers: metro, variables: { gate: 'M2-SFGC-07', scans: late } }))).toBe('CODE_EXPIRED');
    expect(errorCode(await t.query(UPLOAD, { headers: hospital, variables: { gate: 'M2-SFGC-07', scans } }))).toBe('FORBIDDEN');
  });

  it("lists every use in the citizen's codeUses with what it disclosed, refused ones with their code, and to nobody else", async () => {
    const r = await t.query(USES, { token: citizen });
    expect(r.body.errors).toBeUndefined();
    const uses = r.body.data.citizen.codeUses as Array<Record<string, any>>;
    const find = (kind: string, purpose: string | null, outcome: string) => uses.find((u) => u.kind === kind && u.purpose === purpose && u.outcome === outcome);
    expect(find('CREDENTIAL_ISSUED', null, 'SUCCESS')).toBeDefined();
    expect(find('REDEEMED', 'MEDICAL_INSURANCE', 'SUCCESS')).toMatchObject({ scanner: 'sy-yida-hospital', place: '中国医科大学附属第一医院', disclosed: ['insurance.insured', 'insurance.status', 'insurance.type'] });
    expect(find('REDEEMED', 'PARKING', 'SUCCESS')).toMatchObject({ scanner: 'sy-jiaotou', disclosed: ['parking.plates', 'parking.hasUnpaidSessions'] });
    expect(find('REDEEMED', 'IDENTITY', 'SUCCESS')).toMatchObject({ disclosed: ['identity.matches'] });
    expect(find('REDEEMED', 'TRANSIT', 'SUCCESS')).toMatchObject({ scanner: 'sy-metro', disclosed: ['transit.handle'] });
    expect(uses.filter((u) => u.kind === 'OFFLINE_SCAN' && u.outcome === 'SUCCESS')).toHaveLength(2);
    // A code under an unknown key names nobody (its handle cannot be trusted): auditors see it, no citizen does.
    for (const code of ['CODE_INVALID', 'CODE_ALREADY_USED', 'CODE_EXPIRED', 'CODE_NOT_YET_VALID', 'CODE_REVOKED', 'PURPOSE_NOT_AVAILABLE', 'CODE_PURPOSE_NOT_ALLOWED']) {
      expect(uses.find((u) => u.errorCode === code), code).toMatchObject({ disclosed: [] });
    }
    expect(uses.find((u) => u.outcome === 'DENIED' && u.purpose === 'MEDICAL_INSURANCE')).toMatchObject({ scanner: 'sy-jiaotou', errorCode: 'FORBIDDEN', disclosed: [] });

    const stranger = await t.query(USES, { token: await t.token({ role: 'citizen', sub: '11010519491231002X' }) });
    expect(stranger.body.data?.citizen?.codeUses ?? null).toBeNull();
    expect(errorCode(stranger)).toBe('FORBIDDEN');
    const app = await t.token({ role: 'app', sub: 'shenyang-app', client: 'shenyang-app', onBehalfOf: DEMO_CITIZEN_ID, scopes: ['citycode:read'] });
    expect((await t.query(USES, { token: app })).body.data.citizen.codeUses.length).toBe(uses.length);
  });

  it('shows auditors every city code record in mutationLog', async () => {
    const auditor = await t.token({ role: 'auditor', sub: 'auditor-citycode' });
    const r = await t.query(`{ mutationLog(filter: { department: "citycode", field: "Mutation.redeemCityCode", kind: OUTCOME }, first: 100) { totalCount edges { node { outcome errorCode powerItem caseNumber } } } }`, { token: auditor });
    expect(r.body.errors).toBeUndefined();
    const nodes = r.body.data.mutationLog.edges.map((e: any) => e.node);
    expect(nodes.filter((n: any) => n.outcome === 'SUCCESS').length).toBeGreaterThanOrEqual(5);
    expect(nodes.every((n: any) => n.powerItem === 'CC-HX-0201')).toBe(true);
    expect(nodes.find((n: any) => n.errorCode === 'CODE_UNKNOWN_KEY')).toMatchObject({ outcome: 'ERROR' });
    expect(JSON.stringify(r.body)).not.toContain(DEMO_CITIZEN_ID);
  });
});

// Last, so the uses listed above are exactly those of the tests before.
describe('the README', () => {
  it("runs the city code section's curl examples as written, with the code of `citycode show`", async () => {
    const readme = readFileSync(new URL('../README.md', import.meta.url), 'utf8');
    const section = readme.slice(readme.indexOf('### One city code (一码通城)'), readme.indexOf('### Parking (好停车)'));
    const bodies = [...section.matchAll(/^\s+-d '(.*)'$/gm)].map((m) => m[1]!);
    expect(bodies.length).toBe(3);
    const fresh = createDeviceKey();
    const transitOnly = makeCode((await issue(fresh)).credential, fresh, { purposes: ['TRANSIT'] });
    const code = makeCode((await issue(fresh)).credential, fresh);
    const hospitalKey = keyFor('sy-yida-hospital', ['citycode:medical']);
    const metroKey = keyFor('sy-metro', ['citycode:transit']);
    const fill = (b: string, c: string) => b.replaceAll(`"'$CODE'"`, JSON.stringify(c)).replaceAll(`"'$NOW'"`, JSON.stringify(new Date().toISOString()));
    const send = (b: string, o: { token?: string; headers?: Record<string, string> }) => {
      const parsed = JSON.parse(b) as { query: string; variables?: Record<string, unknown> };
      return t.query(parsed.query, { ...o, variables: parsed.variables });
    };
    const redeemed = await send(fill(bodies[0]!, code), { headers: hospitalKey });
    expect(redeemed.body.errors).toBeUndefined();
    expect(redeemed.body.data.redeemCityCode.insurance).toEqual({ insured: true, status: 'ACTIVE', type: 'EMPLOYEE' });
    expect(errorCode(await send(fill(bodies[0]!, code), { headers: hospitalKey }))).toBe('CODE_ALREADY_USED');
    const uploaded = await send(fill(bodies[1]!, transitOnly), { headers: metroKey });
    expect(uploaded.body.data.uploadCityCodeScans).toEqual({ accepted: 1, duplicates: 0 });
    const uses = await send(bodies[2]!, { token: citizen });
    expect(uses.body.errors).toBeUndefined();
    expect(uses.body.data.citizen.codeUses[0]).toMatchObject({ kind: 'OFFLINE_SCAN', scanner: 'sy-metro', place: '1号线 太原街站', disclosed: ['transit.handle'] });
  });
});

/** DER of an r‖s signature, as OpenSSL reads it. */
function derOf(rs: string): Uint8Array {
  const int = (hex: string) => {
    let b = [...hexToBytes(hex)];
    while (b.length > 1 && b[0] === 0 && b[1]! < 0x80) b = b.slice(1);
    if (b[0]! >= 0x80) b = [0, ...b];
    return [0x02, b.length, ...b];
  };
  const body = [...int(rs.slice(0, 64)), ...int(rs.slice(64))];
  return new Uint8Array([0x30, body.length, ...body]);
}
