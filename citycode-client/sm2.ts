/**
 * SM2 signatures as GM/T 0003 defines them, with the GM/T 0009 default distinguishing ID, on
 * `sm-crypto-v2` (noble-curves arithmetic): about 1 ms a signature and 1–8 ms a verification, against
 * 30 ms a signature for `sm-crypto` (figures: docs/BENCHMARKS.md). Pure JavaScript, so a citizen app
 * or a gate's firmware bundle can use it; the tests cross-check it against the OpenSSL command line.
 */
import { sm2, sm3 } from 'sm-crypto-v2';

/** GM/T 0009 default user ID, the one Chinese systems and `openssl -pkeyopt distid:` use. */
export const SM2_USER_ID = '1234567812345678';

/** An SM2 key pair in hex: private scalar (64 hex digits) and uncompressed public point `04‖x‖y` (130). */
export interface Sm2Keys {
  privateKey: string;
  publicKey: string;
}

/** A fresh key pair (the library draws from `crypto.getRandomValues`). */
export function generateKeys(): Sm2Keys {
  const k = sm2.generateKeyPairHex();
  return { privateKey: k.privateKey, publicKey: k.publicKey };
}

/** The compressed public point (33 bytes, `02`/`03` ‖ x) of an uncompressed or compressed one. */
export function compressPublicKey(publicKey: string): string {
  return publicKey.length === 66 ? publicKey.toLowerCase() : sm2.compressPublicKeyHex(publicKey);
}

/** True when `publicKey` (compressed or uncompressed hex) is a point on the SM2 curve. */
export function isPublicKey(publicKey: string): boolean {
  if (!/^(0[23][0-9a-f]{64}|04[0-9a-f]{128})$/i.test(publicKey)) return false;
  try {
    return sm2.verifyPublicKey(publicKey);
  } catch {
    return false;
  }
}

/** Signs `message` with the ID-bound SM3 digest; returns r‖s (128 hex) or DER hex when `der`. */
export function sign(message: Uint8Array, keys: Sm2Keys, options: { der?: boolean } = {}): string {
  // Passing the public key spares the library recomputing it (a scalar multiplication) per signature.
  return sm2.doSignature(message, keys.privateKey, { hash: true, der: options.der ?? false, publicKey: keys.publicKey, userId: SM2_USER_ID });
}

/** A public key prepared for many verifications (a gate keeps the city's keys this way). */
export type PreparedKey = ReturnType<typeof sm2.precomputePublicKey>;

/** Precomputes multiples of a public key: verifications under it get about six times faster. */
export function prepareKey(publicKey: string): PreparedKey {
  return sm2.precomputePublicKey(publicKey);
}

/** Order n of the SM2 base point: GM/T 0003 requires r and s in [1, n−1]. */
const N = 0xfffffffeffffffffffffffffffffffff7203df6b21c6052b53bbf40939d54123n;

/** Verifies an r‖s (or DER, with `der`) signature; false for anything malformed, never throws. */
export function verify(message: Uint8Array, signature: string, publicKey: string | PreparedKey, options: { der?: boolean } = {}): boolean {
  try {
    if (!options.der) {
      // One text, one signature: r and s are checked to lie in range before the library sees them.
      if (!/^[0-9a-f]{128}$/i.test(signature)) return false;
      const r = BigInt(`0x${signature.slice(0, 64)}`);
      const s = BigInt(`0x${signature.slice(64)}`);
      if (r < 1n || r >= N || s < 1n || s >= N) return false;
    }
    return sm2.doVerifySignature(message, signature, publicKey, { hash: true, der: options.der ?? false, userId: SM2_USER_ID });
  } catch {
    return false;
  }
}

/** SM3 digest of bytes, as bytes. */
export function sm3Bytes(data: Uint8Array): Uint8Array {
  return hexToBytes(sm3(data));
}

/** Hex (even length) to bytes. */
export function hexToBytes(hex: string): Uint8Array {
  const out = new Uint8Array(hex.length >> 1);
  for (let i = 0; i < out.length; i++) out[i] = parseInt(hex.slice(2 * i, 2 * i + 2), 16);
  return out;
}

/** Bytes to lower-case hex. */
export function bytesToHex(bytes: Uint8Array): string {
  let s = '';
  for (const b of bytes) s += b.toString(16).padStart(2, '0');
  return s;
}
