/**
 * The byte layout of a credential and of a code. A code is its credential followed by what the device
 * adds, so a gate needs nothing else:
 *
 * credential (116 bytes): version 1 · key id 1 · device public key 33 (compressed) · handle 10 ·
 *   functions 1 (purpose bits) · not before 4 (Unix seconds) · lifetime 2 (minutes) · city signature 64
 *   over the 52 bytes before it.
 * code (187 bytes = 300 base32 characters): credential · time 3 (seconds after not before) · nonce 3 ·
 *   purposes 1 · device signature 64 over the 123 bytes before it.
 */
import { fromBase32, toBase32 } from './base32.ts';
import { bytesToHex, hexToBytes, sm3Bytes } from './sm2.ts';

/** Format version written in the first byte. */
export const VERSION = 1;
/** Bytes the city signs. */
export const CREDENTIAL_BODY_BYTES = 52;
/** Bytes of a whole credential. */
export const CREDENTIAL_BYTES = CREDENTIAL_BODY_BYTES + 64;
/** Bytes the device signs. */
export const CODE_BODY_BYTES = CREDENTIAL_BYTES + 7;
/** Bytes of a whole code. */
export const CODE_BYTES = CODE_BODY_BYTES + 64;
/** Bytes of the citizen's pseudonymous handle. */
export const HANDLE_BYTES = 10;

/** Purposes a credential may allow and a code may name, with their bits. */
export const PURPOSES = ['MEDICAL_INSURANCE', 'PARKING', 'IDENTITY', 'TICKET', 'TRANSIT'] as const;
export type Purpose = (typeof PURPOSES)[number];

/** The fields of a credential, decoded. */
export interface CredentialFields {
  /** City key id (0–255) that signed it. */
  keyId: number;
  /** Compressed device public key, 66 hex digits. */
  devicePublicKey: string;
  /** Pseudonymous handle of the citizen, 20 upper-case hex digits; never the resident ID. */
  handle: string;
  /** What the citizen may use the code for. */
  functions: Purpose[];
  /** Start of validity, Unix seconds. */
  notBefore: number;
  /** End of validity, Unix seconds. */
  notAfter: number;
}

/** The fields of a code, decoded (signatures not yet checked). */
export interface ParsedCode {
  credential: CredentialFields;
  /** When the device made the code, Unix seconds. */
  issuedAt: number;
  /** Random per code; with device and time, it names the code. */
  nonce: number;
  /** Purposes the citizen chose on screen. */
  purposes: Purpose[];
  /** Stable id of the code: device id, time and nonce (what replays are detected by). */
  id: string;
  /** Device id: first 8 bytes of SM3 of the compressed device key, hex upper case. */
  deviceId: string;
  /** Bytes the city signed, and its signature (r‖s hex). */
  credentialBody: Uint8Array;
  citySignature: string;
  /** Bytes the device signed, and its signature (r‖s hex). */
  codeBody: Uint8Array;
  deviceSignature: string;
}

/** Purpose names to bits; throws on an unknown name. */
export function purposeBits(purposes: readonly string[]): number {
  let bits = 0;
  for (const p of purposes) {
    const i = PURPOSES.indexOf(p as Purpose);
    if (i < 0) throw new TypeError(`Unknown purpose "${p}"; one of ${PURPOSES.join(', ')}.`);
    bits |= 1 << i;
  }
  return bits;
}

/** Bits to purpose names, null when a bit has no purpose. */
export function purposesOf(bits: number): Purpose[] | null {
  if (bits >> PURPOSES.length) return null;
  return PURPOSES.filter((_, i) => bits & (1 << i));
}

/** Device id of a public key (compressed or uncompressed hex). */
export function deviceIdOf(compressedPublicKey: string): string {
  return bytesToHex(sm3Bytes(hexToBytes(compressedPublicKey)).subarray(0, 8)).toUpperCase();
}

/** The 52 bytes the city signs for `fields`. */
export function credentialBody(fields: CredentialFields): Uint8Array {
  const b = new Uint8Array(CREDENTIAL_BODY_BYTES);
  const v = new DataView(b.buffer);
  const lifetimeMin = Math.round((fields.notAfter - fields.notBefore) / 60);
  if (!Number.isInteger(fields.keyId) || fields.keyId < 0 || fields.keyId > 255) throw new TypeError('keyId must be 0–255.');
  if (!/^0[23][0-9a-f]{64}$/i.test(fields.devicePublicKey)) throw new TypeError('devicePublicKey must be a compressed SM2 point (66 hex digits).');
  if (!new RegExp(`^[0-9A-F]{${HANDLE_BYTES * 2}}$`).test(fields.handle)) throw new TypeError('handle must be 20 upper-case hex digits.');
  if (lifetimeMin < 1 || lifetimeMin > 0xffff) throw new TypeError('A credential lasts 1 minute to 45 days.');
  b[0] = VERSION;
  b[1] = fields.keyId;
  b.set(hexToBytes(fields.devicePublicKey), 2);
  b.set(hexToBytes(fields.handle), 35);
  b[45] = purposeBits(fields.functions);
  v.setUint32(46, fields.notBefore);
  v.setUint16(50, lifetimeMin);
  return b;
}

/** A credential's text: body and city signature, base32. */
export function credentialText(body: Uint8Array, signature: string): string {
  const b = new Uint8Array(CREDENTIAL_BYTES);
  b.set(body, 0);
  b.set(hexToBytes(signature), CREDENTIAL_BODY_BYTES);
  return toBase32(b);
}

/** Decodes the fields of a credential body; null when it is not one. */
export function readCredential(b: Uint8Array): CredentialFields | null {
  if (b.length < CREDENTIAL_BODY_BYTES || b[0] !== VERSION) return null;
  const v = new DataView(b.buffer, b.byteOffset, b.byteLength);
  const functions = purposesOf(b[45]!);
  if (!functions) return null;
  const devicePublicKey = bytesToHex(b.subarray(2, 35));
  if (b[2] !== 2 && b[2] !== 3) return null;
  const notBefore = v.getUint32(46);
  return {
    keyId: b[1]!,
    devicePublicKey,
    handle: bytesToHex(b.subarray(35, 45)).toUpperCase(),
    functions,
    notBefore,
    notAfter: notBefore + v.getUint16(50) * 60,
  };
}

/** Decodes a credential's text; null when it is not one. */
export function parseCredential(text: string): { fields: CredentialFields; body: Uint8Array; signature: string } | null {
  const b = fromBase32(text.trim());
  if (!b || b.length !== CREDENTIAL_BYTES) return null;
  const fields = readCredential(b);
  return fields && { fields, body: b.subarray(0, CREDENTIAL_BODY_BYTES), signature: bytesToHex(b.subarray(CREDENTIAL_BODY_BYTES)) };
}

/** Decodes a code's text (no signature checked); null when it is not a well-formed code. */
export function parseCode(text: string): ParsedCode | null {
  const b = fromBase32(text.trim());
  if (!b || b.length !== CODE_BYTES) return null;
  const credential = readCredential(b);
  if (!credential) return null;
  const v = new DataView(b.buffer, b.byteOffset, b.byteLength);
  const offset = (v.getUint16(CREDENTIAL_BYTES) << 8) | b[CREDENTIAL_BYTES + 2]!;
  const nonce = (v.getUint16(CREDENTIAL_BYTES + 3) << 8) | b[CREDENTIAL_BYTES + 5]!;
  const purposes = purposesOf(b[CREDENTIAL_BYTES + 6]!);
  if (!purposes || purposes.length === 0) return null;
  const deviceId = deviceIdOf(credential.devicePublicKey);
  const issuedAt = credential.notBefore + offset;
  return {
    credential,
    issuedAt,
    nonce,
    purposes,
    deviceId,
    id: `${deviceId}-${issuedAt.toString(36).toUpperCase()}-${nonce.toString(36).toUpperCase()}`,
    credentialBody: b.subarray(0, CREDENTIAL_BODY_BYTES),
    citySignature: bytesToHex(b.subarray(CREDENTIAL_BODY_BYTES, CREDENTIAL_BYTES)),
    codeBody: b.subarray(0, CODE_BODY_BYTES),
    deviceSignature: bytesToHex(b.subarray(CODE_BODY_BYTES)),
  };
}

/** The bytes of a code body: credential bytes, time offset, nonce and purposes. */
export function codeBody(credential: Uint8Array, issuedAt: number, notBefore: number, nonce: number, purposes: number): Uint8Array {
  const b = new Uint8Array(CODE_BODY_BYTES);
  b.set(credential.subarray(0, CREDENTIAL_BYTES), 0);
  const offset = issuedAt - notBefore;
  if (offset < 0 || offset > 0xffffff) throw new RangeError('The code time lies outside its credential.');
  b[CREDENTIAL_BYTES] = offset >>> 16;
  b[CREDENTIAL_BYTES + 1] = (offset >>> 8) & 0xff;
  b[CREDENTIAL_BYTES + 2] = offset & 0xff;
  b[CREDENTIAL_BYTES + 3] = (nonce >>> 16) & 0xff;
  b[CREDENTIAL_BYTES + 4] = (nonce >>> 8) & 0xff;
  b[CREDENTIAL_BYTES + 5] = nonce & 0xff;
  b[CREDENTIAL_BYTES + 6] = purposes;
  return b;
}

/** Whole code text from its body and the device signature. */
export function codeText(body: Uint8Array, signature: string): string {
  const b = new Uint8Array(CODE_BYTES);
  b.set(body, 0);
  b.set(hexToBytes(signature), CODE_BODY_BYTES);
  return toBase32(b);
}
