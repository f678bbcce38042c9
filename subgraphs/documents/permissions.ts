/**
 * Who may read and use what in the documents subgraph. Every field is named; anything unnamed is
 * denied. `docs/access.md` is generated from these rules (`npm run -s access-table`).
 *
 * A holder's certificates and who used them are the holder's own: the citizen or enterprise itself,
 * or an app acting for the citizen with `documents:read`. Nobody else reads them here (an auditor
 * reads the uses as supervision records). `useDocument` is for staff; that they belong to the
 * department handling the case is checked against the case itself (resolvers/Mutation.ts).
 */
import { citizenData, enterpriseData, grant, parentId, viaGateway, type DisclosureMap, type PermissionMap, type SubjectOf } from '../kit/index.ts';

/** Scope of an app reading the documents of the citizen it acts for. */
const READ = 'documents:read';

const usccOf: SubjectOf = (parent) => (parent as { uscc?: string } | null)?.uscc;

const citizenOwn = grant('ownDocuments', { role: 'citizen', own: parentId }, { role: 'app', own: parentId, scope: READ });
const enterpriseOwn = grant('ownEnterpriseDocuments', { role: 'enterprise', own: usccOf });
/** Fields of a document or a use, reached only through the holder (or through a staff check). */
const viaParent = grant('documentPart', ...(['citizen', 'enterprise', 'app', 'staff'] as const).map((role) => ({ role, note: 'via parent' })));
const useRule = grant('useDocument', { role: 'staff', note: 'dept handling the case, checked on the case' });
const checkPart = grant('documentCheck', { role: 'staff', note: 'via useDocument' });
/** Joins from the gateway, for every role but integrators. */
const join = grant('gatewayJoin', ...(['anonymous', 'citizen', 'enterprise', 'staff', 'app', 'auditor', 'admin'] as const).map((role) => ({ role, note: 'gateway' })));

const fields = (rule: ReturnType<typeof grant>, ...names: string[]) => Object.fromEntries(names.map((n) => [n, rule]));

export const permissions: PermissionMap = {
  Query: { _service: viaGateway, _entities: join },
  _Service: { sdl: viaGateway },
  Citizen: { id: citizenOwn, documents: citizenOwn, documentUses: citizenOwn },
  Enterprise: { uscc: enterpriseOwn, documents: enterpriseOwn, documentUses: enterpriseOwn },
  Document: fields(viaParent, 'id', 'type', 'typeName', 'number', 'issuer', 'issuerDepartment', 'validFrom', 'validUntil', 'status'),
  DocumentUse: fields(viaParent, 'documentId', 'certificateType', 'department', 'by', 'matterCode', 'caseNumber', 'purpose', 'usedAt', 'outcome', 'errorCode', 'recordSeq'),
  DocumentCheck: fields(checkPart, 'document', 'caseNumber', 'purpose', 'valid', 'checkedAt'),
  Mutation: { useDocument: useRule },
};

/** Reads of a holder's certificates and uses by anyone but the holder are recorded (阳光示权). */
export const disclosures: DisclosureMap = {
  Citizen: { documents: citizenData(parentId), documentUses: citizenData(parentId) },
  Enterprise: { documents: enterpriseData(usccOf), documentUses: enterpriseData(usccOf) },
};
