/** The messages between a SQLite store and its writer thread, and errors as they cross it. */
import { CityGraphError, ErrorCode, isCityGraphError } from '../core/errors.ts';
import type { GroupEntry } from './group.ts';
import type { SupervisionRecord } from './record.ts';

/** An error as structured clone carries it (a CityGraphError keeps its code and details). */
export interface WireError {
  wireError: true;
  message: string;
  code: string | null;
  details: Record<string, string | number | boolean | null> | null;
}

/** What the store sends: a group to commit (entries without `check` functions), or the end. */
export type WriterRequest = { type: 'group'; id: number; entries: Omit<GroupEntry, 'check'>[] } | { type: 'close' };

/** What the thread answers: each entry's record or error, or why the whole transaction failed. */
export type WriterReply = { id: number; results: (SupervisionRecord | WireError)[] } | { id: number; failed: WireError };

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
