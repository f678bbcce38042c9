/** Mutation fields of the housing fund subgraph. Each is recorded by the kit (see index.ts `powers`). */
import type { WithdrawalApplication } from '../../../adapters/housingFund/index.ts';
import type { SubgraphContext } from '../../kit/index.ts';
import type { HousingFundLoaders } from '../loaders.ts';

type Ctx = SubgraphContext<HousingFundLoaders>;

export const Mutation = {
  // Arguments arrive validated (index.ts `validate`), before the rules saw them.
  applyHousingFundWithdrawal: (_: unknown, args: { input: WithdrawalApplication }, ctx: Ctx) =>
    ctx.loaders.fund.applyWithdrawal(args.input, { requestId: ctx.requestId }),
  reviewHousingFundWithdrawal: (_: unknown, args: { requestNo: string; approve: boolean; note: string | null }, ctx: Ctx) =>
    ctx.loaders.fund.reviewWithdrawal({ requestNo: args.requestNo, approve: args.approve, note: args.note, reviewer: ctx.principal.sub ?? 'unknown' }, { requestId: ctx.requestId }),
};
