/** The population registry's subgraph: owns Citizen and its registry fields. */
import { defineSubgraph } from '../kit/index.ts';
import { createLoaders, type PopulationDeps, type PopulationLoaders } from './loaders.ts';
import { permissions } from './permissions.ts';
import { Citizen } from './resolvers/Citizen.ts';
import { Query } from './resolvers/Query.ts';

export const population = defineSubgraph<PopulationDeps, PopulationLoaders>({
  name: 'population',
  resolvers: { Query, Citizen } as never,
  permissions,
  createLoaders,
});
export type { PopulationDeps } from './loaders.ts';
