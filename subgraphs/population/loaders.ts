/** Per-request DataLoaders of the population subgraph. */
import DataLoader from 'dataloader';
import type { CitizenRecord, PopulationAdapter } from '../../adapters/population/index.ts';

/** The department's dependencies: its adapter. */
export interface PopulationDeps {
  registry: PopulationAdapter;
}

/** This request's loaders. */
export interface PopulationLoaders {
  citizen: DataLoader<string, CitizenRecord | null>;
  /** The registry itself, for changes (never batched, never retried). */
  registry: PopulationAdapter;
}

/** Creates the loaders of one request; the adapter already splits batches to the registry's limit. */
export function createLoaders(deps: PopulationDeps, request: { requestId: string }): PopulationLoaders {
  return {
    citizen: new DataLoader((ids) => deps.registry.loadCitizens(ids, request)),
    registry: deps.registry,
  };
}
