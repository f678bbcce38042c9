/** Per-request DataLoaders of the medical insurance subgraph. */
import DataLoader from 'dataloader';
import type { InsuranceRecord, MedicalInsuranceAdapter } from '../../adapters/medicalInsurance/index.ts';

/** The department's dependencies: its adapter. */
export interface MedicalInsuranceDeps {
  platform: MedicalInsuranceAdapter;
}

/** This request's loaders. */
export interface MedicalInsuranceLoaders {
  insurance: DataLoader<string, InsuranceRecord | null>;
}

/** Creates the loaders of one request; the adapter fans out one call per person under its limit. */
export function createLoaders(deps: MedicalInsuranceDeps, request: { requestId: string }): MedicalInsuranceLoaders {
  return {
    insurance: new DataLoader((ids) => deps.platform.loadInsurance(ids, request)),
  };
}
