import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { sm2PrivateHexFrom, sm2PrivatePem, sm2PublicHexFromPem, sm2PublicPem } from '../../supervision/sm2-keys.ts';
import { bytesToHex, compressPublicKey, generateKeys, hexToBytes, prepareKey, sign, SM2_USER_ID, verify } from '../sm2.ts';

const OPENSSL = '/usr/bin/openssl';
const dir = mkdtempSync(join(tmpdir(), 'citycode-sm2-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function openssl(args: string[]): { ok: boolean; out: string } {
  try {
    return { ok: true, out: execFileSync(OPENSSL, args, { stdio: ['ignore', 'pipe', 'pipe'] }).toString() };
  } catch (e) {
    return { ok: false, out: String((e as { stderr?: Buffer }).stderr ?? e) };
  }
}

const message = new TextEncoder().encode('一码通城 credential body \u0000\u0001 binary');

describe('SM2 of the city code (sm-crypto-v2, GM/T 0003 with the GM/T 0009 default ID)', () => {
  it('signs in a way `openssl pkeyutl -verify -rawin -digest sm3 -pkeyopt distid:1234567812345678` accepts, and only with that ID', () => {
    const keys = generateKeys();
    const msgFile = join(dir, 'a.msg');
    const sigFile = join(dir, 'a.sig');
    const pubFile = join(dir, 'a.pub.pem');
    writeFileSync(msgFile, message);
    writeFileSync(sigFile, hexToBytes(sign(message, keys, { der: true })));
    writeFileSync(pubFile, sm2PublicPem(keys.publicKey));
    const args = ['pkeyutl', '-verify', '-pubin', '-inkey', pubFile, '-rawin', '-in', msgFile, '-sigfile', sigFile, '-digest', 'sm3'];
    expect(openssl([...args, '-pkeyopt', `distid:${SM2_USER_ID}`])).toMatchObject({ ok: true, out: expect.stringMatching(/Signature Verified Successfully/) });
    expect(openssl([...args, '-pkeyopt', 'distid:another-id']).ok).toBe(false);
  });

  it('verifies what `openssl pkeyutl -sign -rawin -digest sm3 -pkeyopt distid:1234567812345678` signs with an OpenSSL key', () => {
    const key = join(dir, 'b.key.pem');
    const pub = join(dir, 'b.pub.pem');
    const msgFile = join(dir, 'b.msg');
    const sigFile = join(dir, 'b.sig');
    writeFileSync(msgFile, message);
    expect(openssl(['genpkey', '-algorithm', 'SM2', '-out', key]).ok).toBe(true);
    expect(openssl(['pkey', '-in', key, '-pubout', '-out', pub]).ok).toBe(true);
    expect(openssl(['pkeyutl', '-sign', '-inkey', key, '-rawin', '-in', msgFile, '-digest', 'sm3', '-pkeyopt', `distid:${SM2_USER_ID}`, '-out', sigFile]).ok).toBe(true);
    const publicKey = sm2PublicHexFromPem(readFileSync(pub, 'utf8'));
    const der = bytesToHex(readFileSync(sigFile));
    expect(verify(message, der, publicKey, { der: true })).toBe(true);
    expect(verify(message, der, compressPublicKey(publicKey), { der: true })).toBe(true);
    expect(verify(message, der, prepareKey(publicKey), { der: true })).toBe(true);
    expect(verify(new TextEncoder().encode('another message'), der, publicKey, { der: true })).toBe(false);
    // And the other way with the OpenSSL key: our signature, OpenSSL's verification.
    const privateKey = sm2PrivateHexFrom(readFileSync(key, 'utf8'));
    writeFileSync(sigFile, hexToBytes(sign(message, { privateKey, publicKey }, { der: true })));
    expect(openssl(['pkeyutl', '-verify', '-pubin', '-inkey', pub, '-rawin', '-in', msgFile, '-sigfile', sigFile, '-digest', 'sm3', '-pkeyopt', `distid:${SM2_USER_ID}`]).ok).toBe(true);
    // Our PKCS#8 encoding of that key reads back as the same scalar (no key text is kept in the source).
    expect(sm2PrivateHexFrom(sm2PrivatePem({ privateHex: privateKey, publicHex: publicKey }))).toBe(privateKey);
  });

  it('refuses a signature with one bit flipped and never throws on garbage', () => {
    const keys = generateKeys();
    const sig = sign(message, keys);
    expect(verify(message, sig, keys.publicKey)).toBe(true);
    const flipped = (parseInt(sig[10]!, 16) ^ 1).toString(16);
    expect(verify(message, sig.slice(0, 10) + flipped + sig.slice(11), keys.publicKey)).toBe(false);
    expect(verify(message, 'zz', keys.publicKey)).toBe(false);
    expect(verify(message, sig, '04abcd')).toBe(false);
    // s + n has the same value mod n: refused, so a code has exactly one valid signature text.
    const n = 0xfffffffeffffffffffffffffffffffff7203df6b21c6052b53bbf40939d54123n;
    const sPlusN = (BigInt(`0x${sig.slice(64)}`) + n).toString(16);
    if (sPlusN.length === 64) expect(verify(message, sig.slice(0, 64) + sPlusN, keys.publicKey)).toBe(false);
    expect(verify(message, '0'.repeat(128), keys.publicKey)).toBe(false);
  });
});
