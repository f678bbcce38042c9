/**
 * Who may read the supervision store: auditors, and no one else; and who may see who read a person's
 * data: that person (or an app acting for them with `citizen:read`). Every field is named.
 */
import { citizenData, enterpriseData, grant, parentId, viaGateway, type DisclosureMap, type PermissionMap, type SubjectOf } from '../kit/index.ts';

/** Only the auditor role reads the supervision store; even admins do not (separation of duties). */
const auditorOnly = grant('auditorOnly', { role: 'auditor' });
/** A witness publishing its cosignature: an auditor account holding `witness:cosign`. */
const witnessCosign = grant('witnessCosign', { role: 'auditor', scope: 'witness:cosign' });

/** The enterprise an `Enterprise` entity is. */
const parentUscc: SubjectOf = (parent) => (parent as { uscc?: string } | null)?.uscc;
/** Scope of an app reading the records of the citizen it acts for. */
const READ = 'citizen:read';

/** The citizen's own list of who read their data. */
const citizenAccesses = grant('ownDataAccesses', { role: 'citizen', own: parentId }, { role: 'app', own: parentId, scope: READ });
/** The enterprise's own list. */
const enterpriseAccesses = grant('ownEnterpriseDataAccesses', { role: 'enterprise', own: parentUscc });
/** Parts of a list of accesses: reached only through `dataAccesses`, whose rule checked the owner. */
const partOfAccesses = grant(
  'partOfDataAccesses',
  { role: 'citizen', note: 'via parent' },
  { role: 'app', scope: READ, note: 'via parent' },
  { role: 'enterprise', note: 'via parent' },
);
/** Page info serves both the auditors' log and a person's list of accesses. */
const pageInfo = grant('pageInfo', { role: 'auditor' }, { role: 'citizen', note: 'via parent' }, { role: 'app', scope: READ, note: 'via parent' }, { role: 'enterprise', note: 'via parent' });

/** Every field of every type listed, all with one rule. */
function fields<R>(rule: R, ...names: string[]): Record<string, R> {
  return Object.fromEntries(names.map((f) => [f, rule]));
}

export const permissions: PermissionMap = {
  Query: { ...fields(auditorOnly, 'mutationLog', 'supervisionRecord', 'checkpoints', 'integrity', 'consistencyProof', 'alarms'), _service: viaGateway, _entities: viaGateway },
  Mutation: { addCheckpointCosignature: witnessCosign, acknowledgeAlarm: auditorOnly },
  _Service: { sdl: viaGateway },
  Pseudonym: fields(auditorOnly, 'hmac', 'masked'),
  Actor: fields(auditorOnly, 'role', 'department', 'client', 'sub', 'onBehalfOf'),
  RecordSubject: fields(auditorOnly, 'kind', 'hmac', 'masked'),
  SupervisionRecord: fields(
    auditorOnly,
    'seq', 'deptSeq', 'time', 'department', 'kind', 'intentSeq', 'actor', 'operation', 'field', 'powerItem',
    'subject', 'caseNumber', 'argsDigest', 'args', 'outcome', 'errorCode', 'requestId', 'prevHash', 'hash',
  ),
  PageInfo: fields(pageInfo, 'endCursor', 'hasNextPage'),
  SupervisionRecordEdge: fields(auditorOnly, 'cursor', 'node'),
  SupervisionRecordConnection: fields(auditorOnly, 'edges', 'pageInfo', 'totalCount'),
  ChainHead: fields(auditorOnly, 'department', 'deptSeq', 'hash', 'root'),
  Checkpoint: fields(auditorOnly, 'id', 'time', 'hashAlgorithm', 'signatureAlgorithm', 'heads', 'totalSeq', 'keyId', 'signature', 'cosignatures'),
  Cosignature: { ...fields(auditorOnly, 'checkpointId', 'keyId', 'algorithm', 'publicKeyPem', 'time', 'signature') },
  InclusionProof: fields(auditorOnly, 'department', 'leafIndex', 'treeSize', 'leafHash', 'auditPath', 'root', 'checkpointId'),
  ConsistencyProof: fields(auditorOnly, 'department', 'fromSize', 'toSize', 'fromRoot', 'toRoot', 'proof'),
  RecordProof: fields(auditorOnly, 'record', 'previousHash', 'nextHash', 'checkpoint', 'inclusion', 'pending'),
  ChainSummary: fields(auditorOnly, 'department', 'head', 'length'),
  IntegritySummary: fields(auditorOnly, 'ok', 'records', 'departments', 'lastCheckpoint', 'problems'),
  Alarm: fields(auditorOnly, 'id', 'kind', 'rule', 'severity', 'department', 'caseNumber', 'raisedAt', 'reason', 'evidenceSeqs', 'evidence', 'status', 'acknowledgement'),
  AlarmAcknowledgement: fields(auditorOnly, 'time', 'actor', 'note'),
  AlarmEdge: fields(auditorOnly, 'cursor', 'node'),
  AlarmConnection: fields(auditorOnly, 'edges', 'pageInfo', 'totalCount'),
  Citizen: { id: citizenAccesses, dataAccesses: citizenAccesses },
  Enterprise: { uscc: enterpriseAccesses, dataAccesses: enterpriseAccesses },
  Reader: fields(partOfAccesses, 'role', 'department', 'client'),
  DataAccess: fields(partOfAccesses, 'seq', 'time', 'department', 'reader', 'onYourBehalf', 'fields', 'purpose', 'outcome', 'requestId'),
  DataAccessEdge: fields(partOfAccesses, 'cursor', 'node'),
  DataAccessConnection: fields(partOfAccesses, 'edges', 'pageInfo', 'totalCount'),
};

/** Who read whom is itself personal: an app reading a citizen's list of accesses is recorded. */
export const disclosures: DisclosureMap = {
  Citizen: { dataAccesses: citizenData(parentId) },
  Enterprise: { dataAccesses: enterpriseData(parentUscc) },
};
