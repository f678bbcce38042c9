/**
 * A bundled service (一件事一次办) as a saga: parts run in order, each sent to its department and
 * recorded; when one fails, the parts already done are undone in reverse order through their
 * department's own operation, or, where a department cannot undo, flagged for staff with the reason.
 * Never silently half done: every part ends DONE, FAILED, COMPENSATED, FLAGGED or SKIPPED, on the record.
 */
import { isCityGraphError } from '../../../core/errors.ts';

/** How one part ended, as the case's history records it. */
export type PartOutcome = 'DONE' | 'FAILED' | 'COMPENSATED' | 'FLAGGED' | 'SKIPPED';

/** One part of a bundle. */
export interface BundleStep<S> {
  /** `<department>.<operation>`, e.g. `population.registerBirth`. */
  name: string;
  /** Power item (行权事项) of the part, on its supervision record. */
  powerItem: string;
  /** Whether the part applies; a reason when it does not (recorded as SKIPPED). Default: it applies. */
  applies?: (state: S) => Promise<true | string>;
  /** Does the part; returns a note for the history (no personal data) and may extend the state. */
  do: (state: S) => Promise<string>;
  /** Undoes the part; absent when the department cannot undo (the bundle is then flagged for staff). */
  compensate?: (state: S) => Promise<string>;
}

/** Where each part's outcome goes: the supervision store and the case's history. */
export interface PartRecorder {
  /** Runs `action` as one recorded step (intent before, outcome after); rethrows its error. */
  recorded<T>(part: string, phase: 'do' | 'compensate', powerItem: string, action: () => Promise<T>): Promise<T>;
  /** Writes the part's outcome into the case's history. */
  outcome(part: string, outcome: PartOutcome, note: string): Promise<void>;
}

/** The result of a run: each part's last outcome, in order. */
export type SagaResult = Array<{ name: string; outcome: PartOutcome; note: string }>;

const reason = (e: unknown): string => (isCityGraphError(e) ? `${e.code}: ${e.message}` : 'INTERNAL: unexpected error');

/** Runs the parts; a failure compensates what was done, newest first. */
export async function runSaga<S>(steps: readonly BundleStep<S>[], state: S, rec: PartRecorder): Promise<SagaResult> {
  const result: SagaResult = [];
  const done: BundleStep<S>[] = [];
  const set = async (name: string, outcome: PartOutcome, note: string) => {
    const entry = result.find((r) => r.name === name);
    if (entry) Object.assign(entry, { outcome, note });
    else result.push({ name, outcome, note });
    await rec.outcome(name, outcome, note);
  };
  for (const step of steps) {
    try {
      // Asking whether a part applies can fail too (its department down): that fails the part, and what
      // was done is compensated, as for a failure of the part itself; never a bundle left half done.
      const applies = step.applies ? await step.applies(state) : true;
      if (applies !== true) {
        await set(step.name, 'SKIPPED', applies);
        continue;
      }
      const note = await rec.recorded(step.name, 'do', step.powerItem, () => step.do(state));
      done.push(step);
      await set(step.name, 'DONE', note);
    } catch (e) {
      await set(step.name, 'FAILED', reason(e));
      for (const earlier of done.reverse()) {
        if (!earlier.compensate) {
          await set(earlier.name, 'FLAGGED', 'Its department offers no way to undo it: staff must reverse it by hand.');
          continue;
        }
        try {
          const note = await rec.recorded(earlier.name, 'compensate', earlier.powerItem, () => earlier.compensate!(state));
          await set(earlier.name, 'COMPENSATED', note);
        } catch (c) {
          await set(earlier.name, 'FLAGGED', `Undoing it failed (${reason(c)}): staff must reverse it by hand.`);
        }
      }
      break;
    }
  }
  return result;
}

/** The bundle's state derived from its parts' latest outcomes. */
export function bundleState(parts: ReadonlyArray<{ outcome: PartOutcome }>, expected: number): 'IN_PROGRESS' | 'DONE' | 'COMPENSATED' | 'FLAGGED_FOR_STAFF' {
  if (parts.some((p) => p.outcome === 'FLAGGED')) return 'FLAGGED_FOR_STAFF';
  if (parts.some((p) => p.outcome === 'FAILED')) return 'COMPENSATED';
  if (parts.length >= expected && parts.every((p) => p.outcome === 'DONE' || p.outcome === 'SKIPPED')) return 'DONE';
  return 'IN_PROGRESS';
}
