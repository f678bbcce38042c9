/** The medical insurance department's part of Citizen. */
import { validateResidentId } from '../../../core/resident-id.ts';
import type { SubgraphContext } from '../../kit/index.ts';
import type { MedicalInsuranceLoaders } from '../loaders.ts';

type Ctx = SubgraphContext<MedicalInsuranceLoaders>;

export const Citizen = {
  // No legacy call here: the reference only names the person; `insurance` loads, batched.
  __resolveReference: async (ref: { id: string }) => ({ id: validateResidentId(ref.id) }),
  insurance: (parent: { id: string }, _: unknown, ctx: Ctx) => ctx.loaders.insurance.load(parent.id),
};
