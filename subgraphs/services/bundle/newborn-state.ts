/** What the newborn bundle's parts share. */

/** The newborn's data as the applicant gave it (validated). */
export interface NewbornInput {
  childName: string;
  childGender: 'MALE' | 'FEMALE';
  birthDate: string;
  birthCertificate: string;
  otherParentId: string | null;
  enrolInsurance: boolean;
}

/** What the parts share while the bundle runs. */
export interface NewbornState {
  parentId: string;
  input: NewbornInput;
  ctx: { requestId: string; idempotencyKey: string };
  childId?: string;
  insurancePersonNumber?: string;
  familyRecordId?: string;
}
