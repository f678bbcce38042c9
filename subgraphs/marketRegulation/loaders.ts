/** Per-request DataLoaders of the market regulation subgraph. */
import DataLoader from 'dataloader';
import type { EnterpriseRecord, MarketRegulationAdapter } from '../../adapters/marketRegulation/index.ts';

/** The department's dependencies: its adapter. */
export interface MarketRegulationDeps {
  registry: MarketRegulationAdapter;
}

/** This request's loaders. */
export interface MarketRegulationLoaders {
  enterprise: DataLoader<string, EnterpriseRecord | null>;
  represented: DataLoader<string, EnterpriseRecord[]>;
}

/** Creates the loaders of one request; the adapter splits batches into calls of 20 keys. */
export function createLoaders(deps: MarketRegulationDeps, request: { requestId: string }): MarketRegulationLoaders {
  const enterprise = new DataLoader<string, EnterpriseRecord | null>((usccs) => deps.registry.loadEnterprises(usccs, request));
  const represented = new DataLoader<string, EnterpriseRecord[]>(async (ids) => {
    const slots = await deps.registry.loadRepresented(ids, request);
    // The records are whole: later reads of the same enterprise in this request cost no call.
    for (const slot of slots) if (Array.isArray(slot)) for (const e of slot) enterprise.prime(e.uscc, e);
    return slots;
  });
  return { enterprise, represented };
}
