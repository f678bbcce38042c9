/** Query fields of the population subgraph; arguments arrive validated (index.ts `validate`). */
import type { SubgraphContext } from '../../kit/index.ts';
import type { PopulationLoaders } from '../loaders.ts';

type Ctx = SubgraphContext<PopulationLoaders>;

export const Query = {
  citizen: (_: unknown, args: { id: string }, ctx: Ctx) => ctx.loaders.citizen.load(args.id),
  // loadMany puts an Error in a failed slot, which graphql-js reports on that list item only.
  citizens: (_: unknown, args: { ids: string[] }, ctx: Ctx) => ctx.loaders.citizen.loadMany(args.ids),
};
