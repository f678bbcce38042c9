/**
 * The adapter's memory of changes by idempotency key: a repeated request (same operation, same citizen,
 * same key, same arguments) gets the first one's promise — in flight or settled — instead of a second
 * call. The platform dedupes too (on the `request_no` derived here), so a restart or a second instance
 * still never books or charges twice.
 */
import { createHash } from 'node:crypto';
import { badInput } from '../../core/errors.ts';

/** Options of IdempotentCalls. */
export interface IdempotencyOptions {
  /** How long a settled result is answered again, ms. Default 24 h. */
  ttlMs?: number;
  /** Most keys remembered; the oldest is forgotten first. Default 10,000. */
  maxEntries?: number;
}

interface Entry {
  fingerprint: string;
  promise: Promise<unknown>;
  expires: number;
}

/** The platform's `request_no` / `out_trade_no` for a client key: the same key always maps to the same number. */
export function platformRequestNo(operation: string, subject: string, key: string): string {
  return `CG${createHash('sha256').update(`${operation}\u0000${subject}\u0000${key}`, 'utf8').digest('hex').slice(0, 30).toUpperCase()}`;
}

/** Remembers changes by (operation, subject, key). */
export class IdempotentCalls {
  private readonly entries = new Map<string, Entry>();
  private readonly ttlMs: number;
  private readonly maxEntries: number;

  constructor(options: IdempotencyOptions = {}) {
    this.ttlMs = options.ttlMs ?? 86_400_000;
    this.maxEntries = options.maxEntries ?? 10_000;
    if (!Number.isFinite(this.ttlMs) || this.ttlMs <= 0) throw new TypeError('IdempotentCalls: ttlMs must be a positive number of milliseconds.');
    if (!Number.isInteger(this.maxEntries) || this.maxEntries < 1) throw new TypeError('IdempotentCalls: maxEntries must be a positive whole number.');
  }

  /**
   * Runs `fn(requestNo)` once per (operation, subject, key); a repeat with the same `fingerprint` gets
   * the same promise, a repeat with another one is BAD_USER_INPUT (`idempotencyKeyReused`). A failed
   * call is forgotten, so the client's retry asks the platform again — with the same request number.
   */
  run<T>(operation: string, subject: string, key: string, fingerprint: string, fn: (requestNo: string) => Promise<T>): Promise<T> {
    const id = `${operation}\u0000${subject}\u0000${key}`;
    const now = Date.now();
    const hit = this.entries.get(id);
    if (hit && hit.expires > now) {
      if (hit.fingerprint !== fingerprint) {
        return Promise.reject(badInput('This idempotency key was already used for a different request; use a new key for a new request.', 'idempotencyKeyReused'));
      }
      return hit.promise as Promise<T>;
    }
    if (hit) this.entries.delete(id);
    const promise = fn(platformRequestNo(operation, subject, key));
    const entry: Entry = { fingerprint, promise, expires: now + this.ttlMs };
    this.entries.set(id, entry);
    if (this.entries.size > this.maxEntries) this.entries.delete(this.entries.keys().next().value!);
    promise.catch(() => {
      if (this.entries.get(id) === entry) this.entries.delete(id);
    });
    return promise;
  }
}
