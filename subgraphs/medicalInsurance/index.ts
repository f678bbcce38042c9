/** The medical insurance subgraph: adds `Citizen.insurance` from the national platform. */
import { defineSubgraph } from '../kit/index.ts';
import { createLoaders, type MedicalInsuranceDeps, type MedicalInsuranceLoaders } from './loaders.ts';
import { permissions } from './permissions.ts';
import { Citizen } from './resolvers/Citizen.ts';

export const medicalInsurance = defineSubgraph<MedicalInsuranceDeps, MedicalInsuranceLoaders>({
  name: 'medicalInsurance',
  resolvers: { Citizen } as never,
  permissions,
  createLoaders,
});
export type { MedicalInsuranceDeps } from './loaders.ts';
