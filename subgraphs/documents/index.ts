/**
 * The documents subgraph (电子证照, 只提交一次材料): a holder's certificates in the electronic licence
 * library (`Citizen.documents`, `Enterprise.documents`, metadata only), the uses of them
 * (`documentUses`), and `useDocument`, by which staff of the department handling a case check a
 * certificate with its issuer for that case.
 *
 * ## The record of a use: the contract the alarm engine relies on
 *
 * Every use of a document, `useDocument` by staff and the services subgraph's automatic fetch of a
 * certificate from its issuer when a zero-material application is filed, is ONE recorded mutation of
 * the kit (subgraphs/kit/supervision.ts `recordMutation`), so one intent and one outcome record:
 *
 * - chain (`department`) `documents`, `field` `Mutation.useDocument`, `powerItem` `ZZ-YZ-01` (invented,
 *   in the shape of the others); constants in contract.ts (`DOCUMENT_USE`);
 * - `subject`: the document's HOLDER (citizen or enterprise) as the library names it; null only when
 *   the library could not be asked or does not know the document;
 * - `caseNumber`: the case the document was used for;
 * - the intent's `args`: `caseNumber`, `documentId`, `purpose` (the mutation's own), and
 *   `certificateType` (the graph's enum, null when unknown), `matterCode`, `department` (of the case)
 *   and `by` (`STAFF` | `PLATFORM`); none of these is personal data, so none is redacted;
 * - the outcome: `SUCCESS` when the document checked out (validity dates, status, SM3 content hash,
 *   the issuer's SM2 signature, holder, type); `ERROR` with `errorCode` exactly one of
 *   `DOCUMENT_EXPIRED`, `DOCUMENT_REVOKED`, `DOCUMENT_TAMPERED` (hash or signature does not match what
 *   the issuer holds), `DOCUMENT_NOT_HOLDER` (used for a case whose applicant is not the holder),
 *   `DOCUMENT_UNKNOWN`, `DOCUMENT_WRONG_TYPE`, `LICENCE_LIBRARY_UNAVAILABLE` (down, timeout, garbage);
 *   `DENIED` (`FORBIDDEN`) when the caller may not use documents for that case (staff of another
 *   department, or not staff), NOT_FOUND / BAD_USER_INPUT for a case that does not exist or bad input.
 *   The caller gets the same code as a GraphQL error (`extensions.code`).
 *
 * The population adapter's `householdsOf(ids)` (adapters/population/households.ts) gives each
 * person's household (户号, members, 与户主关系): "same household" is equal `householdNumber`s.
 *
 * Approval (services `approveApplication`) reads these records: a case whose certificate has no
 * successful check for it, or whose latest check failed, is not approved (DOCUMENT_UNCHECKED).
 */
import { defineSubgraph, type SubgraphContext } from '../kit/index.ts';
import { DOCUMENT_USE } from './contract.ts';
import { createLoaders, type DocumentsDeps, type DocumentsLoaders } from './loaders.ts';
import { disclosures, permissions } from './permissions.ts';
import { Citizen, Document, Enterprise } from './resolvers/Holder.ts';
import { Mutation, prepareUse } from './resolvers/Mutation.ts';
import { validateCaseNumber, validateDocumentId, validateFirst, validatePurpose } from './validate.ts';

export { DOCUMENT_USE, DOCUMENT_USE_ERRORS, DOCUMENT_RISK_ERRORS, type DocumentUseArgs } from './contract.ts';

export const documents = defineSubgraph<DocumentsDeps, DocumentsLoaders>({
  name: 'documents',
  resolvers: { Mutation, Citizen, Enterprise, Document } as never,
  permissions,
  disclosures,
  createLoaders,
  validate: {
    Mutation: {
      useDocument: (a) => ({ caseNumber: validateCaseNumber(a.caseNumber), documentId: validateDocumentId(a.documentId), purpose: validatePurpose(a.purpose) }),
    },
    Citizen: { documentUses: (a) => ({ first: validateFirst(a.first) }) },
    Enterprise: { documentUses: (a) => ({ first: validateFirst(a.first) }) },
  },
  powers: {
    useDocument: {
      code: DOCUMENT_USE.powerItem,
      caseNumber: (args) => (typeof args.caseNumber === 'string' ? args.caseNumber.trim() : null),
      // The holder and the certificate type are the library's to say: looked up before the intent.
      prepare: (args, ctx) => prepareUse(args, ctx as SubgraphContext<DocumentsLoaders>),
    },
  },
});
export type { DocumentsDeps } from './loaders.ts';
