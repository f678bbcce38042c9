/**
 * SM2 key files by hand: PKCS#8 / SEC1 private keys and SPKI public keys, as OpenSSL writes and reads
 * them. (Node 20 aborted the process when asked to export an SM2 key; Node 24, which this project
 * requires, exports an SM2 public key as SPKI DER, and that is the only use made of it here.)
 */
import { createPrivateKey, createPublicKey, randomBytes } from 'node:crypto';
import smCrypto from 'sm-crypto';
import { SM2_ORDER } from './sm2-verify.ts';

const { sm2 } = smCrypto;
const SM2_CURVE_OID = '06082a811ccf5501822d';
/** SPKI DER prefix of an uncompressed SM2 public key (id-ecPublicKey, curve 1.2.156.10197.1.301). */
const SPKI_PREFIX = '3059301306072a8648ce3d020106082a811ccf5501822d03420004';
const PKCS8_PREFIX = '308187020100301306072a8648ce3d020106082a811ccf5501822d046d306b0201010420';
/** PKCS#8 DER prefix of an SM2 private scalar without its public key (OpenSSL derives that). */
const PKCS8_SCALAR_PREFIX = '3041020100301306072a8648ce3d020106082a811ccf5501822d042730250201010420';

/** A raw SM2 key pair: private scalar (64 hex) and public point `04‖x‖y` (130 hex). */
export interface Sm2KeyPair {
  privateHex: string;
  publicHex: string;
}

/** A fresh key pair from Node's CSPRNG. */
export function generateSm2KeyPair(): Sm2KeyPair {
  // sm-crypto reduces the seed mod n-1; 320 random bits leave no measurable bias.
  const generate = sm2.generateKeyPairHex as unknown as (seed: string, radix: number) => { privateKey: string; publicKey: string };
  const pair = generate(randomBytes(40).toString('hex'), 16);
  return { privateHex: pair.privateKey, publicHex: pair.publicKey };
}

/**
 * The public point `04‖x‖y` of a private scalar (64 hex digits). Every process opening a store computes
 * it once, so by OpenSSL (a PKCS#8 key without its public part, whose public key OpenSSL derives):
 * 5–9 ms, where sm-crypto-v2's first scalar multiplication in a fresh process costs 75–80 ms (≈ 95 ms
 * of CPU, building its tables and compiling). Node 24 exports an SM2 public key as SPKI DER; it is
 * checked to be the one form `sm2PublicHexFromPem` reads. A scalar out of [1, n−1] is refused.
 */
export function sm2PublicOf(privateHex: string): string {
  if (!/^[0-9a-f]{64}$/i.test(privateHex)) throw new Error('An SM2 private key is 64 hex digits.');
  const d = BigInt(`0x${privateHex}`);
  if (d < 1n || d >= SM2_ORDER) throw new Error('The SM2 private key is out of range.');
  const key = createPrivateKey({ key: Buffer.from(PKCS8_SCALAR_PREFIX + privateHex, 'hex'), format: 'der', type: 'pkcs8' });
  const spki = createPublicKey(key).export({ type: 'spki', format: 'der' }).toString('hex');
  if (!spki.startsWith(SPKI_PREFIX) || spki.length !== SPKI_PREFIX.length + 128) throw new Error('OpenSSL did not give an uncompressed SM2 public key.');
  return `04${spki.slice(SPKI_PREFIX.length)}`;
}

/** PKCS#8 PEM of a key pair (what `openssl genpkey -algorithm SM2` writes). */
export function sm2PrivatePem(pair: Sm2KeyPair): string {
  return derToPem(Buffer.from(`${PKCS8_PREFIX}${pair.privateHex}a144034200${pair.publicHex}`, 'hex'), 'PRIVATE KEY');
}

/** SPKI PEM of a public point. */
export function sm2PublicPem(publicHex: string): string {
  return derToPem(Buffer.from(SPKI_PREFIX + publicHex.slice(2), 'hex'), 'PUBLIC KEY');
}

/** The public point of an SM2 SPKI PEM; throws when it is not one. */
export function sm2PublicHexFromPem(pem: string): string {
  const hex = pemToDer(pem, 'PUBLIC KEY').toString('hex');
  if (!hex.startsWith(SPKI_PREFIX) || hex.length !== SPKI_PREFIX.length + 128) throw new Error('Not an uncompressed SM2 public key.');
  return `04${hex.slice(SPKI_PREFIX.length)}`;
}

/** The SPKI DER of an SM2 public PEM. */
export function sm2SpkiDer(pem: string): Buffer {
  return Buffer.from(SPKI_PREFIX + sm2PublicHexFromPem(pem).slice(2), 'hex');
}

/** PEM label of a SEC1 EC private key. */
const SEC1_LABEL = 'EC PRIVATE KEY';

/** The private scalar of a PKCS#8 PEM, SEC1 PEM (`EC PRIVATE KEY`) or 64-hex-digit key. */
export function sm2PrivateHexFrom(text: string): string {
  const t = text.trim();
  if (/^[0-9a-f]{64}$/i.test(t)) return t.toLowerCase();
  if (t.includes(`-----BEGIN ${SEC1_LABEL}-----`)) return sec1Scalar(pemToDer(t, SEC1_LABEL), false);
  const der = pemToDer(t, 'PRIVATE KEY');
  const outer = tlv(der, 0, 0x30);
  const version = tlv(der, outer.start, 0x02);
  const alg = tlv(der, version.end, 0x30);
  if (!der.subarray(alg.start, alg.end).toString('hex').includes(SM2_CURVE_OID)) throw new Error('The private key is not an SM2 key.');
  const inner = tlv(der, alg.end, 0x04);
  return sec1Scalar(der.subarray(inner.start, inner.end), true);
}

function sec1Scalar(der: Buffer, curveKnown: boolean): string {
  const seq = tlv(der, 0, 0x30);
  const version = tlv(der, seq.start, 0x02);
  const d = tlv(der, version.end, 0x04);
  if (!curveKnown && !der.toString('hex').includes(SM2_CURVE_OID)) throw new Error('The private key is not an SM2 key.');
  if (d.end - d.start > 32) throw new Error('Malformed SM2 private key.');
  return der.subarray(d.start, d.end).toString('hex').padStart(64, '0');
}

/** One DER element at `offset`: content bounds, checked against the expected tag. */
function tlv(der: Buffer, offset: number, tag: number): { start: number; end: number } {
  if (der[offset] !== tag) throw new Error('Malformed key file (unexpected DER tag).');
  let len = der[offset + 1] ?? 0;
  let start = offset + 2;
  if (len & 0x80) {
    const n = len & 0x7f;
    if (n < 1 || n > 2) throw new Error('Malformed key file (DER length).');
    len = n === 1 ? (der[start] ?? 0) : ((der[start] ?? 0) << 8) | (der[start + 1] ?? 0);
    start += n;
  }
  if (start + len > der.length) throw new Error('Malformed key file (truncated).');
  return { start, end: start + len };
}

function pemToDer(pem: string, label: string): Buffer {
  const m = new RegExp(`-----BEGIN ${label}-----([\\s\\S]*?)-----END ${label}-----`).exec(pem);
  if (!m?.[1]) throw new Error(`Expected a PEM ${label}.`);
  return Buffer.from(m[1].replace(/\s+/g, ''), 'base64');
}

function derToPem(der: Buffer, label: string): string {
  const b64 = der.toString('base64').replace(/(.{64})/g, '$1\n').replace(/\n$/, '');
  return `-----BEGIN ${label}-----\n${b64}\n-----END ${label}-----\n`;
}
