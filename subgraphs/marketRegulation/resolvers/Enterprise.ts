/** The Enterprise entity as the registry owns it. */
import { validateUscc } from '../../../core/uscc.ts';
import type { EnterpriseRecord } from '../../../adapters/marketRegulation/index.ts';
import type { SubgraphContext } from '../../kit/index.ts';
import type { MarketRegulationLoaders } from '../loaders.ts';

type Ctx = SubgraphContext<MarketRegulationLoaders>;

export const Enterprise = {
  __resolveReference: async (ref: { uscc: string }, ctx: Ctx) => ctx.loaders.enterprise.load(validateUscc(ref.uscc)),
};

export const LegalRepresentative = {
  // A reference for the population subgraph to resolve; the rules of Citizen there decide what is shown.
  citizen: (parent: EnterpriseRecord['legalRepresentative']) => (parent.citizenId ? { id: parent.citizenId } : null),
};
