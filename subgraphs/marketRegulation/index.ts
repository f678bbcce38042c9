/** The enterprise registry's subgraph: owns Enterprise, adds `Citizen.representedEnterprises`. */
import { badInput } from '../../core/errors.ts';
import { validateUscc } from '../../core/uscc.ts';
import { defineSubgraph } from '../kit/index.ts';
import { createLoaders, type MarketRegulationDeps, type MarketRegulationLoaders } from './loaders.ts';
import { validateEnterpriseName } from './names.ts';
import { disclosures, permissions } from './permissions.ts';
import { Citizen } from './resolvers/Citizen.ts';
import { Enterprise, LegalRepresentative } from './resolvers/Enterprise.ts';
import { Query } from './resolvers/Query.ts';

/** Most codes one `enterprises` call may name. */
export const MAX_USCCS = 100;

function validateUsccs(usccs: readonly string[]): string[] {
  if (usccs.length > MAX_USCCS) throw badInput(`At most ${MAX_USCCS} codes may be asked for at once; ${usccs.length} were given.`, 'maxIds', { max: MAX_USCCS });
  return usccs.map((c, i) => {
    try {
      return validateUscc(c);
    } catch (e) {
      if (e instanceof Error) e.message = `usccs[${i}]: ${e.message}`;
      throw e;
    }
  });
}

export const marketRegulation = defineSubgraph<MarketRegulationDeps, MarketRegulationLoaders>({
  name: 'marketRegulation',
  resolvers: { Query, Enterprise, LegalRepresentative, Citizen } as never,
  permissions,
  disclosures,
  createLoaders,
  validate: {
    Query: {
      enterprise: (a) => ({ ...a, uscc: validateUscc(a.uscc) }),
      enterprises: (a) => ({ ...a, usccs: validateUsccs(a.usccs) }),
      verifyEnterprise: (a) => ({ ...a, uscc: validateUscc(a.uscc), name: validateEnterpriseName(a.name) }),
    },
  },
});
export type { MarketRegulationDeps } from './loaders.ts';
