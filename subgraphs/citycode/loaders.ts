/** Dependencies and per-request loaders of the city code subgraph. */
import DataLoader from 'dataloader';
import type { MedicalInsuranceAdapter, InsuranceRecord } from '../../adapters/medicalInsurance/index.ts';
import type { ParkingAdapter, SessionRecord, VehicleRecord } from '../../adapters/parking/index.ts';
import type { CitizenRecord, PopulationAdapter } from '../../adapters/population/index.ts';
import type { SupervisionStore } from '../../supervision/index.ts';
import type { HandleCodec } from './handle.ts';
import type { KeyRing } from './keys.ts';

/** What the department needs: its keys, the store it keeps its uses in, and the departments it discloses from. */
export interface CityCodeDeps {
  keys: KeyRing;
  handles: HandleCodec;
  store: SupervisionStore;
  /** Hours a credential lasts. */
  credentialHours: number;
  population: PopulationAdapter;
  medicalInsurance: MedicalInsuranceAdapter;
  parking: ParkingAdapter;
  /** Clock in ms; default `Date.now` (tests set it). */
  now?: () => number;
}

/** This request's loaders and dependencies. */
export interface CityCodeLoaders {
  deps: CityCodeDeps;
  requestId: string;
  citizen: DataLoader<string, CitizenRecord | null>;
  insurance: DataLoader<string, InsuranceRecord | null>;
  vehicles: DataLoader<string, VehicleRecord[]>;
  unpaidSessions: DataLoader<string, SessionRecord[]>;
}

/** Creates the loaders of one request (never shared: they hold one caller's answers). */
export function createLoaders(deps: CityCodeDeps, request: { requestId: string }): CityCodeLoaders {
  return {
    deps,
    requestId: request.requestId,
    citizen: new DataLoader((ids) => deps.population.loadCitizens(ids, request)),
    insurance: new DataLoader((ids) => deps.medicalInsurance.loadInsurance(ids, request)),
    vehicles: new DataLoader((ids) => deps.parking.loadVehicles(ids, request)),
    unpaidSessions: new DataLoader((ids) => deps.parking.loadUnpaidSessions(ids, request)),
  };
}
