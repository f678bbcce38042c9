/** The Citizen entity as the services subgraph extends it: the applications they filed. */
import { validateResidentId } from '../../../core/resident-id.ts';
import type { SubgraphContext } from '../../kit/index.ts';
import type { ServicesLoaders } from '../loaders.ts';

type Ctx = SubgraphContext<ServicesLoaders>;

export const Citizen = {
  __resolveReference: (ref: { id: string }) => ({ id: validateResidentId(ref.id) }),
  applications: (c: { id: string }, _: unknown, ctx: Ctx) => ctx.loaders.applicationsOf.load(c.id),
};
