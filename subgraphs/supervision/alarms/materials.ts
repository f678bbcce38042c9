/** Which catalogue material (申请材料 code) a document use was for, from its intent record's arguments. */
import type { SupervisionRecord } from '../../../supervision/index.ts';

/** The certificate types of the licence library by the hall's material codes they satisfy. */
const MATERIAL_OF_CERTIFICATE: Readonly<Record<string, string>> = {
  ID_CARD: 'SFZ',
  HOUSEHOLD_REGISTER: 'HKB',
  MARRIAGE_CERTIFICATE: 'HYZM',
  BUSINESS_LICENCE: 'YYZZ',
  BIRTH_MEDICAL_CERTIFICATE: 'CSYXZM',
  MEDICAL_INSURANCE_CERTIFICATE: 'CBPZ',
  DISABILITY_CERTIFICATE: 'CJRZ',
  REAL_ESTATE_CERTIFICATE: 'CQZM',
};

/** The material code of a `useDocument` intent (an explicit `material` argument wins), or null. */
export function materialOfUse(intent: SupervisionRecord): string | null {
  const args = (intent.args ?? {}) as Record<string, unknown>;
  if (typeof args.material === 'string') return args.material;
  const type = typeof args.certificateType === 'string' ? args.certificateType : null;
  return type ? (MATERIAL_OF_CERTIFICATE[type] ?? type) : null;
}
