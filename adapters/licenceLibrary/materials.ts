/**
 * Which materials (申请材料) of the service hall's catalogue are certificates of the licence library,
 * and of which type. A material not named here (an application form, a contract, a plan) is a file of
 * the file library: it is not a certificate and is not checked here.
 */
import type { CertificateType } from './types.ts';

/** Material code (`Matter.documents.code`) → the certificate type that material is. */
export const MATERIAL_CERTIFICATE_TYPES: Readonly<Record<string, CertificateType>> = {
  SFZ: 'ID_CARD',
  HKB: 'HOUSEHOLD_REGISTER',
  HYZM: 'MARRIAGE_CERTIFICATE',
  CQZM: 'REAL_ESTATE_CERTIFICATE',
  ZSZM: 'REAL_ESTATE_CERTIFICATE',
  YYZZ: 'BUSINESS_LICENCE',
  CSYXZM: 'BIRTH_MEDICAL_CERTIFICATE',
  CBPZ: 'MEDICAL_INSURANCE_CERTIFICATE',
  CJRZ: 'DISABILITY_CERTIFICATE',
};

/** The certificate type of a material, or null when the material is not a certificate. */
export function certificateTypeOf(material: string): CertificateType | null {
  return MATERIAL_CERTIFICATE_TYPES[material] ?? null;
}
