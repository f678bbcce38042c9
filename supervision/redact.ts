/**
 * Redaction of mutation arguments before they are stored. The full arguments are only hashed
 * (`argsDigest`), so an auditor holding them can prove what was sent, while the log itself shows
 * personal data masked.
 */
import { maskIdentifier } from './pseudonym.ts';

/** Argument keys treated as personal data when the caller names none; matched case-insensitively. */
export const DEFAULT_SENSITIVE_KEYS: readonly string[] = [
  'id', 'idNumber', 'residentId', 'citizenId', 'subjectId', 'uscc', 'name', 'phone', 'mobile',
  'email', 'address', 'birthDate', 'bankAccount',
];

/** Resident ID numbers (18 characters) and mainland mobile numbers inside free text. */
const RESIDENT_ID = /(?<![0-9A-Za-z])(\d{4})\d{10}(\d{3}[\dXx])(?![0-9A-Za-z])/g;
const MOBILE = /(?<!\d)(1[3-9]\d)\d{4}(\d{4})(?!\d)/g;

/**
 * Returns a copy of `args` where the value of every key in `sensitiveKeys` (at any depth) is masked
 * (strings) or replaced by `"[REDACTED]"` (other values), and resident IDs or mobile numbers in any
 * other string are masked as well, so a key the caller forgot still cannot leak one.
 */
export function redactArgs(args: unknown, sensitiveKeys: readonly string[] = DEFAULT_SENSITIVE_KEYS): unknown {
  const keys = new Set(sensitiveKeys.map((k) => k.toLowerCase()));
  return walk(args, keys, false, 0);
}

function walk(value: unknown, keys: Set<string>, sensitive: boolean, depth: number): unknown {
  if (value === null || value === undefined) return value;
  if (typeof value === 'string') {
    return sensitive ? maskIdentifier(value) : value.replace(RESIDENT_ID, '$1**********$2').replace(MOBILE, '$1****$2');
  }
  if (Array.isArray(value)) return value.map((v) => walk(v, keys, sensitive, depth + 1));
  if (typeof value === 'object' && depth < 64) {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value as Record<string, unknown>)) {
      out[k] = walk(v, keys, sensitive || keys.has(k.toLowerCase()), depth + 1);
    }
    return out;
  }
  return sensitive ? '[REDACTED]' : value;
}
