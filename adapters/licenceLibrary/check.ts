/**
 * A use of a certificate for a case (用证), judged: fetched from the library for that use (which the
 * library logs), then its holder, its type and its seal checked. One function for staff's
 * `useDocument` and the platform's automatic fetch on filing, so both judge alike. Every refusal is a
 * coded CityGraphError: DOCUMENT_UNKNOWN, DOCUMENT_NOT_HOLDER, DOCUMENT_WRONG_TYPE, DOCUMENT_TAMPERED,
 * DOCUMENT_REVOKED, DOCUMENT_EXPIRED or LICENCE_LIBRARY_UNAVAILABLE.
 */
import { CityGraphError, ErrorCode } from '../../core/errors.ts';
import { DEPARTMENT } from './faults.ts';
import type { CertificateRecord, CertificateType, CertificateUse, LibraryCallContext, LicenceLibraryAdapter } from './types.ts';

/** What a use is for and what it must find. */
export interface UseCheck {
  /** 电子证照标识 of the certificate. */
  documentId: string;
  /** The case's applicant (resident ID or USCC): the certificate must be theirs. */
  applicantId: string;
  /** The types the case's matter asks for; null to accept any. */
  acceptedTypes: readonly CertificateType[] | null;
  /** The use, as the library logs it. */
  use: CertificateUse;
  /** The day of the use, `YYYY-MM-DD` on the city's clock. */
  today: string;
}

const MESSAGES: Record<'DOCUMENT_EXPIRED' | 'DOCUMENT_REVOKED' | 'DOCUMENT_TAMPERED', string> = {
  DOCUMENT_EXPIRED: 'is outside its validity dates',
  DOCUMENT_REVOKED: 'was revoked by its issuer',
  DOCUMENT_TAMPERED: 'does not match what its issuer sealed (content hash or SM2 signature)',
};

/** Uses and checks a certificate; resolves to it when every check passes, else throws the coded refusal. */
export async function checkForUse(library: LicenceLibraryAdapter, check: UseCheck, ctx: LibraryCallContext): Promise<CertificateRecord> {
  const c = await library.useCertificate(check.documentId, check.use, ctx);
  const details = { documentId: check.documentId };
  if (!c) throw new CityGraphError(ErrorCode.DOCUMENT_UNKNOWN, `The electronic licence library holds no document ${check.documentId}.`, { department: DEPARTMENT, details });
  if (c.holder.id.toUpperCase() !== check.applicantId.toUpperCase()) {
    throw new CityGraphError(ErrorCode.DOCUMENT_NOT_HOLDER, `Document ${c.id} is not the applicant's: it cannot be used for case ${check.use.caseNumber}.`, { department: DEPARTMENT, details });
  }
  if (check.acceptedTypes && !check.acceptedTypes.includes(c.type)) {
    throw new CityGraphError(ErrorCode.DOCUMENT_WRONG_TYPE, `Document ${c.id} is a ${c.typeName} (${c.type}); matter ${check.use.matterCode} asks for ${check.acceptedTypes.join(', ') || 'no certificate'}.`, {
      department: DEPARTMENT,
      details: { ...details, type: c.type },
    });
  }
  const verdict = await library.verify(c, check.today, ctx);
  if (!verdict.ok) {
    throw new CityGraphError(ErrorCode[verdict.code], `Document ${c.id} (${c.typeName}) ${MESSAGES[verdict.code]}.`, { department: DEPARTMENT, details: { ...details, reason: verdict.reason } });
  }
  return c;
}
