/**
 * What the store logic needs from a database. Two implementations (SQLite, PostgreSQL); everything
 * else — drafting, checkpoints, verification — is written once above this seam.
 */
import type { Checkpoint, PublicKeyEntry } from './checkpoint.ts';
import type { SqlFilter } from './columns.ts';
import type { HashAlgorithm } from './hashing.ts';
import type { ChainPosition, RecordDraft, SupervisionRecord } from './record.ts';
import type { ChainHead } from './checkpoint.ts';
import type { GroupEntry } from './group.ts';
import type { LeaseBackend } from './leases.ts';

/** Chain heads and the highest seq, read in one snapshot. */
export interface HeadsSnapshot {
  /** One head per department. */
  heads: ChainHead[];
  /** Highest seq (0 when empty). */
  totalSeq: number;
}

/** A database holding one supervision log. */
export interface StoreBackend {
  /** Backend name. */
  readonly kind: 'sqlite' | 'postgres';
  /** Instance leases and the intents they own (leases.ts). */
  readonly leases: LeaseBackend;
  /** Creates the schema when missing; fixes the hash algorithm on first use and returns the stored one. */
  migrate(hash: HashAlgorithm | undefined): Promise<HashAlgorithm>;
  /** The stored hash algorithm, without writing anything; null when the schema is absent. */
  readHashAlgorithm(): Promise<HashAlgorithm | null>;
  /**
   * Appends one record in one transaction under the store's append lock: `check` runs first (it may
   * throw to refuse), then `seal` gets the position and the row is inserted. Durable on return.
   */
  append(draft: RecordDraft, seal: (p: ChainPosition) => SupervisionRecord, check?: (intent: SupervisionRecord | null, outcomes: SupervisionRecord[]) => void): Promise<SupervisionRecord>;
  /**
   * Appends several records in ONE transaction under the append lock (group commit), in order, each
   * sealed after the one before it (see `placeGroup`). An entry whose check refuses it gets its error
   * and is not written; the others are. Durable on return. When the transaction fails it throws and
   * nothing of the group is written.
   */
  appendMany(entries: readonly GroupEntry[], seal: (draft: RecordDraft, p: ChainPosition) => SupervisionRecord): Promise<(SupervisionRecord | Error)[]>;
  /** Record hashes of `department` at deptSeq `afterDeptSeq + 1` … `afterDeptSeq + limit`, in chain order. */
  chainHashes(department: string, afterDeptSeq: number, limit: number): Promise<string[]>;
  /** One record by seq. */
  get(seq: number): Promise<SupervisionRecord | null>;
  /** One record by its chain position. */
  byDeptSeq(department: string, deptSeq: number): Promise<SupervisionRecord | null>;
  /** Pending intents without any outcome record, oldest first. */
  openIntents(): Promise<SupervisionRecord[]>;
  /** Up to `limit` records after seq `afterSeq` matching `filter`, and (with `count`) how many match in all, else null. */
  query(filter: SqlFilter, afterSeq: number, limit: number, count: boolean): Promise<{ records: SupervisionRecord[]; total: number | null }>;
  /** Up to `limit` records after seq `afterSeq`, in seq order, unfiltered (for verification). */
  scan(afterSeq: number, limit: number): Promise<SupervisionRecord[]>;
  /**
   * Like `scan`, but only the columns that place a record in its chain (seq, department, deptSeq, kind,
   * intentSeq, outcome, prevHash, hash); the other fields are left empty. For the parallel verifier's
   * walk, whose workers re-hash the whole records. Optional: without it the walk reads whole records.
   */
  scanLinks?(afterSeq: number, limit: number): Promise<SupervisionRecord[]>;
  /** Chain heads now. */
  heads(): Promise<HeadsSnapshot>;
  /**
   * Adds a checkpoint under the checkpoint lock: `make` gets the next id, the heads now and the text
   * of the newest stored checkpoint (null when none); it may throw to add nothing.
   */
  addCheckpoint(make: (id: number, snapshot: HeadsSnapshot, previous: string | null) => Checkpoint): Promise<Checkpoint>;
  /** The stored checkpoints as text (JSON), oldest first, or only the newest `last`; parsing is the verifier's job. */
  checkpointTexts(last?: number): Promise<string[]>;
  /** The stored checkpoint `id` as text, or null. */
  checkpointText(id: number): Promise<string | null>;
  /** Stores a witness cosignature (JSON text), replacing that witness's earlier one of the same checkpoint. */
  saveCosignature(checkpointId: number, keyId: string, body: string): Promise<void>;
  /** Stored cosignatures as text, of one checkpoint or of all, by checkpoint then key. */
  cosignatureTexts(checkpointId?: number): Promise<string[]>;
  /** Records a signing public key (no-op when known). */
  saveKey(key: PublicKeyEntry): Promise<void>;
  /** All recorded public keys. */
  keys(): Promise<PublicKeyEntry[]>;
  /** Releases the database. */
  close(): Promise<void>;
}
