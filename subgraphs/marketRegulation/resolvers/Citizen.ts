/** The registry's part of Citizen: the enterprises the citizen represents. */
import { validateResidentId } from '../../../core/resident-id.ts';
import type { SubgraphContext } from '../../kit/index.ts';
import type { MarketRegulationLoaders } from '../loaders.ts';

type Ctx = SubgraphContext<MarketRegulationLoaders>;

export const Citizen = {
  __resolveReference: async (ref: { id: string }) => ({ id: validateResidentId(ref.id) }),
  representedEnterprises: (parent: { id: string }, _: unknown, ctx: Ctx) => ctx.loaders.represented.load(parent.id),
};
