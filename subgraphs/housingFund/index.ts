/** The housing provident fund's subgraph: adds `Citizen.housingFund` and the withdrawal mutations. */
import { defineSubgraph } from '../kit/index.ts';
import { createLoaders, type HousingFundDeps, type HousingFundLoaders } from './loaders.ts';
import { disclosures, permissions } from './permissions.ts';
import { Citizen } from './resolvers/Citizen.ts';
import { Mutation } from './resolvers/Mutation.ts';
import { validateReview, validateWithdrawalInput } from './validate.ts';

export const housingFund = defineSubgraph<HousingFundDeps, HousingFundLoaders>({
  name: 'housingFund',
  resolvers: { Citizen, Mutation } as never,
  permissions,
  disclosures,
  createLoaders,
  validate: {
    Mutation: {
      applyHousingFundWithdrawal: (a) => ({ ...a, input: validateWithdrawalInput(a.input) }),
      reviewHousingFundWithdrawal: validateReview,
    },
  },
  powers: {
    applyHousingFundWithdrawal: {
      code: 'GJJ-TQ-0101',
      subject: (args) => ({ kind: 'citizen', id: String(args.input?.citizenId) }),
      sensitiveArgs: ['citizenId', 'bankAccount', 'bankAccountName', 'documentNo'],
    },
    reviewHousingFundWithdrawal: {
      code: 'GJJ-TQ-0102',
      // The request number is the case; the citizen is known to the fund's table, not to the arguments.
      caseNumber: (args) => (typeof args.requestNo === 'string' ? args.requestNo.trim().toUpperCase() : null),
      sensitiveArgs: ['note'],
    },
  },
});
export type { HousingFundDeps } from './loaders.ts';
