/**
 * The issuers' SM2 signing keys. DEVELOPMENT ONLY and never committed: derived from a development
 * secret generated at first use in `<dataDir>/keys/dev-licence-issuer-<code>.secret` (core/dev-keys.ts),
 * so a stand-in restarted on the same data folder signs with the same keys; without a data folder, fresh
 * random keys for the life of the process. The library publishes the public keys (`jg/keys`).
 */
import { createHash } from 'node:crypto';
import { sm2 } from 'sm-crypto-v2';
import { ensureDevSecret } from '../../../core/dev-keys.ts';

/** An issuer's key pair in hex: private scalar and uncompressed public point. */
export interface IssuerKey {
  privateKey: string;
  publicKey: string;
}

/** Order n of the SM2 base point. */
const N = 0xfffffffeffffffffffffffffffffffff7203df6b21c6052b53bbf40939d54123n;

/** The key of issuer `code`: from the data folder's development secret, or random. */
export function issuerKey(code: string, dataDir: string | undefined): IssuerKey {
  if (!dataDir) {
    const pair = sm2.generateKeyPairHex();
    return { privateKey: pair.privateKey, publicKey: pair.publicKey };
  }
  const secret = ensureDevSecret(dataDir, `licence-issuer-${code.toLowerCase()}`);
  // A scalar in [1, n-1] from the secret's SM3 digest (256 bits; the bias mod n-1 is below 2^-127).
  const d = (BigInt(`0x${createHash('sm3').update(secret).digest('hex')}`) % (N - 1n)) + 1n;
  const privateKey = d.toString(16).padStart(64, '0');
  return { privateKey, publicKey: sm2.getPublicKeyFromPrivateKey(privateKey) };
}
