/** Amounts as the fund writes them (decimal text) and as the graph shows them, in integer cents between. */

const DECIMAL = /^(0|[1-9]\d{0,13})(?:\.(\d{1,2}))?$/;

/** `"1523.4"` → 152340n; null for anything that is not a plain non-negative decimal with at most two places. */
export function toCents(text: unknown): bigint | null {
  if (typeof text !== 'string') return null;
  const m = DECIMAL.exec(text.trim());
  if (!m) return null;
  return BigInt(m[1]!) * 100n + BigInt((m[2] ?? '').padEnd(2, '0'));
}

/** 152340n → `"1523.40"`. */
export function fromCents(cents: bigint): string {
  const sign = cents < 0n ? '-' : '';
  const abs = cents < 0n ? -cents : cents;
  return `${sign}${abs / 100n}.${String(abs % 100n).padStart(2, '0')}`;
}
