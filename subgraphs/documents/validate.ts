/** Argument checks of the documents subgraph, run by the kit before the rules and resolvers. */
import { badInput } from '../../core/errors.ts';

const CASE_NUMBER = /^\d{16}$/;
const DOCUMENT_ID = /^[A-Za-z0-9_.:-]{1,64}$/;

/** A case number (申办流水号): 16 digits. */
export function validateCaseNumber(n: unknown): string {
  const clean = String(n ?? '').trim();
  if (!CASE_NUMBER.test(clean)) throw badInput('A case number (申办流水号) is 16 digits, e.g. 2101002610090001.', 'caseNumber');
  return clean;
}

/** A document identifier (电子证照标识). */
export function validateDocumentId(id: unknown): string {
  const clean = String(id ?? '').trim();
  if (!DOCUMENT_ID.test(clean)) throw badInput('A document identifier (电子证照标识) is 1–64 letters, digits or - _ . :, e.g. DZZZ-SFZ-0001.', 'documentId');
  return clean;
}

/** 用证事由: 1–200 characters without control characters. */
export function validatePurpose(p: unknown): string {
  const clean = typeof p === 'string' ? p.trim() : '';
  if (clean === '' || [...clean].length > 200 || /\p{Cc}/u.test(clean)) throw badInput('purpose (用证事由) must be 1–200 characters without control characters.', 'purpose');
  return clean;
}

/** Page size of `documentUses`: 1–100, default 50. */
export function validateFirst(first: unknown): number {
  if (first === undefined || first === null) return 50;
  if (typeof first !== 'number' || !Number.isInteger(first) || first < 1 || first > 100) throw badInput('first must be 1 to 100.', 'first');
  return first;
}
