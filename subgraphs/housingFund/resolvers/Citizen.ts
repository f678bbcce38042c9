/** The housing fund's part of Citizen. */
import { validateResidentId } from '../../../core/resident-id.ts';
import type { SubgraphContext } from '../../kit/index.ts';
import type { HousingFundLoaders } from '../loaders.ts';

type Ctx = SubgraphContext<HousingFundLoaders>;

export const Citizen = {
  // No SQL here: the reference only names the person; `housingFund` loads, batched.
  __resolveReference: async (ref: { id: string }) => ({ id: validateResidentId(ref.id) }),
  housingFund: (parent: { id: string }, _: unknown, ctx: Ctx) => ctx.loaders.account.load(parent.id),
};
