/**
 * The hand-written SM2 verifier against two independent implementations: sm-crypto-v2 (signatures with
 * GM/T 0009's default ID, and its point arithmetic on @noble/curves) and OpenSSL (signatures with the
 * empty ID, the only one Node's crypto.sign uses).
 */
import { createPrivateKey, createPublicKey, randomBytes, sign } from 'node:crypto';
import { sm2 } from 'sm-crypto-v2';
import { describe, expect, it } from 'vitest';
import { SM2_USER_ID } from '../signing.ts';
import { generateSm2KeyPair, sm2PrivatePem, sm2PublicHexFromPem } from '../sm2-keys.ts';
import { parseDerSignature, SM2_BASE_POINT_HEX, SM2_ORDER, Sm2Verifier } from '../sm2-verify.ts';

const N = SM2_ORDER;
const G = SM2_BASE_POINT_HEX;

const hex = (v: bigint, bytes = 32): string => v.toString(16).padStart(bytes * 2, '0');
/** DER of r, s as an encoder writes it (a leading zero when the high bit is set). */
function der(r: bigint, s: bigint): Buffer {
  const int = (v: bigint): Buffer => {
    let b = Buffer.from(hex(v).replace(/^(00)+/, '') || '00', 'hex');
    if (b[0]! & 0x80) b = Buffer.concat([Buffer.from([0]), b]);
    return Buffer.concat([Buffer.from([0x02, b.length]), b]);
  };
  const body = Buffer.concat([int(r), int(s)]);
  return Buffer.concat([Buffer.from([0x30, body.length]), body]);
}
const randomScalar = (): bigint => (BigInt(`0x${randomBytes(40).toString('hex')}`) % (N - 1n)) + 1n;

describe('SM2 verification', () => {
  it('agrees with sm-crypto-v2 on its signatures, and refuses every change of message, r, s or key', () => {
    for (let k = 0; k < 16; k++) {
      const pair = sm2.generateKeyPairHex();
      const other = sm2.generateKeyPairHex();
      const verifier = new Sm2Verifier(pair.publicKey, SM2_USER_ID);
      const otherVerifier = new Sm2Verifier(other.publicKey, SM2_USER_ID);
      for (let m = 0; m < 5; m++) {
        const message = randomBytes(m * 97);
        const sigHex = sm2.doSignature(message, pair.privateKey, { hash: true, der: true, publicKey: pair.publicKey, userId: SM2_USER_ID });
        const sig = Buffer.from(sigHex, 'hex');
        expect(verifier.verify(message, sig)).toBe(true);
        expect(sm2.doVerifySignature(message, sigHex, pair.publicKey, { hash: true, der: true, userId: SM2_USER_ID })).toBe(true);
        const changed = Buffer.concat([message, Buffer.from([m])]);
        expect(verifier.verify(changed, sig)).toBe(false);
        expect(otherVerifier.verify(message, sig)).toBe(false);
        const { r, s } = parseDerSignature(sig)!;
        expect(verifier.verify(message, der(r + 1n, s))).toBe(false);
        expect(verifier.verify(message, der(r, s - 1n))).toBe(false);
        expect(verifier.verify(message, der(s, r))).toBe(false);
      }
      // Another distinguishing ID hashes another Z: the ID is part of the signature.
      const sig = Buffer.from(sm2.doSignature('text', pair.privateKey, { hash: true, der: true, publicKey: pair.publicKey, userId: 'another-id' }), 'hex');
      expect(verifier.verify(Buffer.from('text'), sig)).toBe(false);
      expect(new Sm2Verifier(pair.publicKey, 'another-id').verify(Buffer.from('text'), sig)).toBe(true);
    }
  });

  it("verifies OpenSSL's signatures made with the empty ID (an independent implementation)", () => {
    for (let k = 0; k < 20; k++) {
      // A key OpenSSL reads as SM2 (not as ECDSA over the SM2 curve, which generateKeyPair('ec') makes).
      const pair = generateSm2KeyPair();
      const privateKey = createPrivateKey(sm2PrivatePem(pair));
      const verifier = new Sm2Verifier(sm2PublicHexFromPem(createPublicKey(privateKey).export({ type: 'spki', format: 'pem' }).toString()), '');
      const message = randomBytes(1 + k * 31);
      const sig = sign(null, message, privateKey);
      expect(verifier.verify(message, sig)).toBe(true);
      expect(verifier.verify(randomBytes(message.length), sig)).toBe(false);
    }
  });

  it("computes s·G + t·Q as @noble/curves does, through doubling, opposite points and the last window's carry", () => {
    // With Q = G the two tables are one, so equal digits meet: s = t = 1 adds G to G (a doubling),
    // s = 1, t = n − 1 adds −G to G (the point at infinity).
    const onG = new Sm2Verifier(G, SM2_USER_ID);
    const pair = sm2.generateKeyPairHex();
    const onQ = new Sm2Verifier(pair.publicKey, SM2_USER_ID);
    const Q = sm2.precomputePublicKey(pair.publicKey);
    const Point = Q.constructor as unknown as { BASE: typeof Q };
    const expected = (s: bigint, t: bigint, q: typeof Q): [bigint, bigint] | undefined => {
      const sum = (s === 0n ? undefined : Point.BASE.multiply(s));
      const tq = t === 0n ? undefined : q.multiply(t);
      const total = sum && tq ? sum.add(tq) : (sum ?? tq);
      if (!total || total.is0()) return undefined;
      const { x, y } = total.toAffine();
      return [x, y];
    };
    const cases: [bigint, bigint][] = [
      [1n, 1n], [2n, 2n], [1n, N - 1n], [N - 1n, 1n], [128n, 128n], [129n, 127n], [255n, 1n], [256n, 256n],
      [N - 1n, N - 1n], [(1n << 255n) + 200n, 200n], [0xffn << 248n, 1n], [N - 2n, 2n], [1n, 0n], [0n, 1n], [0n, 0n],
    ];
    for (let k = 0; k < 30; k++) cases.push([randomScalar(), randomScalar()]);
    for (const [s, t] of cases) {
      expect(onG.sumOfMultiples(s, t)).toEqual(expected(s, t, Point.BASE));
      expect(onQ.sumOfMultiples(s, t)).toEqual(expected(s, t, Q));
    }
  });

  it('refuses signatures out of range or not exactly one DER sequence of two positive integers', () => {
    const pair = sm2.generateKeyPairHex();
    const verifier = new Sm2Verifier(pair.publicKey, SM2_USER_ID);
    const message = Buffer.from('checkpoint');
    const sig = Buffer.from(sm2.doSignature(message, pair.privateKey, { hash: true, der: true, publicKey: pair.publicKey, userId: SM2_USER_ID }), 'hex');
    const { r, s } = parseDerSignature(sig)!;
    expect(verifier.verify(message, der(r, s))).toBe(true);
    for (const bad of [
      der(0n, s), der(r, 0n), der(r + N, s), der(r, s + N), der(N, s), der(r, N), der(N - s, s), // t = r + s = n
      Buffer.concat([sig, Buffer.from([0])]), // trailing byte
      sig.subarray(0, sig.length - 1), // cut short
      Buffer.from([0x31, ...sig.subarray(1)]), // a SET, not a SEQUENCE
      Buffer.alloc(0), Buffer.from([0x30]), Buffer.from([0x30, 0x00]),
    ]) {
      expect(verifier.verify(message, bad)).toBe(false);
    }
    // A negative INTEGER (high bit set without the leading zero) is not a signature value.
    const neg = Buffer.from('3006020180020101', 'hex');
    expect(parseDerSignature(neg)).toBeUndefined();
    // Long-form lengths are read.
    const body = Buffer.from(der(r, s).subarray(2));
    expect(parseDerSignature(Buffer.concat([Buffer.from([0x30, 0x81, body.length]), body]))).toEqual({ r, s });
  });

  it('refuses public keys that are not points of the curve', () => {
    const pair = sm2.generateKeyPairHex();
    const y = BigInt(`0x${pair.publicKey.slice(66)}`);
    expect(() => new Sm2Verifier(`04${pair.publicKey.slice(2, 66)}${hex(y + 1n)}`, SM2_USER_ID)).toThrow(/not a point of the curve/);
    expect(() => new Sm2Verifier(`04${'0'.repeat(128)}`, SM2_USER_ID)).toThrow(/not a point of the curve/);
    expect(() => new Sm2Verifier(`02${pair.publicKey.slice(2, 66)}`, SM2_USER_ID)).toThrow(/04 and 128 hex digits/);
  });
});
