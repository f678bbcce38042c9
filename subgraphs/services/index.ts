/**
 * The services subgraph (一网通办): the service hall's catalogue and cases, every step of a case a
 * recorded mutation with its power item and case number, deadlines in working days on the holiday
 * calendar, and the newborn bundle (一件事一次办).
 */
import { defineSubgraph, type SubgraphContext } from '../kit/index.ts';
import { createLoaders, type ServicesDeps, type ServicesLoaders } from './loaders.ts';
import { disclosures, permissions } from './permissions.ts';
import { Application } from './resolvers/Application.ts';
import { Citizen } from './resolvers/Citizen.ts';
import { Enterprise } from './resolvers/Enterprise.ts';
import { Mutation } from './resolvers/Mutation.ts';
import { Query } from './resolvers/Query.ts';
import { applicantOf } from './staff.ts';
import { validateCaseNumber, validateDocuments, validateIdempotencyKey, validateMatterCode, validateNewborn, validateText } from './validate.ts';

const caseArg = (a: Record<string, any>) => ({ ...a, caseNumber: validateCaseNumber(a.caseNumber) });
const byCase = (args: Record<string, any>) => (typeof args.caseNumber === 'string' ? args.caseNumber.trim() : null);
const learnt = (result: { caseNumber?: string } | null) => result?.caseNumber ?? null;
/** The applicant as the supervision record's subject. */
const applicantSubject = (_args: Record<string, any>, ctx: SubgraphContext) => applicantOf(ctx.principal);

export const services = defineSubgraph<ServicesDeps, ServicesLoaders>({
  name: 'services',
  resolvers: { Query, Mutation, Application, Citizen, Enterprise } as never,
  permissions,
  disclosures,
  createLoaders,
  validate: {
    Query: {
      matter: (a) => ({ ...a, code: validateMatterCode(a.code) }),
      application: caseArg,
    },
    Mutation: {
      submitApplication: (a) => ({ matterCode: validateMatterCode(a.matterCode), documents: validateDocuments(a.documents), idempotencyKey: validateIdempotencyKey(a.idempotencyKey) }),
      acceptApplication: caseArg,
      requestSupplement: (a) => ({ caseNumber: validateCaseNumber(a.caseNumber), reason: validateText(a.reason, 'reason', true) }),
      supplementApplication: (a) => ({ caseNumber: validateCaseNumber(a.caseNumber), documents: validateDocuments(a.documents) }),
      approveApplication: (a) => ({ caseNumber: validateCaseNumber(a.caseNumber), note: validateText(a.note, 'note', false) }),
      rejectApplication: (a) => ({ caseNumber: validateCaseNumber(a.caseNumber), reason: validateText(a.reason, 'reason', true) }),
      completeApplication: caseArg,
      applyNewbornBundle: (a) => ({ input: validateNewborn(a.input), idempotencyKey: validateIdempotencyKey(a.idempotencyKey) }),
    },
  },
  // Power item codes (行权事项) of the hall's steps: invented, in the shape of the others (GA-BG-0103).
  powers: {
    submitApplication: { code: 'ZW-SQ-01', subject: applicantSubject, caseNumberOf: learnt, sensitiveArgs: ['documents'] },
    acceptApplication: { code: 'ZW-SL-02', caseNumber: byCase },
    requestSupplement: { code: 'ZW-BZ-03', caseNumber: byCase },
    supplementApplication: { code: 'ZW-BZ-04', subject: applicantSubject, caseNumber: byCase, sensitiveArgs: ['documents'] },
    approveApplication: { code: 'ZW-SP-05', caseNumber: byCase },
    rejectApplication: { code: 'ZW-SP-06', caseNumber: byCase },
    completeApplication: { code: 'ZW-BJ-07', caseNumber: byCase },
    applyNewbornBundle: { code: 'ZW-LH-08', subject: applicantSubject, caseNumberOf: learnt, sensitiveArgs: ['input'] },
  },
});
export type { ServicesDeps } from './loaders.ts';
