/** The Enterprise entity (owned by market regulation) as the services subgraph extends it. */
import type { SubgraphContext } from '../../kit/index.ts';
import type { ServicesLoaders } from '../loaders.ts';
import { validateUscc } from '../validate.ts';

type Ctx = SubgraphContext<ServicesLoaders>;

export const Enterprise = {
  __resolveReference: (ref: { uscc: string }) => ({ uscc: validateUscc(ref.uscc) }),
  applications: (e: { uscc: string }, _: unknown, ctx: Ctx) => ctx.loaders.applicationsOf.load(e.uscc),
};
