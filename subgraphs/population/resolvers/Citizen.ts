/** The Citizen entity as the population registry owns it. */
import { validateResidentId } from '../../../core/resident-id.ts';
import type { SubgraphContext } from '../../kit/index.ts';
import type { PopulationLoaders } from '../loaders.ts';

type Ctx = SubgraphContext<PopulationLoaders>;

export const Citizen = {
  // Batched: every representation of one request goes through the same loader.
  __resolveReference: async (ref: { id: string }, ctx: Ctx) => ctx.loaders.citizen.load(validateResidentId(ref.id)),
};
