/** Parsing of the licence library settings that are more than a string (read by the entry points that use the adapter). */

/** `LICENCE_LIBRARY_ISSUER_KEYS`: JSON object of issuer code → SM2 public key hex, or unset. Throws at start-up when malformed. */
export function issuerKeysSetting(value: string | undefined): Record<string, string> | undefined {
  if (value === undefined || value.trim() === '') return undefined;
  let parsed: unknown;
  try {
    parsed = JSON.parse(value);
  } catch {
    throw new TypeError('LICENCE_LIBRARY_ISSUER_KEYS must be a JSON object of issuer code → SM2 public key, e.g. {"SYGAJ":"04…"}.');
  }
  if (!parsed || typeof parsed !== 'object' || Array.isArray(parsed) || !Object.values(parsed).every((v) => typeof v === 'string')) {
    throw new TypeError('LICENCE_LIBRARY_ISSUER_KEYS must be a JSON object of issuer code → SM2 public key, e.g. {"SYGAJ":"04…"}.');
  }
  return parsed as Record<string, string>;
}
