/** Query fields of the market regulation subgraph; arguments arrive validated (index.ts `validate`). */
import type { SubgraphContext } from '../../kit/index.ts';
import type { MarketRegulationLoaders } from '../loaders.ts';
import { sameEnterpriseName } from '../names.ts';

type Ctx = SubgraphContext<MarketRegulationLoaders>;

export const Query = {
  enterprise: (_: unknown, args: { uscc: string }, ctx: Ctx) => ctx.loaders.enterprise.load(args.uscc),
  enterprises: (_: unknown, args: { usccs: string[] }, ctx: Ctx) => ctx.loaders.enterprise.loadMany(args.usccs),
  // An unknown code is no match, exactly like a wrong name; the status is told only for a match.
  async verifyEnterprise(_: unknown, args: { uscc: string; name: string }, ctx: Ctx) {
    const e = await ctx.loaders.enterprise.load(args.uscc);
    const match = e !== null && sameEnterpriseName(e.name, args.name);
    return { match, active: match ? e!.status === 'ACTIVE' : null };
  },
};
