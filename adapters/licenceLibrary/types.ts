/** The electronic licence library's certificates in the graph's words. */

/** Certificate types (证照类型) the graph knows; the library's own codes are in CERTIFICATE_TYPES. */
export type CertificateType =
  | 'ID_CARD'
  | 'HOUSEHOLD_REGISTER'
  | 'MARRIAGE_CERTIFICATE'
  | 'REAL_ESTATE_CERTIFICATE'
  | 'BUSINESS_LICENCE'
  | 'FOOD_BUSINESS_LICENCE'
  | 'BIRTH_MEDICAL_CERTIFICATE'
  | 'MEDICAL_INSURANCE_CERTIFICATE'
  | 'DISABILITY_CERTIFICATE';

/**
 * The library's type codes (证照类型代码) and names. The codes are invented: the national catalogue's
 * run to 20+ characters (issuing authority's code + sequence); these keep its idea, one code a type.
 */
export const CERTIFICATE_TYPES: ReadonlyArray<{ code: string; type: CertificateType; name: string }> = [
  { code: '0101', type: 'ID_CARD', name: '居民身份证' },
  { code: '0102', type: 'HOUSEHOLD_REGISTER', name: '居民户口簿' },
  { code: '0201', type: 'MARRIAGE_CERTIFICATE', name: '结婚证' },
  { code: '0301', type: 'REAL_ESTATE_CERTIFICATE', name: '不动产权证书' },
  { code: '0401', type: 'BUSINESS_LICENCE', name: '营业执照' },
  { code: '0402', type: 'FOOD_BUSINESS_LICENCE', name: '食品经营许可证' },
  { code: '0501', type: 'BIRTH_MEDICAL_CERTIFICATE', name: '出生医学证明' },
  { code: '0601', type: 'MEDICAL_INSURANCE_CERTIFICATE', name: '医疗保障参保凭证' },
  { code: '0701', type: 'DISABILITY_CERTIFICATE', name: '残疾人证' },
];

/** The library's status of a certificate; expiry is not a status but a date the adapter compares. */
export type CertificateStatus = 'ISSUED' | 'REVOKED';

/** A certificate as the adapter hands it on: every fact the checks need, and nothing of the file. */
export interface CertificateRecord {
  /** 电子证照标识, e.g. `DZZZ-SFZ-0001`. */
  id: string;
  type: CertificateType;
  /** The type's name, e.g. 居民户口簿. */
  typeName: string;
  /** 证照编号 as printed. */
  number: string;
  /** 持证主体: a citizen (resident ID) or an enterprise (USCC). */
  holder: { kind: 'citizen' | 'enterprise'; id: string };
  /** 颁证单位: its code, name, and the graph's department when it is one. */
  issuer: { code: string; name: string; department: string | null };
  /** First day of validity, `YYYY-MM-DD`. */
  validFrom: string;
  /** Last day of validity, `YYYY-MM-DD`; null for 长期 (no limit). */
  validUntil: string | null;
  /** The library's status. */
  status: CertificateStatus;
  /** SM3 of the certificate's content, hex, as stored with it. */
  contentHash: string;
  /** The issuer's SM2 signature (r‖s, hex) over the content hash. */
  signature: string;
  /** The content the hash covers, as the library sent it (canonical string), for the hash check. */
  canonicalContent: string;
}

/** Why a certificate does not check out. */
export type CertificateVerdict =
  | { ok: true }
  | { ok: false; code: 'DOCUMENT_EXPIRED' | 'DOCUMENT_REVOKED' | 'DOCUMENT_TAMPERED'; reason: string };

/** A use of a certificate (用证), as the library logs it with the call. */
export interface CertificateUse {
  /** The using department, as the graph names it (用证部门). */
  department: string;
  /** Matter code (事项编码). */
  matterCode: string;
  /** Case number (办件编号). */
  caseNumber: string;
  /** 用证事由. */
  purpose: string;
}

/** Per-request context. */
export interface LibraryCallContext {
  /** The GraphQL request id, sent as `x-request-id`. */
  requestId: string;
}

/** What the adapter offers. */
export interface LicenceLibraryAdapter {
  /** Certificates by identifier: one slot per key, `null` when the library holds none. */
  loadCertificates(ids: readonly string[], ctx: LibraryCallContext): Promise<Array<CertificateRecord | null | Error>>;
  /** Certificates held by each resident ID or USCC: one slot per key (an empty list when none). */
  certificatesOf(holderIds: readonly string[], ctx: LibraryCallContext): Promise<Array<CertificateRecord[] | Error>>;
  /**
   * Fetches a certificate for a use (用证) the library logs with the department, matter, case and
   * purpose; `null` when the library holds no such certificate. Never retried (a retry is a second use).
   */
  useCertificate(id: string, use: CertificateUse, ctx: LibraryCallContext): Promise<CertificateRecord | null>;
  /** The verdict on a certificate on day `today` (`YYYY-MM-DD`): its seal under its issuer's key, status and dates. */
  verify(certificate: CertificateRecord, today: string, ctx: LibraryCallContext): Promise<CertificateVerdict>;
}
