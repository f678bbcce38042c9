/**
 * The record of a document use (用证记录) as the supervision log keeps it: the contract the alarm
 * engine reads (see index.ts). Strings only, so any reader can match records without importing more.
 */
import { ErrorCode } from '../../core/errors.ts';

/** The chain, field and power item of every use of a document, by staff or automatic. */
export const DOCUMENT_USE = {
  /** Department chain of the supervision log. */
  department: 'documents',
  /** Field of every use, `useDocument` by staff and the platform's automatic fetch on filing alike. */
  field: 'Mutation.useDocument',
  /** 行权事项 code of 用证 (invented, in the shape of the others: GA-BG-0103, ZW-SQ-01). */
  powerItem: 'ZZ-YZ-01',
} as const;

/** Every errorCode an ERROR outcome of a use can carry. */
export const DOCUMENT_USE_ERRORS = [
  ErrorCode.DOCUMENT_EXPIRED,
  ErrorCode.DOCUMENT_REVOKED,
  ErrorCode.DOCUMENT_TAMPERED,
  ErrorCode.DOCUMENT_NOT_HOLDER,
  ErrorCode.DOCUMENT_UNKNOWN,
  ErrorCode.DOCUMENT_WRONG_TYPE,
  ErrorCode.LICENCE_LIBRARY_UNAVAILABLE,
] as const;

/** The failures of a use that make the document a material risk (要件虚假/无效), as opposed to an unreachable library. */
export const DOCUMENT_RISK_ERRORS = [
  ErrorCode.DOCUMENT_EXPIRED,
  ErrorCode.DOCUMENT_REVOKED,
  ErrorCode.DOCUMENT_TAMPERED,
  ErrorCode.DOCUMENT_NOT_HOLDER,
] as const;

/** The `args` of a use's intent record, beside redaction (none of these is personal data). */
export interface DocumentUseArgs {
  /** 电子证照标识, e.g. `DZZZ-SFZ-0001`. */
  documentId: string;
  /** Case number, as `caseNumber` of the record. */
  caseNumber: string;
  /** 用证事由. */
  purpose: string;
  /** The certificate type (the graph's enum, e.g. `HOUSEHOLD_REGISTER`); null when the library could not name it. */
  certificateType: string | null;
  /** Matter code of the case; null when the case could not be read. */
  matterCode: string | null;
  /** `STAFF` for useDocument, `PLATFORM` for the automatic fetch on filing. */
  by: 'STAFF' | 'PLATFORM';
}
