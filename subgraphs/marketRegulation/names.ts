/** Enterprise names as callers type them, made comparable with names as the registry holds them. */
import { badInput } from '../../core/errors.ts';

/** Longest name accepted (the registry's own limit for 企业名称 is 100 characters). */
export const MAX_NAME_LENGTH = 128;

/** Trims and checks a name argument; throws BAD_USER_INPUT. */
export function validateEnterpriseName(name: string): string {
  const clean = typeof name === 'string' ? name.trim() : '';
  const length = [...clean].length;
  if (length < 1 || length > MAX_NAME_LENGTH) throw badInput(`An enterprise name must be 1 to ${MAX_NAME_LENGTH} characters; ${length} were given.`, 'nameLength', { max: MAX_NAME_LENGTH });
  if (/\p{Cc}/u.test(clean)) throw badInput('An enterprise name may not contain control characters.', 'nameCharset');
  return clean;
}

/** NFKC (（） → ()), no spaces, upper case: the form names are compared in. */
export function sameEnterpriseName(a: string, b: string): boolean {
  const norm = (s: string) => s.normalize('NFKC').replace(/\s+/g, '').toUpperCase();
  return norm(a) === norm(b);
}
