/**
 * The checks of a certificate against what its issuer sealed: the SM3 digest of its content must be
 * the digest stored with it, the issuer's SM2 signature (GM/T 0003, GM/T 0009 default ID) must verify
 * over that digest under the issuer's public key, its status must not be revoked, and the day must lie
 * within its validity dates. A forgery outranks a revocation, which outranks an expiry.
 */
import { createHash } from 'node:crypto';
import { sm2 } from 'sm-crypto-v2';
import type { CertificateRecord, CertificateVerdict } from './types.ts';

/** GM/T 0009 default user ID, the one the issuers sign with. */
export const SM2_USER_ID = '1234567812345678';
/** Order n of the SM2 base point: r and s must lie in [1, n−1]. */
const N = 0xfffffffeffffffffffffffffffffffff7203df6b21c6052b53bbf40939d54123n;

/** SM3 of text, lower-case hex (Node's OpenSSL provides it as `sm3`). */
export function sm3Hex(text: string): string {
  return createHash('sm3').update(text, 'utf8').digest('hex');
}

/** True when `signature` (r‖s hex) is the SM2 signature of `message` under `publicKey`; never throws. */
export function verifySm2(message: string, signature: string, publicKey: string): boolean {
  try {
    if (!/^[0-9a-f]{128}$/i.test(signature) || !/^04[0-9a-f]{128}$/i.test(publicKey)) return false;
    const r = BigInt(`0x${signature.slice(0, 64)}`);
    const s = BigInt(`0x${signature.slice(64)}`);
    if (r < 1n || r >= N || s < 1n || s >= N) return false;
    return sm2.doVerifySignature(message, signature, publicKey, { hash: true, der: false, userId: SM2_USER_ID });
  } catch {
    return false;
  }
}

/**
 * The verdict on `c` on day `today` (`YYYY-MM-DD`, the city's clock) with its issuer's public key
 * (undefined when the issuer publishes none: nothing can vouch for the certificate, so it is tampered).
 */
export function verifyCertificate(c: CertificateRecord, issuerPublicKey: string | undefined, today: string): CertificateVerdict {
  if (sm3Hex(c.canonicalContent) !== c.contentHash) return { ok: false, code: 'DOCUMENT_TAMPERED', reason: 'content hash' };
  if (!issuerPublicKey) return { ok: false, code: 'DOCUMENT_TAMPERED', reason: 'unknown issuer' };
  if (!verifySm2(c.contentHash, c.signature, issuerPublicKey)) return { ok: false, code: 'DOCUMENT_TAMPERED', reason: 'signature' };
  if (c.status === 'REVOKED') return { ok: false, code: 'DOCUMENT_REVOKED', reason: 'revoked' };
  if (today < c.validFrom) return { ok: false, code: 'DOCUMENT_EXPIRED', reason: 'not yet valid' };
  if (c.validUntil !== null && today > c.validUntil) return { ok: false, code: 'DOCUMENT_EXPIRED', reason: 'expired' };
  return { ok: true };
}
