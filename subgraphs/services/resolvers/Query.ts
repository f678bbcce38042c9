/** Query fields of the services subgraph; arguments arrive validated (index.ts `validate`). */
import { DEPARTMENT_OF_HALL } from '../../../adapters/serviceHall/index.ts';
import { badInput } from '../../../core/errors.ts';
import type { SubgraphContext } from '../../kit/index.ts';
import type { ServicesLoaders } from '../loaders.ts';

type Ctx = SubgraphContext<ServicesLoaders>;
const DEPARTMENTS = Object.values(DEPARTMENT_OF_HALL);

export const Query = {
  async matters(_: unknown, args: { department?: string | null }, ctx: Ctx) {
    const all = await ctx.loaders.matters();
    if (args.department == null) return all;
    if (!DEPARTMENTS.includes(args.department)) throw badInput(`No department "${args.department}" in the catalogue; use one of ${DEPARTMENTS.join(', ')}.`, 'department');
    return all.filter((m) => m.department === args.department);
  },
  matter: async (_: unknown, args: { code: string }, ctx: Ctx) => (await ctx.loaders.matters()).find((m) => m.code === args.code) ?? null,
  application: (_: unknown, args: { caseNumber: string }, ctx: Ctx) => ctx.loaders.application.load(args.caseNumber),
};
