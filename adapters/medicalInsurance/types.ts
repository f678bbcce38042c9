/** The adapter's public vocabulary: the graph's words for a citizen's medical insurance. */

/** Participation status, as the graph's `InsuranceStatus`. */
export type InsuranceStatus = 'ACTIVE' | 'SUSPENDED' | 'TERMINATED';

/** Kind of medical insurance, as the graph's `InsuranceType`; `OTHER` for a code the adapter does not know yet. */
export type InsuranceType =
  | 'EMPLOYEE' | 'CIVIL_SERVANT_SUBSIDY' | 'LARGE_EXPENSE_SUBSIDY' | 'RETIRED_CADRE' | 'DISABLED_SERVICEMEN'
  | 'RED_ARMY_VETERAN' | 'ENTERPRISE_SUPPLEMENTARY' | 'RURAL_COOPERATIVE' | 'RESIDENT' | 'URBAN_RESIDENT'
  | 'RESIDENT_SERIOUS_ILLNESS' | 'OTHER_SPECIAL' | 'LONG_TERM_CARE' | 'MATERNITY' | 'OTHER';

/** A citizen's current medical insurance, shaped exactly like the graph's `Insurance` type. */
export interface InsuranceRecord {
  status: InsuranceStatus;
  type: InsuranceType;
  /** The platform's three-digit `insutype` code itself, e.g. `310`; the only clue when `type` is OTHER. */
  typeCode: string;
  /** Exact yuan as decimal text with two decimals, e.g. `"1523.40"`; never a binary float. */
  balance: string;
  /** `YYYY-MM-DD`. */
  insuredSince: string;
  /** Six-digit division code of the insured place, e.g. `210199`. */
  insuredPlace: string;
}

/** What the caller passes with every batch: the request id travels to the platform as `x-request-id`. */
export interface LoadContext {
  /** The graph request's id (1–128 printable ASCII characters), so platform logs can be matched to ours. */
  requestId: string;
}

/** The medical insurance adapter: one batch function with DataLoader's contract. */
export interface MedicalInsuranceAdapter {
  /**
   * One slot per key, same order: the record, `null` when the person is not insured (or unknown to
   * the platform), or a CityGraphError for that key alone. Never rejects for a legacy failure.
   */
  loadInsurance(ids: readonly string[], ctx: LoadContext): Promise<Array<InsuranceRecord | null | Error>>;
}
