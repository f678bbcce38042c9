/** The messages between a SQLite store and its writer thread, and errors as they cross it. */
import { CityGraphError, ErrorCode, isCityGraphError } from '../core/errors.ts';
import type { GroupEntry } from './group.ts';
import type { RecordDraft, SupervisionRecord } from './record.ts';

/** An error as structured clone carries it (a CityGraphError keeps its code and details). */
export interface WireError {
  wireError: true;
  message: string;
  code: string | null;
  details: Record<string, string | number | boolean | null> | null;
}

/** What the store sends: a group to commit (entries without `check` functions), or the end. */
export type WriterRequest = { type: 'group'; id: number; entries: Omit<GroupEntry, 'check'>[] } | { type: 'close' };

/**
 * Where the thread placed an entry: everything its record adds to the draft the store already holds
 * (seq, deptSeq, prevHash, hash; the group's one time is beside them). Sending back whole records cost
 * a structured clone of each (≈ 6 µs a record of a 100-record group).
 */
export type Placed = [seq: number, deptSeq: number, prevHash: string, hash: string];

/** What the thread answers: each entry's place or error, or why the whole transaction failed. */
export type WriterReply = { id: number; time: string; results: (Placed | WireError)[] } | { id: number; failed: WireError };

/** The record the thread sealed, rebuilt from the draft it was sent and its place (the same fields, in the same order, as `sealRecord`). */
export function placedRecord(draft: RecordDraft, time: string, [seq, deptSeq, prevHash, hash]: Placed): SupervisionRecord {
  return { ...draft, seq, deptSeq, time, prevHash, hash };
}

/** `e` as it can cross to the other thread. */
export function errorToWire(e: unknown): WireError {
  if (isCityGraphError(e)) return { wireError: true, message: e.message, code: e.code, details: e.details ?? null };
  return { wireError: true, message: e instanceof Error ? e.message : String(e), code: null, details: null };
}

/** True when a reply slot holds an error. */
export function isWireError(v: unknown): v is WireError {
  return typeof v === 'object' && v !== null && (v as WireError).wireError === true;
}

/** The error again on this side: a CityGraphError when it was one, else a plain Error. */
export function errorFromWire(w: WireError): Error {
  if (w.code) return new CityGraphError(w.code as ErrorCode, w.message, w.details ? { details: w.details } : {});
  return new Error(w.message);
}
