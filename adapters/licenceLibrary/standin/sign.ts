/**
 * How the library's issuers seal a certificate, as the library stores it: the content's canonical
 * string (the 照面 fields in a fixed order, `key=value` joined by `&`; invented, modelled on the
 * national standard's 摘要 of the 照面信息), its SM3 digest, and the issuer's SM2 signature (GM/T 0003
 * with the GM/T 0009 default ID, r‖s hex) over the digest's hex text.
 */
import { createHash } from 'node:crypto';
import { sm2 } from 'sm-crypto-v2';

/** The fields the digest covers, in this order. */
export const SEALED_FIELDS = ['zzbs', 'zzlxdm', 'zzbh', 'czzt', 'czztdm', 'bzdwdm', 'yxqqsrq', 'yxqjzrq'] as const;

/** The canonical content string of a certificate row. */
export function canonicalContent(row: Record<(typeof SEALED_FIELDS)[number], string>): string {
  return SEALED_FIELDS.map((k) => `${k}=${row[k]}`).join('&');
}

/** SM3 of the canonical content, lower-case hex. */
export function contentHash(row: Record<(typeof SEALED_FIELDS)[number], string>): string {
  return createHash('sm3').update(canonicalContent(row), 'utf8').digest('hex');
}

/** GM/T 0009 default user ID. */
export const SM2_USER_ID = '1234567812345678';

/** The issuer's SM2 signature over the digest's hex text, r‖s (128 hex). */
export function signHash(hashHex: string, key: { privateKey: string; publicKey: string }): string {
  return sm2.doSignature(hashHex, key.privateKey, { hash: true, der: false, publicKey: key.publicKey, userId: SM2_USER_ID });
}
