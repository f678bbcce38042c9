/**
 * 新生儿出生一件事: birth registration (population), resident medical insurance (medical insurance,
 * 390) and the housing-fund family record, in that order: the part its department cannot undo goes
 * last, so a failure before it never needs a hand reversal.
 */
import type { BirthRegistration } from '../../../adapters/population/births.ts';
import type { ResidentEnrolment } from '../../../adapters/medicalInsurance/enrolment.ts';
import { housingFundFamilyRecordStep, type HousingFundFamilyRecords } from './housing-fund.ts';
import type { BundleStep } from './saga.ts';
import type { NewbornState } from './newborn-state.ts';

export type { NewbornInput, NewbornState } from './newborn-state.ts';

/** The departments' operations the bundle uses. */
export interface NewbornPorts {
  births: BirthRegistration;
  enrolment: ResidentEnrolment;
  /** Wired at merge (see housing-fund.ts); undefined until then. */
  housingFund?: HousingFundFamilyRecords;
}

/** Matter code of the bundle in the hall's catalogue. */
export const NEWBORN_MATTER = 'ZW0601';

/** The parts of the newborn bundle, in order. */
export function newbornSteps(ports: NewbornPorts): BundleStep<NewbornState>[] {
  return [
    {
      name: 'population.registerBirth',
      powerItem: 'GA-DJ-0101',
      async do(s) {
        const { childId } = await ports.births.registerBirth({ parentId: s.parentId, ...s.input }, s.ctx);
        s.childId = childId;
        return 'Registered in the parent\'s household; resident ID assigned.';
      },
      async compensate(s) {
        await ports.births.revokeBirth(s.childId!, '一件事联办失败，撤销出生登记', s.ctx);
        return 'Birth registration revoked.';
      },
    },
    {
      name: 'medicalInsurance.enrolResident',
      powerItem: 'YB-CB-0201',
      async applies(s) {
        return s.input.enrolInsurance ? true : 'The applicant did not ask for medical insurance.';
      },
      async do(s) {
        const { personNumber } = await ports.enrolment.enrol({ certno: s.childId!, name: s.input.childName, gender: s.input.childGender, birthDate: s.input.birthDate }, s.ctx);
        s.insurancePersonNumber = personNumber;
        return 'Enrolled in resident medical insurance (390).';
      },
      async compensate(s) {
        await ports.enrolment.cancel(s.insurancePersonNumber!, s.childId!, '一件事联办失败，撤销参保登记', s.ctx);
        return 'Insurance enrolment cancelled.';
      },
    },
    housingFundFamilyRecordStep(ports.housingFund),
  ];
}
