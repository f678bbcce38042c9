/** The citizen app's side: a device key, and a fresh 60-second code from the day's credential. */
import { fromBase32 } from './base32.ts';
import { codeBody, codeText, CREDENTIAL_BYTES, purposeBits, readCredential, type Purpose } from './format.ts';
import { compressPublicKey, generateKeys, sign, type Sm2Keys } from './sm2.ts';

/** A device's key pair; `publicKey` uncompressed, `compressedPublicKey` as the credential carries it. */
export interface DeviceKey extends Sm2Keys {
  compressedPublicKey: string;
}

/** Makes a device key pair (once per installation; the private key never leaves the device). */
export function createDeviceKey(): DeviceKey {
  const k = generateKeys();
  return { ...k, compressedPublicKey: compressPublicKey(k.publicKey) };
}

/** Options of `makeCode`. */
export interface MakeCodeOptions {
  /** Purposes shown on screen; default every function of the credential. */
  purposes?: readonly Purpose[];
  /** Unix seconds of the code; default now. */
  now?: number;
}

/**
 * Makes a code from the city's credential (its text) and the device key it was issued for. Throws a
 * TypeError when the credential is malformed, is for another device, or does not allow a purpose.
 */
export function makeCode(credential: string, device: Sm2Keys, options: MakeCodeOptions = {}): string {
  const bytes = fromBase32(credential.trim());
  const fields = bytes && bytes.length === CREDENTIAL_BYTES ? readCredential(bytes) : null;
  if (!bytes || !fields) throw new TypeError('Not a city code credential.');
  if (fields.devicePublicKey !== compressPublicKey(device.publicKey)) throw new TypeError('This credential was issued for another device key.');
  const purposes = options.purposes ?? fields.functions;
  for (const p of purposes) if (!fields.functions.includes(p)) throw new TypeError(`The credential does not allow ${p}.`);
  const now = options.now ?? Math.floor(Date.now() / 1000);
  const nonce = crypto.getRandomValues(new Uint8Array(3));
  const body = codeBody(bytes, now, fields.notBefore, (nonce[0]! << 16) | (nonce[1]! << 8) | nonce[2]!, purposeBits(purposes));
  return codeText(body, sign(body, device));
}
