/**
 * Pseudonyms for people and enterprises in the log: a keyed HMAC for exact lookup plus a masked
 * display. The plain identifier never reaches the store, and without the key the HMAC cannot be
 * reversed by hashing all 10^17 possible ID numbers.
 */
import { hmacHex, type HashAlgorithm } from './hashing.ts';

/** An identifier as the log keeps it. */
export interface Pseudonym {
  /** Hex HMAC of the normalised identifier under the store's subject key. */
  hmac: string;
  /** Display form with the middle hidden, e.g. `2101**********2318`. */
  masked: string;
}

/** Trims and upper-cases an identifier so `21010...x` and `21010...X` look up the same record. */
export function normaliseIdentifier(id: string): string {
  return id.trim().toUpperCase();
}

/**
 * Masks the middle of an identifier: an 18-character ID keeps 4 + 4, an 11-digit phone 3 + 4,
 * short values keep less, and values of 3 characters or fewer are hidden entirely.
 */
export function maskIdentifier(value: string): string {
  const chars = [...value];
  const n = chars.length;
  const head = n >= 15 ? 4 : n >= 8 ? 3 : n >= 4 ? 1 : 0;
  const tail = n >= 8 ? 4 : n >= 4 ? 1 : 0;
  return chars.slice(0, head).join('') + '*'.repeat(n - head - tail) + chars.slice(n - tail).join('');
}

/** Builds the pseudonym of a plain identifier. */
export function pseudonymOf(id: string, key: string, algorithm: HashAlgorithm): Pseudonym {
  const normal = normaliseIdentifier(id);
  return { hmac: hmacHex(algorithm, key, normal), masked: maskIdentifier(normal) };
}
