/** The medical insurance subgraph: adds `Citizen.insurance` from the national platform, and a status check. */
import { validateResidentId } from '../../core/resident-id.ts';
import { defineSubgraph } from '../kit/index.ts';
import { createLoaders, type MedicalInsuranceDeps, type MedicalInsuranceLoaders } from './loaders.ts';
import { disclosures, permissions } from './permissions.ts';
import { Citizen } from './resolvers/Citizen.ts';
import { Query } from './resolvers/Query.ts';

export const medicalInsurance = defineSubgraph<MedicalInsuranceDeps, MedicalInsuranceLoaders>({
  name: 'medicalInsurance',
  resolvers: { Query, Citizen } as never,
  permissions,
  disclosures,
  createLoaders,
  validate: {
    Query: { insuranceStatus: (a) => ({ ...a, id: validateResidentId(a.id) }) },
  },
});
export type { MedicalInsuranceDeps } from './loaders.ts';
