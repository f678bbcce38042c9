/** Who may read the supervision store: auditors, and no one else. Nothing here can be changed. */
import { grant, viaGateway, type PermissionMap } from '../kit/index.ts';

/** Only the auditor role reads the supervision store; even admins do not (separation of duties). */
const auditorOnly = grant('auditorOnly', { role: 'auditor' });

/** Every field of every type listed, all auditor-only. */
function auditorFields(...fields: string[]): Record<string, typeof auditorOnly> {
  return Object.fromEntries(fields.map((f) => [f, auditorOnly]));
}

export const permissions: PermissionMap = {
  Query: { ...auditorFields('mutationLog', 'supervisionRecord', 'checkpoints', 'integrity'), _service: viaGateway },
  _Service: { sdl: viaGateway },
  Pseudonym: auditorFields('hmac', 'masked'),
  Actor: auditorFields('role', 'department', 'client', 'sub', 'onBehalfOf'),
  RecordSubject: auditorFields('kind', 'hmac', 'masked'),
  SupervisionRecord: auditorFields(
    'seq', 'deptSeq', 'time', 'department', 'kind', 'intentSeq', 'actor', 'operation', 'field', 'powerItem',
    'subject', 'caseNumber', 'argsDigest', 'args', 'outcome', 'errorCode', 'requestId', 'prevHash', 'hash',
  ),
  PageInfo: auditorFields('endCursor', 'hasNextPage'),
  SupervisionRecordEdge: auditorFields('cursor', 'node'),
  SupervisionRecordConnection: auditorFields('edges', 'pageInfo', 'totalCount'),
  ChainHead: auditorFields('department', 'deptSeq', 'hash'),
  Checkpoint: auditorFields('id', 'time', 'hashAlgorithm', 'signatureAlgorithm', 'heads', 'totalSeq', 'keyId', 'signature'),
  RecordProof: auditorFields('record', 'previousHash', 'nextHash', 'checkpoint'),
  ChainSummary: auditorFields('department', 'head', 'length'),
  IntegritySummary: auditorFields('ok', 'records', 'departments', 'lastCheckpoint', 'problems'),
};
