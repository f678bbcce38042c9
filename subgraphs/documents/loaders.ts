/** Per-request DataLoaders and dependencies of the documents subgraph. */
import DataLoader from 'dataloader';
import type { CertificateRecord, LicenceLibraryAdapter } from '../../adapters/licenceLibrary/index.ts';
import type { CaseRecord, MatterRecord, ServiceHallAdapter } from '../../adapters/serviceHall/index.ts';
import type { Clock } from '../../core/clock.ts';
import type { SupervisionStore } from '../../supervision/index.ts';

/** The department's dependencies. */
export interface DocumentsDeps {
  /** The electronic licence library. */
  library: LicenceLibraryAdapter;
  /** The service hall: the case a document is used for, and its matter's materials. */
  hall: ServiceHallAdapter;
  /** "Now", for validity dates; settable by CITYGRAPH_CLOCK. */
  clock: Clock;
  /** The supervision store: uses are recorded there by the kit, and read back for `documentUses`. */
  supervision?: SupervisionStore;
}

/** This request's loaders. */
export interface DocumentsLoaders {
  /** Certificates by identifier (the library takes 50 a call). */
  certificate: DataLoader<string, CertificateRecord | null>;
  /** Certificates of a holder (resident ID or USCC). */
  certificatesOf: DataLoader<string, CertificateRecord[]>;
  /** Cases by number. */
  application: DataLoader<string, CaseRecord | null>;
  /** The hall's catalogue, read once per request. */
  matters(): Promise<MatterRecord[]>;
  deps: DocumentsDeps;
}

/** Creates the loaders of one request. */
export function createLoaders(deps: DocumentsDeps, request: { requestId: string }): DocumentsLoaders {
  let matters: Promise<MatterRecord[]> | undefined;
  return {
    certificate: new DataLoader((ids) => deps.library.loadCertificates(ids, request)),
    certificatesOf: new DataLoader((ids) => deps.library.certificatesOf(ids, request)),
    application: new DataLoader((numbers) => deps.hall.loadCases(numbers, request)),
    matters: () => (matters ??= deps.hall.listMatters(null, request)),
    deps,
  };
}
