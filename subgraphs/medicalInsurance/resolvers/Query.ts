/** Query fields of the medical insurance subgraph; arguments arrive validated (index.ts `validate`). */
import type { SubgraphContext } from '../../kit/index.ts';
import type { MedicalInsuranceLoaders } from '../loaders.ts';

type Ctx = SubgraphContext<MedicalInsuranceLoaders>;

export const Query = {
  // The status only: balance, type and place stay with the record, which a hospital does not need.
  insuranceStatus: async (_: unknown, args: { id: string }, ctx: Ctx) => (await ctx.loaders.insurance.load(args.id))?.status ?? null,
};
