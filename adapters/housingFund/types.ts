/** The adapter's public vocabulary: the graph's words for a citizen's housing provident fund. */

/** Account status (GRZHZT), as the graph's `HousingFundAccountStatus`. */
export type AccountStatus = 'ACTIVE' | 'SEALED' | 'CLOSED_MERGED' | 'CLOSED_TRANSFERRED' | 'CLOSED_WITHDRAWN' | 'FROZEN' | 'OTHER';

/** Withdrawal reason (TQYY), as the graph's `WithdrawalReason`. */
export type WithdrawalReason =
  | 'HOME_PURCHASE' | 'BUILD_OR_RENOVATE' | 'RETIREMENT' | 'INCAPACITY' | 'EMIGRATION'
  | 'MORTGAGE_REPAYMENT' | 'RENT' | 'DEATH' | 'SERIOUS_ILLNESS' | 'OTHER';

/** Business status of a withdrawal request (YWZT), as the graph's `WithdrawalStatus`. */
export type WithdrawalStatus = 'NEW' | 'PENDING_REVIEW' | 'PENDING_PAYMENT' | 'PAID' | 'REJECTED' | 'FAILED';

/** One withdrawal request, shaped like the graph's `HousingFundWithdrawal`. */
export interface WithdrawalRecord {
  requestNo: string;
  reason: WithdrawalReason;
  /** Exact yuan, two decimals. */
  amount: string;
  status: WithdrawalStatus;
  /** ISO 8601 instant (the fund writes China time; converted here). */
  submittedAt: string;
  /** The reviewer's note, once reviewed; null before. */
  reviewNote: string | null;
  /** Resident ID of the account holder: the subject that access rules compare with. */
  citizenId: string;
}

/** A citizen's fund account, shaped like the graph's `HousingFundAccount`. */
export interface HousingFundAccount {
  accountNo: string;
  /** Resident ID of the holder. */
  citizenId: string;
  balance: string;
  carriedOver: string;
  depositedThisYear: string;
  depositBase: string;
  /** Rates as decimal fractions, e.g. `0.12` for 12 %. */
  personalRate: string;
  employerRate: string;
  /** `YYYY-MM`: the last month paid in. */
  paidUpTo: string;
  status: AccountStatus;
  /** `YYYY-MM-DD`. */
  openedOn: string;
  /** Newest first. */
  withdrawals: WithdrawalRecord[];
}

/** A withdrawal application, in the graph's words; validated at the edge before it arrives here. */
export interface WithdrawalApplication {
  citizenId: string;
  reason: WithdrawalReason;
  /** Exact yuan, two decimals, more than zero. */
  amount: string;
  bankAccount: string;
  bankAccountName: string;
  bankName: string;
  /** Number of the supporting document (contract, certificate); required for every reason but retirement. */
  documentNo: string | null;
  /** The client's idempotency key: one key, one request, however often or concurrently it is sent. */
  idempotencyKey: string;
}

/** A staff review of a request. */
export interface WithdrawalReview {
  requestNo: string;
  approve: boolean;
  note: string | null;
  /** The reviewer's account (the principal's sub). */
  reviewer: string;
}

/** What the caller passes with every call, for the fund's exchange log and ours. */
export interface LoadContext {
  requestId: string;
}

/** The housing fund adapter. */
export interface HousingFundAdapter {
  /** One slot per key: the account, null when the person has none, or a CityGraphError for that key. */
  loadAccounts(ids: readonly string[], ctx: LoadContext): Promise<Array<HousingFundAccount | null | Error>>;
  /** Inserts a request for review (status PENDING_REVIEW); the same key returns the same request. Never retried. */
  applyWithdrawal(application: WithdrawalApplication, ctx: LoadContext): Promise<WithdrawalRecord>;
  /** Moves a PENDING_REVIEW request to PENDING_PAYMENT (approved) or REJECTED. Never retried. */
  reviewWithdrawal(review: WithdrawalReview, ctx: LoadContext): Promise<WithdrawalRecord>;
  close(): Promise<void>;
}
