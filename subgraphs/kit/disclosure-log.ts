/** The per-request log of what was disclosed of whom (see disclosure.ts); no kit imports, so the context can hold it. */
import type { SubjectInput } from '../../supervision/index.ts';

/** What one request disclosed of each subject, gathered field by field. */
export class DisclosureLog {
  private readonly bySubject = new Map<string, { subject: SubjectInput; fields: Set<string>; refused: string | null }>();
  /** GraphQL operation name of the first disclosure. */
  operation: string | null = null;
  /** The gateway's execution id of the request (EXECUTION_ID_HEADER), or null when it sent none. */
  readonly execution: string | null;

  constructor(execution: string | null = null) {
    this.execution = execution;
  }

  /** Notes that `field` showed `subject`'s data (or was refused with `refused`). */
  add(subject: SubjectInput, field: string, refused: string | null = null): void {
    const key = `${subject.kind}:${subject.id.toUpperCase()}`;
    const entry = this.bySubject.get(key) ?? { subject: { kind: subject.kind, id: subject.id.toUpperCase() }, fields: new Set<string>(), refused: null };
    entry.fields.add(field);
    if (refused) entry.refused = refused;
    this.bySubject.set(key, entry);
  }

  /** Takes every gathered entry (the log is empty after). */
  drain(): { subject: SubjectInput; fields: string[]; refused: string | null }[] {
    const out = [...this.bySubject.values()].map((e) => ({ subject: e.subject, fields: [...e.fields].sort(), refused: e.refused }));
    this.bySubject.clear();
    return out;
  }
}

/** How long a request's recorded reads are remembered: longer than any request may run (the gateway's deadline is 3 s). */
const REMEMBER_MS = 60_000;
/** Most remembered (execution, reader, subject) keys; the oldest go first. */
const MAX_REMEMBERED = 20_000;

/** What one execution already recorded of one subject: its fields, and the write that made them durable. */
interface Recorded {
  fields: Set<string>;
  durable: Promise<unknown>;
  until: number;
}

/**
 * The reads this subgraph process already recorded per execution × reader × subject, so the gateway
 * calling it twice in one request (e.g. a citizen's name, then the same citizen reached again through
 * another department's answer) gives one access record, not two. Forgetting a key early only gives a
 * second record, never a missing one; a later call waits for the first call's write, so neither answer
 * leaves before the read is durable, and a failed write is forgotten at once.
 */
export class RecordedReads {
  private readonly byKey = new Map<string, Recorded>();

  /** The fields of `fields` this key has not recorded yet (all of them when unknown or expired). */
  unrecorded(key: string, fields: readonly string[], now = Date.now()): { fresh: string[]; wait: Promise<unknown> | null } {
    const known = this.byKey.get(key);
    if (!known || known.until <= now) return { fresh: [...fields], wait: null };
    return { fresh: fields.filter((f) => !known.fields.has(f)), wait: known.durable };
  }

  /** Notes that `fields` of `key` are being recorded by `write`; forgets them if it fails. */
  note(key: string, fields: readonly string[], write: Promise<unknown>, now = Date.now()): void {
    const known = this.byKey.get(key);
    const live = known && known.until > now ? known : null;
    const entry: Recorded = {
      fields: new Set([...(live?.fields ?? []), ...fields]),
      durable: live ? Promise.all([live.durable, write]) : write,
      until: now + REMEMBER_MS,
    };
    this.byKey.delete(key);
    if (this.byKey.size >= MAX_REMEMBERED) this.byKey.delete(this.byKey.keys().next().value!);
    this.byKey.set(key, entry);
    entry.durable.catch(() => {
      if (this.byKey.get(key) === entry) this.byKey.delete(key);
    });
  }
}
