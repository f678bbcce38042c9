/**
 * The supervision subgraph: auditors read the tamper-evident log of every change made through the graph
 * and its proofs; witnesses publish cosignatures; a citizen or enterprise sees who read their data.
 */
import { validateResidentId } from '../../core/resident-id.ts';
import type { SupervisionStore } from '../../supervision/index.ts';
import { defineSubgraph } from '../kit/index.ts';
import { disclosures, permissions } from './permissions.ts';
import { Citizen, Enterprise } from './resolvers/DataAccesses.ts';
import type { AlarmService } from './alarms/service.ts';
import { Alarm, AlarmMutation, AlarmQuery } from './resolvers/Alarms.ts';
import { Checkpoint, Mutation, Query } from './resolvers/Query.ts';

/** The department's dependencies: the store itself, and the alarms kept beside it. */
export interface SupervisionDeps {
  store: SupervisionStore;
  alarms: AlarmService;
}

export const supervision = defineSubgraph<SupervisionDeps, SupervisionDeps>({
  name: 'supervision',
  resolvers: { Query: { ...Query, ...AlarmQuery }, Mutation: { ...Mutation, ...AlarmMutation }, Checkpoint, Alarm, Citizen, Enterprise } as never,
  permissions,
  disclosures,
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
  powers: {
    // A witness's cosignature adds evidence; it changes no one's data, but it is recorded like any change.
    addCheckpointCosignature: { code: 'JD-JZ-0001', caseNumber: () => null },
    // An auditor's acknowledgement of an alarm (告警处置): invented code, in the shape of the one above.
    acknowledgeAlarm: { code: 'JD-GJ-0002', caseNumber: () => null },
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
      consistencyProof: {},
      alarms: {},
    },
  },
});
