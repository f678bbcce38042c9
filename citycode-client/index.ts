/**
 * The city code (一码通城) client library, for a citizen app or a gate vendor: make a device key,
 * make a code from the city's credential, parse a code, verify one offline. No server code and no
 * Node-only module: it runs wherever `crypto.getRandomValues` exists.
 */
export { createDeviceKey, makeCode, type DeviceKey, type MakeCodeOptions } from './device.ts';
export { verifyCode, trustFrom, CODE_LIFETIME_SECONDS, CLOCK_SKEW_SECONDS, type Verdict, type RefusalCode, type PublishedKey, type PublishedKeys, type Trust, type VerifyOptions } from './verify.ts';
export {
  parseCode, parseCredential, credentialBody, credentialText, deviceIdOf, purposeBits, purposesOf, PURPOSES, HANDLE_BYTES, CODE_BYTES,
  type Purpose, type ParsedCode, type CredentialFields,
} from './format.ts';
export { generateKeys, sign, verify, prepareKey, compressPublicKey, isPublicKey, hexToBytes, bytesToHex, SM2_USER_ID, type Sm2Keys, type PreparedKey } from './sm2.ts';
export { toBase32, fromBase32 } from './base32.ts';
