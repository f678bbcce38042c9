/** The adapter's public vocabulary: the graph's words for an enterprise in the registry. */

/** 登记状态, as the graph's `EnterpriseStatus`. */
export type EnterpriseStatus = 'ACTIVE' | 'REVOKED' | 'REVOKED_DEREGISTERED' | 'DEREGISTERED' | 'CANCELLED' | 'MOVED_OUT' | 'OTHER';

/** One enterprise, shaped like the graph's `Enterprise`. */
export interface EnterpriseRecord {
  uscc: string;
  name: string;
  legalRepresentative: {
    name: string;
    /** The representative's resident ID when the registry holds a mainland ID number; null otherwise. */
    citizenId: string | null;
  };
  /** 万元 as exact decimal text without trailing zeros, e.g. `"500"`, `"3.5"`. */
  registeredCapital: string;
  establishedOn: string;
  approvedOn: string | null;
  registrationAuthority: string;
  type: string;
  status: EnterpriseStatus;
  address: string;
  businessScope: string;
  operatingPeriod: { from: string | null; to: string | null };
}

/** What the caller passes with every batch. */
export interface LoadContext {
  requestId: string;
}

/** The enterprise registry adapter: batch functions with DataLoader's contract. */
export interface MarketRegulationAdapter {
  /** One slot per USCC: the record, null when the registry has none, or an Error for that key. */
  loadEnterprises(usccs: readonly string[], ctx: LoadContext): Promise<Array<EnterpriseRecord | null | Error>>;
  /** One slot per resident ID: the enterprises that person represents (possibly none), or an Error. */
  loadRepresented(citizenIds: readonly string[], ctx: LoadContext): Promise<Array<EnterpriseRecord[] | Error>>;
}
