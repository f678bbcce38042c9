/**
 * Checkpoint signatures. SM2 (GM/T 0003, SM3 digest, GM/T 0009 default ID `1234567812345678`,
 * DER-encoded r,s) by default, signed through sm-crypto-v2 because Node's `crypto.sign` cannot set SM2's
 * distinguishing ID and so signs with an empty one that no Chinese system accepts; verified by
 * sm2-verify.ts, nearly 3× faster than sm-crypto-v2 for the verifier’s thousands of checkpoints. (sm-crypto-v2 signs
 * about 33× faster than sm-crypto, which signed checkpoints before; the signatures are the same
 * standard, so checkpoints signed by either verify with either, and with OpenSSL.) Ed25519 by option.
 * Keys live as PEM files (PKCS#8 private, SPKI public) that OpenSSL reads as they are.
 */
import { createPrivateKey, createPublicKey, generateKeyPairSync, randomBytes, sign as nodeSign, verify as nodeVerify } from 'node:crypto';
import { chmodSync, existsSync, linkSync, mkdirSync, readFileSync, renameSync, unlinkSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { sm2 } from 'sm-crypto-v2';
import { digestHex } from './hashing.ts';
import { generateSm2KeyPair, sm2PrivateHexFrom, sm2PrivatePem, sm2PublicHexFromPem, sm2PublicOf, sm2PublicPem, sm2SpkiDer } from './sm2-keys.ts';
import { Sm2Verifier } from './sm2-verify.ts';

/**
 * SM2 public keys prepared for verification (the verifier checks every checkpoint under a few keys: the
 * operator's and its witnesses'). Each holds ≈ 0.5 MB of window tables, so at most 16 are kept.
 */
const prepared = new Map<string, Sm2Verifier>();
const MAX_PREPARED = 16;

/** Signature algorithms of checkpoints. */
export type SignatureAlgorithm = 'sm2' | 'ed25519';

/** The GM/T 0009 default distinguishing ID, used by every SM2 signature here. */
export const SM2_USER_ID = '1234567812345678';

/** Signs checkpoints with one key. */
export interface Signer {
  /** `sm2` or `ed25519`. */
  readonly algorithm: SignatureAlgorithm;
  /** Fingerprint of the public key: SM3 (SM2 keys) or SHA-256 (Ed25519) of its SPKI DER, hex. */
  readonly keyId: string;
  /** The public key as SPKI PEM. */
  readonly publicKeyPem: string;
  /** Hex signature of the UTF-8 bytes of `message` (SM2: DER; Ed25519: 64 raw bytes). */
  sign(message: string): string;
  /**
   * Does the first signature's one-time work now, so that it is not done while a lock is held: SM2's
   * first signature in a process builds sm-crypto-v2's tables (66–70 ms, against 1–2.5 ms after). Idempotent.
   */
  warm(): void;
}

/** Where a signer's keys are; missing files are generated (only when both are missing). */
export interface SignerOptions {
  /** Default `sm2`. */
  algorithm?: SignatureAlgorithm;
  /** PEM (PKCS#8 or SEC1) or, for SM2, a 64-hex-digit private key. */
  privateKeyPath: string;
  /** SPKI PEM of the public key. */
  publicKeyPath: string;
}

/** Loads the signer's keys, generating and saving a new pair (private key mode 0600) when both are absent. */
export function loadOrCreateSigner(options: SignerOptions): Signer {
  const algorithm = options.algorithm ?? 'sm2';
  // The public key is looked for first: a new private key is linked into place before its public key is
  // written, so a public key seen before the private key is looked for means the private key is really
  // missing, not still being made by another process opening the same new store.
  const havePublic = existsSync(options.publicKeyPath);
  const havePrivate = existsSync(options.privateKeyPath);
  if (!havePrivate && havePublic) {
    throw new Error(`The checkpoint public key ${options.publicKeyPath} exists but its private key ${options.privateKeyPath} does not.`);
  }
  if (!havePrivate) generateKeys(algorithm, options.privateKeyPath, options.publicKeyPath);
  const signer = signerFromPrivateKey(algorithm, readFileSync(options.privateKeyPath, 'utf8'));
  if (existsSync(options.publicKeyPath)) {
    if (keyIdOf(algorithm, readFileSync(options.publicKeyPath, 'utf8')) !== signer.keyId) {
      throw new Error(`The checkpoint public key ${options.publicKeyPath} does not belong to the private key ${options.privateKeyPath}.`);
    }
  } else {
    writePublic(options.publicKeyPath, signer.publicKeyPem);
  }
  return signer;
}

/** A signer over a private key given as text (PEM; for SM2 also 64 hex digits). */
export function signerFromPrivateKey(algorithm: SignatureAlgorithm, text: string): Signer {
  if (algorithm === 'ed25519') {
    const key = createPrivateKey(text);
    if (key.asymmetricKeyType !== 'ed25519') throw new Error('The checkpoint key is not an Ed25519 key.');
    const publicKeyPem = createPublicKey(key).export({ type: 'spki', format: 'pem' }).toString();
    return {
      algorithm, keyId: keyIdOf(algorithm, publicKeyPem), publicKeyPem,
      sign: (m) => nodeSign(null, Buffer.from(m, 'utf8'), key).toString('hex'),
      warm: () => undefined, // OpenSSL's Ed25519 has no tables to build
    };
  }
  const d = sm2PrivateHexFrom(text);
  const pub = sm2PublicOf(d);
  const publicKeyPem = sm2PublicPem(pub);
  // Passing the public key spares a scalar multiplication per signature; bytes, so the UTF-8 is explicit.
  const sign = (m: string) => sm2.doSignature(Buffer.from(m, 'utf8'), d, { hash: true, der: true, publicKey: pub, userId: SM2_USER_ID });
  let warmed = false;
  return {
    algorithm,
    keyId: keyIdOf(algorithm, publicKeyPem),
    publicKeyPem,
    sign: (m) => {
      warmed = true;
      return sign(m);
    },
    warm: () => {
      if (!warmed) sign('');
      warmed = true;
    },
  };
}

/** True when `signatureHex` is a valid signature of `message` by `publicKeyPem`; never throws. */
export function verifySignature(algorithm: SignatureAlgorithm, publicKeyPem: string, message: string, signatureHex: string): boolean {
  try {
    if (!/^(?:[0-9a-f]{2})+$/i.test(signatureHex)) return false;
    const signature = Buffer.from(signatureHex, 'hex');
    if (algorithm === 'ed25519') return nodeVerify(null, Buffer.from(message, 'utf8'), createPublicKey(publicKeyPem), signature);
    if (algorithm === 'sm2') return preparedKey(publicKeyPem).verify(Buffer.from(message, 'utf8'), signature);
    return false;
  } catch {
    return false;
  }
}

function preparedKey(publicKeyPem: string): Sm2Verifier {
  let key = prepared.get(publicKeyPem);
  if (!key) {
    if (prepared.size >= MAX_PREPARED) prepared.clear();
    key = new Sm2Verifier(sm2PublicHexFromPem(publicKeyPem), SM2_USER_ID);
    prepared.set(publicKeyPem, key);
  }
  return key;
}

/** Fingerprint of a public key (see `Signer.keyId`). */
export function keyIdOf(algorithm: SignatureAlgorithm, publicKeyPem: string): string {
  if (algorithm === 'sm2') return digestHex('sm3', sm2SpkiDer(publicKeyPem));
  return digestHex('sha256', createPublicKey(publicKeyPem).export({ type: 'spki', format: 'der' }));
}

function generateKeys(algorithm: SignatureAlgorithm, privatePath: string, publicPath: string): void {
  let privatePem: string;
  let publicPem: string;
  if (algorithm === 'sm2') {
    const pair = generateSm2KeyPair();
    privatePem = sm2PrivatePem(pair);
    publicPem = sm2PublicPem(pair.publicHex);
  } else {
    const pair = generateKeyPairSync('ed25519');
    privatePem = pair.privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();
    publicPem = pair.publicKey.export({ type: 'spki', format: 'pem' }).toString();
  }
  mkdirSync(dirname(privatePath), { recursive: true, mode: 0o700 });
  mkdirSync(dirname(publicPath), { recursive: true, mode: 0o700 });
  // Written aside, then linked into place, which fails if the file exists: when several processes open a
  // new store at once, exactly one key wins, every process reads that one, and none reads half a file.
  const tmp = `${privatePath}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`;
  writeFileSync(tmp, privatePem, { mode: 0o600, flag: 'wx' });
  try {
    linkSync(tmp, privatePath);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw e;
    return; // another process made the key; its public key follows from it (loadOrCreateSigner)
  } finally {
    unlinkSync(tmp);
  }
  chmodSync(privatePath, 0o600);
  writePublic(publicPath, publicPem);
}

/** Writes a public key whole or not at all (renamed into place), so a reader never sees half of it. */
function writePublic(path: string, pem: string): void {
  const tmp = `${path}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`;
  writeFileSync(tmp, pem);
  renameSync(tmp, path);
}
