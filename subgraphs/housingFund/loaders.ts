/** Per-request DataLoaders of the housing fund subgraph. */
import DataLoader from 'dataloader';
import type { HousingFundAccount, HousingFundAdapter } from '../../adapters/housingFund/index.ts';

/** The department's dependencies: its adapter. */
export interface HousingFundDeps {
  fund: HousingFundAdapter;
}

/** This request's loaders. */
export interface HousingFundLoaders {
  account: DataLoader<string, HousingFundAccount | null>;
  /** The adapter itself, for changes (never batched, never retried). */
  fund: HousingFundAdapter;
}

/** Creates the loaders of one request; the adapter turns each batch into one `IN (…)` statement per 100 people. */
export function createLoaders(deps: HousingFundDeps, request: { requestId: string }): HousingFundLoaders {
  return {
    account: new DataLoader((ids) => deps.fund.loadAccounts(ids, request)),
    fund: deps.fund,
  };
}
