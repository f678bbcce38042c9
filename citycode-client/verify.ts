/**
 * Offline verification, the gate's side: both signatures checked against the city's published keys
 * and revocation list, the times against the gate's clock. No network, no personal data.
 */
import { parseCode, type ParsedCode, type Purpose } from './format.ts';
import { prepareKey, verify, type PreparedKey } from './sm2.ts';

/** Seconds a code is valid after the device made it. */
export const CODE_LIFETIME_SECONDS = 60;
/** Clock difference between phone and gate tolerated before "not yet valid". */
export const CLOCK_SKEW_SECONDS = 5;

/** Reasons a code is refused; the same codes as the graph's errors. */
export type RefusalCode = 'CODE_INVALID' | 'CODE_EXPIRED' | 'CODE_NOT_YET_VALID' | 'CODE_UNKNOWN_KEY' | 'CODE_REVOKED' | 'CODE_PURPOSE_NOT_ALLOWED';

/** One city key as `GET /.well-known/citycode-keys` publishes it. */
export interface PublishedKey {
  /** Key id written in credentials (0–255). */
  kid: number;
  /** Uncompressed SM2 public point, hex. */
  publicKey: string;
  /** Credentials signed from this instant on (ISO). */
  notBefore: string;
  /** No credential signed by this key is valid after this instant (ISO). */
  notAfter: string;
}

/** The document at `GET /.well-known/citycode-keys`. */
export interface PublishedKeys {
  /** SM2 distinguishing ID used by every signature (GM/T 0009 default). */
  sm2UserId: string;
  keys: PublishedKey[];
  /** Device ids whose credentials are void (lost phones). */
  revokedDevices: string[];
  /** When this document was made (ISO). */
  updatedAt: string;
}

/** The answer of `verifyCode`. */
export type Verdict = { ok: true; code: ParsedCode } | { ok: false; reason: RefusalCode; message: string; code: ParsedCode | null };

/** What a gate keeps of the published keys: the points precomputed, the revocation list as a set. */
export interface Trust {
  keys: Map<number, { key: PublishedKey; prepared: PreparedKey }>;
  revoked: Set<string>;
}

/** Prepares a gate's trust from the published document (once per download, not per code). */
export function trustFrom(doc: PublishedKeys): Trust {
  return {
    keys: new Map(doc.keys.map((k) => [k.kid, { key: k, prepared: prepareKey(k.publicKey) }])),
    revoked: new Set(doc.revokedDevices),
  };
}

/** Options of `verifyCode`. */
export interface VerifyOptions {
  /** Unix seconds to check against; default now. */
  now?: number;
  /** When set, the code must name this purpose and its credential allow it. */
  purpose?: Purpose;
}

const refuse = (reason: RefusalCode, message: string, code: ParsedCode | null = null): Verdict => ({ ok: false, reason, message, code });

/** Verifies a code offline. Never throws for a bad code: the verdict says why. */
export function verifyCode(text: string, trust: Trust | PublishedKeys, options: VerifyOptions = {}): Verdict {
  const t = 'revoked' in trust ? trust : trustFrom(trust);
  const now = options.now ?? Math.floor(Date.now() / 1000);
  const code = parseCode(text);
  if (!code) return refuse('CODE_INVALID', 'This is not a well-formed city code.');
  const c = code.credential;
  const key = t.keys.get(c.keyId);
  if (!key) return refuse('CODE_UNKNOWN_KEY', `The code is signed under city key ${c.keyId}, which is not among the published keys.`);
  // Signatures first: until they hold, nothing else the code says can be believed.
  if (!verify(code.credentialBody, code.citySignature, key.prepared)) return refuse('CODE_INVALID', 'The city signature of the code does not verify.');
  if (!verify(code.codeBody, code.deviceSignature, c.devicePublicKey)) return refuse('CODE_INVALID', 'The device signature of the code does not verify.');
  if (t.revoked.has(code.deviceId)) return refuse('CODE_REVOKED', 'The device that made this code has been revoked.', code);
  const signedAt = c.notBefore;
  if (signedAt < Date.parse(key.key.notBefore) / 1000 || c.notAfter > Date.parse(key.key.notAfter) / 1000) {
    return refuse('CODE_INVALID', 'The credential lies outside the validity of the key that signed it.', code);
  }
  if (code.issuedAt > c.notAfter) return refuse('CODE_INVALID', 'The code was made after its credential ended.', code);
  if (now + CLOCK_SKEW_SECONDS < code.issuedAt || now < c.notBefore) return refuse('CODE_NOT_YET_VALID', 'The code is not valid yet; check the clock of the device.', code);
  if (now > code.issuedAt + CODE_LIFETIME_SECONDS) return refuse('CODE_EXPIRED', `The code expired ${now - code.issuedAt - CODE_LIFETIME_SECONDS} s ago; show a fresh one.`, code);
  if (now > c.notAfter) return refuse('CODE_EXPIRED', 'The credential of this code has expired; the app must fetch a new one.', code);
  if (options.purpose && !(code.purposes.includes(options.purpose) && c.functions.includes(options.purpose))) {
    return refuse('CODE_PURPOSE_NOT_ALLOWED', `The code is not for ${options.purpose}.`, code);
  }
  return { ok: true, code };
}
