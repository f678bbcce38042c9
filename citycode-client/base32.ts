/**
 * RFC 4648 base32 without padding, upper case: every character is in a QR code's alphanumeric set, so
 * a 187-byte code is 300 characters in alphanumeric mode. Decoding is strict: lower case, padding or
 * non-zero trailing bits are refused, so one text has exactly one byte string (no silent variants).
 */
const ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567';
const VALUE = new Map([...ALPHABET].map((c, i) => [c, i]));

/** Encodes bytes as unpadded upper-case base32. */
export function toBase32(bytes: Uint8Array): string {
  let out = '';
  let acc = 0;
  let bits = 0;
  for (const b of bytes) {
    acc = (acc << 8) | b;
    bits += 8;
    while (bits >= 5) {
      out += ALPHABET[(acc >>> (bits - 5)) & 31];
      bits -= 5;
    }
    acc &= (1 << bits) - 1;
  }
  if (bits > 0) out += ALPHABET[(acc << (5 - bits)) & 31];
  return out;
}

/** Decodes strict unpadded base32; null when the text is not the canonical encoding of some bytes. */
export function fromBase32(text: string): Uint8Array | null {
  const out = new Uint8Array(Math.floor((text.length * 5) / 8));
  let acc = 0;
  let bits = 0;
  let n = 0;
  for (const c of text) {
    const v = VALUE.get(c);
    if (v === undefined) return null;
    acc = ((acc << 5) | v) & 0xffff;
    bits += 5;
    if (bits >= 8) {
      out[n++] = (acc >>> (bits - 8)) & 0xff;
      bits -= 8;
    }
  }
  // Leftover bits must be zero and fewer than 5 (a whole extra character would carry no byte).
  if (bits >= 5 || (acc & ((1 << bits) - 1)) !== 0) return null;
  return out;
}
