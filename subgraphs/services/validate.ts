/** Argument checks of the services subgraph, run by the kit before the rules and resolvers. */
import { badInput } from '../../core/errors.ts';
import { validateResidentId } from '../../core/resident-id.ts';

const CASE_NUMBER = /^\d{16}$/;
const MATTER_CODE = /^[A-Z0-9]{2,32}$/;
const IDEMPOTENCY_KEY = /^[A-Za-z0-9._:-]{8,64}$/;
const FILE_ID = /^[A-Za-z0-9_.:-]{1,64}$/;
const USCC_CHARS = '0123456789ABCDEFGHJKLMNPQRTUWXY';
/** Most documents one application carries. */
export const MAX_DOCUMENTS = 20;

/** A case number (申办流水号): 16 digits. */
export function validateCaseNumber(n: string): string {
  const clean = String(n ?? '').trim();
  if (!CASE_NUMBER.test(clean)) throw badInput('A case number (申办流水号) is 16 digits, e.g. 2101002610090001.', 'caseNumber');
  return clean;
}

/** A matter code from the catalogue's `Matter.code`. */
export function validateMatterCode(code: string): string {
  const clean = String(code ?? '').trim().toUpperCase();
  if (!MATTER_CODE.test(clean)) throw badInput('A matter code is 2–32 capital letters and digits, e.g. GA0101 (see `matters`).', 'matterCode');
  return clean;
}

/** An idempotency key. */
export function validateIdempotencyKey(key: string): string {
  if (!IDEMPOTENCY_KEY.test(String(key ?? ''))) throw badInput('An idempotency key must be 8 to 64 letters, digits or . _ : -', 'idempotencyKey');
  return key;
}

/** A reason or note: trimmed, 1–500 characters (optional ones may be empty). */
export function validateText(value: string | null | undefined, what: string, required: boolean): string {
  const clean = typeof value === 'string' ? value.trim() : '';
  if ((required && clean === '') || [...clean].length > 500 || /\p{Cc}/u.test(clean)) {
    throw badInput(`${what} must be ${required ? '1' : '0'}–500 characters without control characters.`, what);
  }
  return clean;
}

/** A unified social credit code (GB 32100), check character included. */
export function validateUscc(code: string): string {
  const clean = String(code ?? '').trim().toUpperCase();
  if (!/^[0-9A-HJ-NPQRTUWXY]{18}$/.test(clean)) throw badInput('A unified social credit code has 18 characters from 0-9 and A-Y without I, O, S, V, Z.', 'usccFormat');
  let sum = 0;
  for (let i = 0; i < 17; i++) sum += USCC_CHARS.indexOf(clean[i]!) * (3 ** i % 31);
  if (USCC_CHARS[(31 - (sum % 31)) % 31] !== clean[17]) throw badInput('The unified social credit code\'s check character (GB 32100) does not match.', 'usccCheck');
  return clean;
}

/** A resident ID or a USCC: whichever shape it has. */
export function validateHolder(id: string): string {
  const clean = String(id ?? '').trim().toUpperCase();
  return /^\d{17}[\dX]$/.test(clean) ? validateResidentId(clean) : validateUscc(clean);
}

/** Documents of an application. */
export function validateDocuments(docs: ReadonlyArray<{ material: string; holderId: string; fileId: string }>): Array<{ material: string; holderId: string; fileId: string }> {
  if (docs.length > MAX_DOCUMENTS) throw badInput(`At most ${MAX_DOCUMENTS} documents per application.`, 'maxDocuments', { max: MAX_DOCUMENTS });
  return docs.map((d, i) => {
    const material = String(d.material ?? '').trim().toUpperCase();
    if (!/^[A-Z0-9]{2,32}$/.test(material)) throw badInput(`documents[${i}].material must be a material code of the matter, e.g. SFZ.`, 'documentMaterial');
    if (!FILE_ID.test(String(d.fileId ?? ''))) throw badInput(`documents[${i}].fileId must be 1–64 letters, digits or - _ . :`, 'fileId');
    try {
      return { material, holderId: validateHolder(d.holderId), fileId: d.fileId };
    } catch (e) {
      if (e instanceof Error) e.message = `documents[${i}].holderId: ${e.message}`;
      throw e;
    }
  });
}

/** The newborn's data. */
export function validateNewborn(input: Record<string, any>): Record<string, any> {
  const name = validateText(input.childName, 'childName', true);
  if ([...name].length > 32) throw badInput('childName must be 1–32 characters.', 'childName');
  if (input.childGender !== 'MALE' && input.childGender !== 'FEMALE') throw badInput('childGender must be MALE or FEMALE.', 'childGender');
  if (!/^[A-Z]\d{9}$/.test(String(input.birthCertificate ?? ''))) throw badInput('birthCertificate is the 出生医学证明 number: one capital letter and nine digits, e.g. Q210123456.', 'birthCertificate');
  return {
    childName: name,
    childGender: input.childGender,
    birthDate: input.birthDate,
    birthCertificate: input.birthCertificate,
    otherParentId: input.otherParentId == null ? null : validateResidentId(input.otherParentId),
    enrolInsurance: input.enrolInsurance ?? true,
  };
}
