/** Per-request DataLoaders and dependencies of the services subgraph. */
import DataLoader from 'dataloader';
import type { LicenceLibraryAdapter } from '../../adapters/licenceLibrary/index.ts';
import type { BirthRegistration } from '../../adapters/population/births.ts';
import type { HouseholdsOf } from '../../adapters/population/households.ts';
import type { createBusinessLicences } from '../../adapters/marketRegulation/licences.ts';
import type { ResidentEnrolment } from '../../adapters/medicalInsurance/enrolment.ts';
import type { CaseRecord, MatterRecord, ServiceHallAdapter } from '../../adapters/serviceHall/index.ts';
import type { Clock } from '../../core/clock.ts';
import type { SupervisionStore } from '../../supervision/index.ts';
import type { HousingFundFamilyRecords } from './bundle/housing-fund.ts';

/** The department's dependencies. */
export interface ServicesDeps {
  /** The service hall (办件 exchange). */
  hall: ServiceHallAdapter;
  /** The population registry's birth operations (newborn bundle). */
  births: BirthRegistration;
  /** The medical insurance platform's enrolment transactions (newborn bundle). */
  enrolment: ResidentEnrolment;
  /** The housing fund's family records; undefined until wired (see bundle/housing-fund.ts). */
  housingFund?: HousingFundFamilyRecords;
  /** "Now", for deadlines; settable by CITYGRAPH_CLOCK. */
  clock: Clock;
  /** The supervision store, for the bundle's parts and the automatic document uses (the kit records the mutations themselves). */
  supervision?: SupervisionStore;
  /** The electronic licence library: the certificates an application refers to, checked on filing and before approval. */
  library?: LicenceLibraryAdapter;
  /** The population registry as issuer of the household register, for zero-material filing. */
  households?: { householdsOf: HouseholdsOf };
  /** The enterprise registry as issuer of business licences, for zero-material filing; undefined when not configured. */
  businessLicences?: ReturnType<typeof createBusinessLicences>;
}

/** This request's loaders. */
export interface ServicesLoaders {
  /** Cases by number, batched (the hall takes 50 a call). */
  application: DataLoader<string, CaseRecord | null>;
  /** Cases of one applicant (resident ID or USCC). */
  applicationsOf: DataLoader<string, CaseRecord[]>;
  /** The catalogue, read once per request. */
  matters(): Promise<MatterRecord[]>;
  deps: ServicesDeps;
}

/** Creates the loaders of one request. */
export function createLoaders(deps: ServicesDeps, request: { requestId: string }): ServicesLoaders {
  let matters: Promise<MatterRecord[]> | undefined;
  return {
    application: new DataLoader((numbers) => deps.hall.loadCases(numbers, request)),
    applicationsOf: new DataLoader(async (ids) => Promise.all(ids.map((id) => deps.hall.casesOf(id, request).catch((e: Error) => e)))),
    matters: () => (matters ??= deps.hall.listMatters(null, request)),
    deps,
  };
}
