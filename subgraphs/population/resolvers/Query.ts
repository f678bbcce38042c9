/** Query fields of the population subgraph; arguments arrive validated (index.ts `validate`). */
import type { SubgraphContext } from '../../kit/index.ts';
import type { PopulationLoaders } from '../loaders.ts';
import { sameName } from '../names.ts';

type Ctx = SubgraphContext<PopulationLoaders>;

export const Query = {
  citizen: (_: unknown, args: { id: string }, ctx: Ctx) => ctx.loaders.citizen.load(args.id),
  // loadMany puts an Error in a failed slot, which graphql-js reports on that list item only.
  citizens: (_: unknown, args: { ids: string[] }, ctx: Ctx) => ctx.loaders.citizen.loadMany(args.ids),
  // Through the request's loader, so a hotel checking a whole tour group costs one registry call.
  // An unknown ID is no match, exactly like a wrong name: the answer never tells which it was.
  async verifyIdentity(_: unknown, args: { id: string; name: string }, ctx: Ctx) {
    const person = await ctx.loaders.citizen.load(args.id);
    return { match: person !== null && sameName(person.name, args.name) };
  },
};
