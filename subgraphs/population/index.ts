/** The population registry's subgraph: owns Citizen and its registry fields. */
import { validateResidentId } from '../../core/resident-id.ts';
import { defineSubgraph, validateIds } from '../kit/index.ts';
import { createLoaders, type PopulationDeps, type PopulationLoaders } from './loaders.ts';
import { validatePersonName } from './names.ts';
import { disclosures, permissions } from './permissions.ts';
import { Citizen } from './resolvers/Citizen.ts';
import { Mutation, validateIdempotencyKey, validatePhone } from './resolvers/Mutation.ts';
import { Query } from './resolvers/Query.ts';

export const population = defineSubgraph<PopulationDeps, PopulationLoaders>({
  name: 'population',
  resolvers: { Query, Mutation, Citizen } as never,
  permissions,
  disclosures,
  createLoaders,
  validate: {
    Query: {
      citizen: (a) => ({ ...a, id: validateResidentId(a.id) }),
      citizens: (a) => ({ ...a, ids: validateIds(a.ids) }),
      verifyIdentity: (a) => ({ ...a, id: validateResidentId(a.id), name: validatePersonName(a.name) }),
    },
    Mutation: {
      updateContactPhone: (a) => ({ ...a, citizenId: validateResidentId(a.citizenId), phone: validatePhone(a.phone), idempotencyKey: validateIdempotencyKey(a.idempotencyKey) }),
    },
  },
  powers: {
    updateContactPhone: {
      code: 'GA-BG-0103',
      subject: (args) => ({ kind: 'citizen', id: String(args.citizenId) }),
      sensitiveArgs: ['citizenId', 'phone'],
    },
  },
});
export type { PopulationDeps } from './loaders.ts';
