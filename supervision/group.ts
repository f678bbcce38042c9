/**
 * Group commit, the part both backends share: placing a group of drafts in their chains, one after the
 * other, inside the one transaction that commits them all. An outcome's check sees the records of the
 * store *and* those placed earlier in the same group, so two outcomes of one intent in one group are
 * refused exactly as they would be in two transactions. A refused entry is left out (its own error);
 * the others are still placed, gap-free.
 */
import { badInput } from '../core/errors.ts';
import { GENESIS_HASH } from './hashing.ts';
import type { ChainPosition, Outcome, RecordDraft, SupervisionRecord } from './record.ts';

/** One append of a group: its draft and, for an outcome, the check against its intent. */
export interface GroupEntry {
  /** The record to place. */
  draft: RecordDraft;
  /** Runs before the draft is placed, with the intent it closes and that intent's outcomes so far; may throw to refuse. */
  check?: (intent: SupervisionRecord | null, outcomes: SupervisionRecord[]) => void;
  /**
   * The outcome this entry records for the intent it closes, checked by `checkClose`. Data rather than
   * a function, so a writer thread can check it too (sqlite-writer.ts).
   */
  closes?: Exclude<Outcome, 'PENDING'>;
  /** The instance that owns an intent (stored beside the record, outside its hash; see leases.ts); default none. */
  instance?: string | null;
}

/** What the backend read inside the transaction, under its append lock. */
export interface GroupState {
  /** Highest seq in the store (0 when empty). */
  lastSeq: number;
  /** The head of a department's chain, or null when it has none yet. */
  headOf: (department: string) => { deptSeq: number; hash: string } | null;
  /** A stored record by seq. */
  recordAt: (seq: number) => SupervisionRecord | null;
  /** Stored outcomes of an intent, in seq order. */
  outcomesOf: (intentSeq: number) => SupervisionRecord[];
}

/** Places the entries in order; returns each entry's record or the error that refused it, and the records to insert. */
export function placeGroup(
  entries: readonly GroupEntry[],
  state: GroupState,
  seal: (draft: RecordDraft, p: ChainPosition) => SupervisionRecord,
): { results: (SupervisionRecord | Error)[]; records: SupervisionRecord[]; owners: (string | null)[] } {
  let seq = state.lastSeq;
  const time = new Date().toISOString();
  const heads = new Map<string, { deptSeq: number; hash: string }>();
  const placed = new Map<number, SupervisionRecord>();
  const placedOutcomes = new Map<number, SupervisionRecord[]>();
  const records: SupervisionRecord[] = [];
  const owners: (string | null)[] = [];
  const results = entries.map(({ draft, check, closes, instance }): SupervisionRecord | Error => {
    try {
      if ((check || closes) && draft.intentSeq !== null) {
        const s = draft.intentSeq;
        const intent = placed.get(s) ?? state.recordAt(s);
        const outcomes = [...state.outcomesOf(s), ...(placedOutcomes.get(s) ?? [])];
        if (closes) checkClose(s, closes, intent, outcomes);
        check?.(intent, outcomes);
      }
      const head = heads.get(draft.department) ?? state.headOf(draft.department) ?? { deptSeq: 0, hash: GENESIS_HASH };
      const record = seal(draft, { seq: seq + 1, deptSeq: head.deptSeq + 1, time, prevHash: head.hash });
      seq++;
      heads.set(draft.department, { deptSeq: record.deptSeq, hash: record.hash });
      placed.set(record.seq, record);
      if (record.intentSeq !== null) placedOutcomes.set(record.intentSeq, [...(placedOutcomes.get(record.intentSeq) ?? []), record]);
      records.push(record);
      owners.push(instance ?? null);
      return record;
    } catch (e) {
      return e instanceof Error ? e : new Error(String(e));
    }
  });
  return { results, records, owners };
}

/** Refuses an outcome of intent `seq` that is not open, already has an outcome, or is marked twice. */
export function checkClose(seq: number, outcome: Exclude<Outcome, 'PENDING'>, intent: SupervisionRecord | null, outcomes: readonly SupervisionRecord[]): void {
  if (!intent || intent.outcome !== 'PENDING') throw badInput(`Intent seq ${seq} is not open.`, 'supervision.intent');
  if (outcomes.some((o) => o.outcome !== 'OUTCOME_UNKNOWN')) throw badInput(`Intent seq ${seq} already has an outcome.`, 'supervision.intent');
  if (outcome === 'OUTCOME_UNKNOWN' && outcomes.length > 0) throw badInput(`Intent seq ${seq} is already marked.`, 'supervision.intent');
}
