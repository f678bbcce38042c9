/** Person names as callers type them, made comparable with names as the registry holds them. */
import { badInput } from '../../core/errors.ts';

/** Longest name accepted, in characters (the registry's own limit for 姓名). */
export const MAX_NAME_LENGTH = 64;

// Minority and foreign names are written with a separating dot, typed in many look-alike forms.
const NAME_DOTS = /[.\u00B7\u2022\u2027\u30FB\uFF0E\uFF65]/g;

/** Trims and checks a name argument (1–64 characters, no control characters); throws BAD_USER_INPUT. */
export function validatePersonName(name: string): string {
  const clean = typeof name === 'string' ? name.trim() : '';
  const length = [...clean].length;
  if (length < 1 || length > MAX_NAME_LENGTH) {
    throw badInput(`A name must be 1 to ${MAX_NAME_LENGTH} characters after trimming; ${length} were given.`, 'nameLength', { max: MAX_NAME_LENGTH });
  }
  if (/\p{Cc}/u.test(clean)) throw badInput('A name may not contain control characters.', 'nameCharset');
  return clean;
}

/** The form names are compared in: NFKC (full-width → half-width), one spacing, one kind of dot, upper case. */
export function comparableName(name: string): string {
  return name.normalize('NFKC').replace(NAME_DOTS, '·').replace(/\s+/g, ' ').replace(/\s*·\s*/g, '·').trim().toUpperCase();
}

/** True when two names are the same name once written the same way. */
export function sameName(a: string, b: string): boolean {
  return comparableName(a) === comparableName(b);
}
