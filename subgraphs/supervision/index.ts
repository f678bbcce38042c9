/** The supervision subgraph: auditors read the tamper-evident log of every change made through the graph. */
import { validateResidentId } from '../../core/resident-id.ts';
import type { SupervisionStore } from '../../supervision/index.ts';
import { defineSubgraph } from '../kit/index.ts';
import { permissions } from './permissions.ts';
import { Query } from './resolvers/Query.ts';

/** The department's dependency: the store itself. */
export interface SupervisionDeps {
  store: SupervisionStore;
}

export const supervision = defineSubgraph<SupervisionDeps, SupervisionDeps>({
  name: 'supervision',
  resolvers: { Query } as never,
  permissions,
  // The store answers its own queries; nothing to batch.
  createLoaders: (deps) => deps,
  validate: {
    Query: {
      mutationLog: (a) => {
        const subjectId = a.filter?.subjectId;
        // A subject filter on a resident ID is checked like any other ID; a USCC passes as it is.
        return subjectId && /^\d{17}[\dXx]$/.test(subjectId) ? { ...a, filter: { ...a.filter, subjectId: validateResidentId(subjectId) } } : a;
      },
    },
  },
  recordedReads: {
    chain: 'supervision',
    fields: {
      mutationLog: {
        subject: (a) => (a.filter?.subjectId ? { kind: /^\d{17}[\dX]$/i.test(a.filter.subjectId) ? 'citizen' : 'enterprise', id: a.filter.subjectId } : null),
        sensitiveArgs: ['subjectId'],
      },
      supervisionRecord: {},
      checkpoints: {},
      integrity: {},
    },
  },
});
