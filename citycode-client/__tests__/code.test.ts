import { describe, expect, it } from 'vitest';
import {
  createDeviceKey, credentialBody, credentialText, generateKeys, makeCode, parseCode, sign, trustFrom, verifyCode, type CredentialFields, type PublishedKeys,
} from '../index.ts';
import { fromBase32, toBase32 } from '../base32.ts';

const city = generateKeys();
const NOW = 1_796_000_000;
const keysDoc = (over: Partial<PublishedKeys> = {}): PublishedKeys => ({
  sm2UserId: '1234567812345678',
  keys: [{ kid: 7, publicKey: city.publicKey, notBefore: new Date((NOW - 86400) * 1000).toISOString(), notAfter: new Date((NOW + 30 * 86400) * 1000).toISOString() }],
  revokedDevices: [],
  updatedAt: new Date(NOW * 1000).toISOString(),
  ...over,
});

function credentialFor(device: ReturnType<typeof createDeviceKey>, over: Partial<CredentialFields> = {}, signer = city): string {
  const fields: CredentialFields = {
    keyId: 7, devicePublicKey: device.compressedPublicKey, handle: '0123456789ABCDEF0123', functions: ['MEDICAL_INSURANCE', 'PARKING', 'IDENTITY', 'TRANSIT'],
    notBefore: NOW - 3600, notAfter: NOW - 3600 + 86400, ...over,
  };
  const body = credentialBody(fields);
  return credentialText(body, sign(body, signer));
}

describe('city code format and offline verification', () => {
  const device = createDeviceKey();
  const credential = credentialFor(device);

  it('makes a code of at most 300 characters of the QR alphanumeric set that verifies offline and parses back', () => {
    const code = makeCode(credential, device, { now: NOW, purposes: ['PARKING', 'TRANSIT'] });
    expect(code.length).toBeLessThanOrEqual(300);
    expect(code).toMatch(/^[A-Z2-7]+$/);
    const verdict = verifyCode(code, keysDoc(), { now: NOW + 30, purpose: 'PARKING' });
    expect(verdict).toMatchObject({ ok: true, code: { purposes: ['PARKING', 'TRANSIT'], issuedAt: NOW, credential: { handle: '0123456789ABCDEF0123', keyId: 7 } } });
    expect(parseCode(code)?.id).toMatch(/^[0-9A-F]{16}-/);
  });

  it('refuses a code with any one character altered', () => {
    const code = makeCode(credential, device, { now: NOW });
    const trust = trustFrom(keysDoc());
    const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567';
    for (let i = 0; i < code.length; i++) {
      const other = alphabet[(alphabet.indexOf(code[i]!) + 1 + (i % 31)) % 32]!;
      const altered = code.slice(0, i) + other + code.slice(i + 1);
      const v = verifyCode(altered, trust, { now: NOW });
      expect(v.ok, `position ${i}`).toBe(false);
    }
  });

  it('says expired after 60 s, not yet valid before its time, and expired past the credential', () => {
    const code = makeCode(credential, device, { now: NOW });
    expect(verifyCode(code, keysDoc(), { now: NOW + 61 })).toMatchObject({ ok: false, reason: 'CODE_EXPIRED' });
    expect(verifyCode(code, keysDoc(), { now: NOW - 30 })).toMatchObject({ ok: false, reason: 'CODE_NOT_YET_VALID' });
    const late = makeCode(credentialFor(device, { notBefore: NOW - 86400, notAfter: NOW - 120 }), device, { now: NOW - 130 });
    expect(verifyCode(late, keysDoc(), { now: NOW - 100 })).toMatchObject({ ok: false, reason: 'CODE_EXPIRED' });
  });

  it('refuses an unknown key id, a credential signed by another key, a revoked device and a purpose the credential lacks', () => {
    const code = makeCode(credential, device, { now: NOW });
    expect(verifyCode(makeCode(credentialFor(device, { keyId: 8 }), device, { now: NOW }), keysDoc(), { now: NOW })).toMatchObject({ reason: 'CODE_UNKNOWN_KEY' });
    expect(verifyCode(makeCode(credentialFor(device, {}, generateKeys()), device, { now: NOW }), keysDoc(), { now: NOW })).toMatchObject({ reason: 'CODE_INVALID' });
    const revoked = keysDoc({ revokedDevices: [parseCode(code)!.deviceId] });
    expect(verifyCode(code, revoked, { now: NOW })).toMatchObject({ ok: false, reason: 'CODE_REVOKED' });
    expect(verifyCode(code, keysDoc(), { now: NOW, purpose: 'TICKET' })).toMatchObject({ ok: false, reason: 'CODE_PURPOSE_NOT_ALLOWED' });
    expect(() => makeCode(credential, device, { purposes: ['TICKET'] })).toThrow(/does not allow TICKET/);
  });

  it('refuses a code signed by a device other than the credential names', () => {
    const thief = createDeviceKey();
    expect(() => makeCode(credential, thief)).toThrow(/another device/);
    const forged = makeCode(credential, { ...thief, publicKey: device.publicKey }, { now: NOW });
    expect(verifyCode(forged, keysDoc(), { now: NOW })).toMatchObject({ ok: false, reason: 'CODE_INVALID' });
  });

  it('decodes base32 strictly: lower case, padding and non-zero trailing bits are not codes', () => {
    const bytes = new Uint8Array([1, 2, 3, 250, 255]);
    expect(fromBase32(toBase32(bytes))).toEqual(bytes);
    expect(fromBase32(toBase32(bytes).toLowerCase())).toBeNull();
    expect(fromBase32(`${toBase32(new Uint8Array([1]))}=`)).toBeNull();
    expect(fromBase32('AB')).toBeNull();
    expect(verifyCode('NOT A CODE', keysDoc())).toMatchObject({ ok: false, reason: 'CODE_INVALID' });
  });
});
