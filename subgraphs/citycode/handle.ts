/**
 * The citizen's pseudonymous handle in a credential: 10 bytes from which only the city recovers the
 * resident ID. The 17 digits before the check digit (< 2^57) and 23 random bits make an 80-bit block,
 * enciphered by a keyed 10-round Feistel network (HMAC-SM3 as round function), so two credentials of
 * one citizen carry unrelated handles and a gate learns nobody's ID. Integrity comes from the city's
 * signature over the credential, not from here.
 */
import { createHmac, randomBytes } from 'node:crypto';
import { residentIdCheckDigit } from '../../core/resident-id.ts';

const ROUNDS = 10;
const HALF = 40n;
const MASK = (1n << HALF) - 1n;
const RANDOM_BITS = 23n;
const LIMIT = 10n ** 17n;

/** Enciphers and deciphers handles under one key. */
export interface HandleCodec {
  /** A fresh handle (20 upper-case hex digits) for a resident ID. */
  seal(residentId: string): string;
  /** The resident ID behind a handle, or null when the handle was not made under this key. */
  open(handle: string): string | null;
}

/** Creates a codec; the key must be at least 32 characters. */
export function createHandleCodec(key: string): HandleCodec {
  if (typeof key !== 'string' || key.length < 32) throw new TypeError('The city code handle key must be at least 32 characters.');
  const f = (round: number, half: bigint) => {
    const h = createHmac('sm3', key).update(Buffer.from([round])).update(Buffer.from(half.toString(16).padStart(10, '0'), 'hex')).digest();
    return BigInt(`0x${h.subarray(0, 5).toString('hex')}`);
  };
  return {
    seal(residentId) {
      if (!/^\d{17}[\dX]$/.test(residentId)) throw new TypeError('seal() needs a normalised resident ID.');
      const random = BigInt(`0x${randomBytes(3).toString('hex')}`) & ((1n << RANDOM_BITS) - 1n);
      const x = (BigInt(residentId.slice(0, 17)) << RANDOM_BITS) | random;
      let l = x >> HALF;
      let r = x & MASK;
      for (let i = 0; i < ROUNDS; i++) [l, r] = [r, l ^ f(i, r)];
      return ((l << HALF) | r).toString(16).padStart(20, '0').toUpperCase();
    },
    open(handle) {
      if (!/^[0-9A-F]{20}$/.test(handle)) return null;
      const y = BigInt(`0x${handle}`);
      let l = y >> HALF;
      let r = y & MASK;
      for (let i = ROUNDS - 1; i >= 0; i--) [l, r] = [r ^ f(i, l), l];
      const n = ((l << HALF) | r) >> RANDOM_BITS;
      if (n >= LIMIT) return null;
      const first17 = n.toString().padStart(17, '0');
      return first17 + residentIdCheckDigit(first17);
    },
  };
}
