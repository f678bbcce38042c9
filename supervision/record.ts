/**
 * The record model of the supervision log: an append-only sequence of `intent`, `outcome` and
 * `access` records, each sealed into its department's hash chain.
 *
 * A mutation writes an `intent` (outcome `PENDING`) before it reaches a department and an `outcome`
 * (referring to the intent's seq) after. A mutation refused by the access rules never reaches a
 * department, so it is ONE record: an `intent` born closed with outcome `DENIED` and no outcome
 * record. An auditor's read is one `access` record (`SUCCESS` or `DENIED`).
 */
import { canonicalJson } from './canonical.ts';
import { digestHex, type HashAlgorithm } from './hashing.ts';
import type { Pseudonym } from './pseudonym.ts';

/** What a record stands for. */
export type RecordKind = 'intent' | 'outcome' | 'access';

/** `PENDING` only on an open intent; the others close an intent or describe an access. */
export type Outcome = 'PENDING' | 'SUCCESS' | 'ERROR' | 'DENIED' | 'OUTCOME_UNKNOWN';

/** All outcomes, in the order they are documented. */
export const OUTCOMES: readonly Outcome[] = ['PENDING', 'SUCCESS', 'ERROR', 'DENIED', 'OUTCOME_UNKNOWN'];

/** Who acted, as the log keeps it: the person behind `sub`/`onBehalfOf` only as pseudonyms. */
export interface RecordActor {
  /** Principal role, e.g. `citizen`, `staff`, `app`, `auditor`. */
  role: string;
  /** The actor's own department, if any. */
  department: string | null;
  /** The client (application or integrator) that sent the request. */
  client: string | null;
  /** HMAC + masked form of the principal's subject. */
  sub: Pseudonym | null;
  /** HMAC + masked form of the user an `app` acts for. */
  onBehalfOf: Pseudonym | null;
}

/** The citizen or enterprise a record is about, as the log keeps it. */
export interface RecordSubject extends Pseudonym {
  /** `citizen` (resident ID) or `enterprise` (unified social credit code). */
  kind: 'citizen' | 'enterprise';
}

/** One sealed record of the log. */
export interface SupervisionRecord {
  /** Global position in the store, 1, 2, 3 … without gaps. */
  seq: number;
  /** Position in the department's chain, 1, 2, 3 … without gaps. */
  deptSeq: number;
  /** When the record was sealed, ISO 8601 UTC with milliseconds. */
  time: string;
  /** The department whose chain holds the record, e.g. `population`. */
  department: string;
  /** `intent`, `outcome` or `access`. */
  kind: RecordKind;
  /** On an `outcome`: the seq of the intent it closes; otherwise null. */
  intentSeq: number | null;
  /** Who acted. */
  actor: RecordActor;
  /** The GraphQL operation name, when the client gave one. */
  operation: string | null;
  /** The field, e.g. `Mutation.updateContactPhone` or `Query.mutationLog`. */
  field: string;
  /** The power item (行权事项) code the field exercises. */
  powerItem: string | null;
  /** The citizen or enterprise concerned. */
  subject: RecordSubject | null;
  /** The service-hall case number (办件编号), when there is one. */
  caseNumber: string | null;
  /** Hex hash of the canonical JSON of the full, unredacted arguments. */
  argsDigest: string | null;
  /** The arguments with personal data masked (see `redactArgs`); null on outcomes. */
  args: unknown;
  /** The outcome (see `Outcome`). */
  outcome: Outcome;
  /** The CityGraph error code of an `ERROR`/`DENIED` outcome. */
  errorCode: string | null;
  /** The request id that ties the record to the server logs. */
  requestId: string | null;
  /** Hash of the previous record of the same department; 64 zeros for the first. */
  prevHash: string;
  /** Hash of the canonical JSON of every other field of this record. */
  hash: string;
}

/** A record before it has a place in the log: everything but seq, deptSeq, time and the hashes. */
export type RecordDraft = Omit<SupervisionRecord, 'seq' | 'deptSeq' | 'time' | 'prevHash' | 'hash'>;

/** Where a draft lands: assigned under the store's append lock. */
export interface ChainPosition {
  /** Global seq. */
  seq: number;
  /** Department chain position. */
  deptSeq: number;
  /** Sealing time (ISO). */
  time: string;
  /** Hash of the department's previous record, or the genesis hash. */
  prevHash: string;
}

/** A reference to a written record, enough to write its outcome. */
export interface RecordRef {
  /** Global seq of the record. */
  seq: number;
  /** Its department. */
  department: string;
  /** Its hash. */
  hash: string;
}

/** The hash of a record: over the canonical JSON of all its fields except `hash`. */
export function recordHash(record: Omit<SupervisionRecord, 'hash'> | SupervisionRecord, algorithm: HashAlgorithm): string {
  const { hash: _ignored, ...rest } = record as SupervisionRecord;
  return digestHex(algorithm, canonicalJson(rest));
}

/** Places a draft in its chain and computes its hash. */
export function sealRecord(draft: RecordDraft, position: ChainPosition, algorithm: HashAlgorithm): SupervisionRecord {
  const record: SupervisionRecord = { ...draft, ...position, hash: '' };
  // The row-shaped writer gives the same bytes as canonicalJson (record.test.ts) at a fraction of its cost;
  // any other shape falls back to recordHash inside it.
  record.hash = storedRecordHash(record, algorithm);
  return record;
}

/** The reference of a record. */
export function refOf(record: SupervisionRecord): RecordRef {
  return { seq: record.seq, department: record.department, hash: record.hash };
}

/** A string or null as canonical JSON; anything else is not row-shaped (the caller falls back). */
const q = (v: string | null): string => {
  if (v === null) return 'null';
  if (typeof v !== 'string') throw new TypeError('not a string');
  return JSON.stringify(v);
};
const pseudoText = (p: { hmac: string; masked: string } | null): string => (p === null ? 'null' : `{"hmac":${q(p.hmac)},"masked":${q(p.masked)}}`);
const int = (v: number | null): string => {
  if (v === null) return 'null';
  if (typeof v !== 'number') throw new TypeError('not a number');
  return canonicalJson(v);
};

/** True when a record has exactly the fields (and nested fields) a stored row gives it. */
function rowShaped(r: SupervisionRecord): boolean {
  const { actor, subject } = r;
  return (
    Object.keys(r).length === 19 && actor !== null && typeof actor === 'object' && Object.keys(actor).length === 5 &&
    (actor.sub === null || Object.keys(actor.sub).length === 2) && (actor.onBehalfOf === null || Object.keys(actor.onBehalfOf).length === 2) &&
    (subject === null || Object.keys(subject).length === 3)
  );
}

/**
 * The hash of a record as read back from the store, without the general canonical serialiser: the
 * canonical JSON of a row-shaped record written field by field in sorted key order (the same bytes as
 * `canonicalJson`, which record.test.ts checks), hashed in one call. Any other shape takes `recordHash`.
 */
export function storedRecordHash(r: SupervisionRecord, algorithm: HashAlgorithm): string {
  if (!rowShaped(r)) return recordHash(r, algorithm);
  let text: string;
  try {
    const a = r.actor;
    const s = r.subject;
    text =
      `{"actor":{"client":${q(a.client)},"department":${q(a.department)},"onBehalfOf":${pseudoText(a.onBehalfOf)},"role":${q(a.role)},"sub":${pseudoText(a.sub)}}` +
      `,"args":${canonicalJson(r.args)},"argsDigest":${q(r.argsDigest)},"caseNumber":${q(r.caseNumber)},"department":${q(r.department)}` +
      `,"deptSeq":${int(r.deptSeq)},"errorCode":${q(r.errorCode)},"field":${q(r.field)},"intentSeq":${int(r.intentSeq)},"kind":${q(r.kind)}` +
      `,"operation":${q(r.operation)},"outcome":${q(r.outcome)},"powerItem":${q(r.powerItem)},"prevHash":${q(r.prevHash)},"requestId":${q(r.requestId)}` +
      `,"seq":${int(r.seq)},"subject":${s === null ? 'null' : `{"hmac":${q(s.hmac)},"kind":${q(s.kind)},"masked":${q(s.masked)}}`},"time":${q(r.time)}}`;
  } catch {
    return recordHash(r, algorithm);
  }
  return digestHex(algorithm, text);
}
