/**
 * Money as the graph wants it: decimal text with exactly two places. Works on the number's original
 * text (from lossless-json), so no amount ever passes through a binary float.
 */

const DECIMAL = /^(-?)(0|[1-9]\d*)(?:\.(\d{1,2}))?$/;

/**
 * `1523.4` → `"1523.40"`, `12` → `"12.00"`; null when the text is not a plain decimal with at most
 * two places (an exponent or a third decimal means the platform sent something we cannot show exactly).
 */
export function toDecimal2(text: string): string | null {
  const m = DECIMAL.exec(text);
  if (!m) return null;
  const [, sign, whole, fraction = ''] = m;
  const cents = fraction.padEnd(2, '0');
  // "-0.00" is zero; showing a minus on it would only confuse.
  const negative = sign === '-' && (whole !== '0' || cents !== '00');
  return `${negative ? '-' : ''}${whole}.${cents}`;
}
