/**
 * The contract every supervision store keeps, whatever holds the bytes (SQLite or PostgreSQL).
 * Every append is durable when its promise resolves, is written in one transaction (never half),
 * and a store that cannot write throws `SUPERVISION_UNAVAILABLE` so the mutation is refused.
 */
import type { Checkpoint, Cosignature } from './checkpoint.ts';

export type { ChainHead } from './checkpoint.ts';
import type { Outcome, RecordRef, SupervisionRecord } from './record.ts';

/** The principal that acted, with plain identifiers; the store keeps only their pseudonyms. */
export interface ActorInput {
  /** Principal role, e.g. `citizen`. Required. */
  role: string;
  /** The actor's department; default null. */
  department?: string | null;
  /** The calling client; default null. */
  client?: string | null;
  /** The principal's subject; stored as HMAC + mask only; default null. */
  sub?: string | null;
  /** The user an `app` acts for; stored as HMAC + mask only; default null. */
  onBehalfOf?: string | null;
}

/** The citizen or enterprise concerned, with its plain identifier (HMAC'd and masked by the store). */
export interface SubjectInput {
  /** `citizen` or `enterprise`. */
  kind: 'citizen' | 'enterprise';
  /** Resident ID number or unified social credit code. */
  id: string;
}

/** What a mutation is about to do. */
export interface IntentInput {
  /** Department chain to record in, e.g. `population`. Required. */
  department: string;
  /** Who acts. Required. */
  actor: ActorInput;
  /** GraphQL operation name; default null. */
  operation?: string | null;
  /** Field, e.g. `Mutation.updateContactPhone`. Required. */
  field: string;
  /** Power item (行权事项) code; default null. */
  powerItem?: string | null;
  /** The citizen or enterprise concerned; default null. */
  subject?: SubjectInput | null;
  /** Case number; default null. */
  caseNumber?: string | null;
  /** Full arguments: digested as they are, stored redacted; default `{}`. */
  args?: unknown;
  /** Keys of `args` holding personal data; default `DEFAULT_SENSITIVE_KEYS`. */
  sensitiveKeys?: readonly string[];
  /** Request id; default null. */
  requestId?: string | null;
}

/** How a mutation ended. */
export interface OutcomeInput {
  /** `SUCCESS`, `ERROR`, `DENIED` or `OUTCOME_UNKNOWN`. */
  outcome: Exclude<Outcome, 'PENDING'>;
  /** CityGraph error code of a failure; default null. */
  errorCode?: string | null;
  /** Case number learnt from the department; default the intent's. */
  caseNumber?: string | null;
}

/** An auditor's read (or an attempt at one). */
export interface AccessInput {
  /** Chain to record in; default `supervision`. */
  department?: string;
  /** Who read. Required. */
  actor: ActorInput;
  /** GraphQL operation name; default null. */
  operation?: string | null;
  /** Field read, e.g. `Query.mutationLog`. Required. */
  field: string;
  /** The subject looked up, if any; default null. */
  subject?: SubjectInput | null;
  /** The filter and page arguments; default `{}`. */
  args?: unknown;
  /** Keys of `args` holding personal data; default `DEFAULT_SENSITIVE_KEYS`. */
  sensitiveKeys?: readonly string[];
  /** `SUCCESS` or `DENIED`; default `SUCCESS`. */
  outcome?: 'SUCCESS' | 'DENIED';
  /** Error code of a denied read; default null (`FORBIDDEN` when denied). */
  errorCode?: string | null;
  /** Request id; default null. */
  requestId?: string | null;
}

/** Filter of `query`; every member narrows, all are optional. */
export interface RecordFilter {
  /** Department chain. */
  department?: string;
  /** Actor role. */
  actorRole?: string;
  /** GraphQL operation name. */
  operation?: string;
  /** Field, e.g. `Mutation.updateContactPhone`. */
  field?: string;
  /** Power item code. */
  powerItem?: string;
  /** Plain resident ID or USCC; looked up through the subject HMAC, never stored. */
  subjectId?: string;
  /** Case number. */
  caseNumber?: string;
  /** Outcome. */
  outcome?: Outcome;
  /** Record kind. */
  kind?: 'intent' | 'outcome' | 'access';
  /** Inclusive lower bound of `time` (ISO). */
  from?: string;
  /** Exclusive upper bound of `time` (ISO). */
  to?: string;
}

/** A page request; records come in log order (ascending seq). */
export interface PageRequest {
  /** Page size, 1 … 100. */
  first: number;
  /** Opaque cursor from a previous page's `endCursor`; default the start of the log. */
  after?: string | null;
  /**
   * Whether to count every matching record (`totalCount`); default true. A count reads every match (on a
   * store of millions, filters without an index read the whole table), so callers that do not show it say false.
   */
  count?: boolean;
}

/** One page of records. */
export interface RecordPage {
  /** Records in ascending seq. */
  records: SupervisionRecord[];
  /** Cursor of the last record (null on an empty page), and whether more follow. */
  pageInfo: { endCursor: string | null; hasNextPage: boolean };
  /** Records matching the filter in all; null when the request said `count: false`. */
  totalCount: number | null;
}

/** RFC 9162 inclusion proof of a record in its chain's tree as a checkpoint signed it. */
export interface InclusionProof {
  /** The chain (department). */
  department: string;
  /** 0-based leaf index: the record's deptSeq − 1. */
  leafIndex: number;
  /** Tree size the checkpoint signed (its head's deptSeq). */
  treeSize: number;
  /** H(0x00 ‖ record hash). */
  leafHash: string;
  /** The audit path, leaf to root. */
  auditPath: string[];
  /** The root the checkpoint signed. */
  root: string;
  /** The checkpoint's id. */
  checkpointId: number;
}

/** RFC 9162 consistency proof between two sizes of one chain's tree. */
export interface ConsistencyProof {
  department: string;
  fromSize: number;
  toSize: number;
  fromRoot: string;
  toRoot: string;
  /** The proof's hashes. */
  proof: string[];
}

/** A record with what links it into its chain and the checkpoint that proves it. */
export interface RecordProof {
  /** The record. */
  record: SupervisionRecord;
  /** Hash of the previous record of its department (genesis hash for the first). */
  previous: string;
  /** Hash of the next record of its department, when there is one. */
  next: string | null;
  /** The newest checkpoint whose tree of the department contains the record (first covering one for old checkpoints without roots). */
  checkpoint: Checkpoint | null;
  /** Inclusion proof against `checkpoint`; null when no checkpoint with a Merkle root covers the record yet. */
  inclusion: InclusionProof | null;
  /** Why there is no inclusion proof, in one sentence; null when there is one. */
  pending: string | null;
}


/** The answer of `integrity()`. */
export interface IntegritySummary {
  /** True when every record, link and checkpoint holds. */
  ok: boolean;
  /** Records in the store. */
  records: number;
  /** One entry per department chain. */
  departments: { department: string; head: string; length: number }[];
  /** The newest checkpoint, if any. */
  lastCheckpoint: Checkpoint | null;
  /** One sentence per problem found; empty when ok. */
  problems: string[];
}

/** The supervision store contract. */
export interface SupervisionStore {
  /** Which backend holds the log. */
  readonly backend: 'sqlite' | 'postgres';
  /** Records that a mutation is about to run; durable when resolved. */
  appendIntent(input: IntentInput): Promise<RecordRef>;
  /** Records a mutation refused by the access rules: one intent born closed with outcome `DENIED`. */
  appendDenied(input: IntentInput, errorCode?: string): Promise<RecordRef>;
  /** Records how the mutation of `intent` ended. */
  appendOutcome(intent: RecordRef, outcome: OutcomeInput): Promise<RecordRef>;
  /**
   * Records a read (an auditor's, or a disclosure of a person's data). Group-committed: the reads of
   * one turn of the event loop (and those arriving while a commit is in flight) share one transaction;
   * none resolves before that transaction is durable.
   */
  appendAccess(input: AccessInput): Promise<RecordRef>;
  /**
   * Records several reads (e.g. one request's, one per person) in one transaction of the group commit:
   * all of them are durable when resolved, or none is acknowledged. Validation refuses the whole call
   * before anything is written.
   */
  appendAccesses(inputs: readonly AccessInput[]): Promise<RecordRef[]>;
  /**
   * Closes every intent without outcome with an `OUTCOME_UNKNOWN` outcome; returns how many. With
   * several instances on one PostgreSQL store, pass `olderThanMs` (longer than any mutation can
   * take; default 0 = all) so a starting instance does not mark another's in-flight mutations.
   */
  recoverUnfinished(options?: { olderThanMs?: number }): Promise<number>;
  /** One page of records matching `filter`. */
  query(filter: RecordFilter, page: PageRequest): Promise<RecordPage>;
  /** One record by seq. */
  get(seq: number): Promise<SupervisionRecord | null>;
  /** A record with its chain links and covering checkpoint; null when there is no such record. */
  proof(seq: number): Promise<RecordProof | null>;
  /** Consistency proof of `department`'s tree from `fromSize` to `toSize` records; BAD_USER_INPUT when backwards or past the chain. */
  consistencyProof(department: string, fromSize: number, toSize: number): Promise<ConsistencyProof>;
  /** Adds a witness's cosignature of a checkpoint (verified against the witness's key first). */
  addCosignature(cosignature: Cosignature): Promise<void>;
  /** The cosignatures of checkpoint `id` (every checkpoint when omitted). */
  cosignatures(id?: number): Promise<Cosignature[]>;
  /** Signs a checkpoint over all chain heads now. */
  checkpoint(): Promise<Checkpoint>;
  /** All checkpoints, oldest first, or only the newest `last` (1 … MAX_CHECKPOINTS_PAGE; BAD_USER_INPUT otherwise). */
  checkpoints(options?: { last?: number }): Promise<Checkpoint[]>;
  /** Writes the checkpoints and the public keys to `file` for an outside witness. */
  exportCheckpoints(file: string): Promise<void>;
  /** Verifies the whole store (as `verify` does) and summarises it. */
  integrity(): Promise<IntegritySummary>;
  /** Stops the checkpoint timer and releases the database. Idempotent. */
  close(): Promise<void>;
}
