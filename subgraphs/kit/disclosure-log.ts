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
/** Most remembered subjects over all readers; the oldest readers go first. */
const MAX_REMEMBERED = 20_000;

/** What one execution already recorded of one subject: its fields, and the write that made them durable. */
interface Recorded {
  fields: Set<string>;
  durable: Promise<unknown>;
}

/** The reads of one execution × reader, by subject. */
interface ReaderReads {
  until: number;
  subjects: Map<string, Recorded>;
}

/**
 * The reads this subgraph process already recorded per execution × reader × subject, so the gateway
 * calling it twice in one request (e.g. a citizen's name, then the same citizen reached again through
 * another department's answer) gives one access record, not two. Forgetting early only gives a second
 * record, never a missing one; a later call waits for the first call's write, so neither answer leaves
 * before the read is durable, and a failed write is forgotten at once. Kept by reader, then subject:
 * one entry per request, not one long key per record (a list of 100 people made 100 keys of ≈ 300
 * characters and 100 promise handlers a request).
 */
export class RecordedReads {
  private readonly byReader = new Map<string, ReaderReads>();
  private remembered = 0;

  /** The fields of `fields` that `reader` has not recorded of `subject` yet (all of them when unknown or expired). */
  unrecorded(reader: string, subject: string, fields: readonly string[], now = Date.now()): { fresh: string[]; wait: Promise<unknown> | null } {
    const r = this.byReader.get(reader);
    const known = r && r.until > now ? r.subjects.get(subject) : undefined;
    if (!known) return { fresh: [...fields], wait: null };
    return { fresh: fields.filter((f) => !known.fields.has(f)), wait: known.durable };
  }

  /** Notes that `reader`'s fields of each subject are being recorded by `write`; forgets them if it fails. */
  note(reader: string, notes: readonly { subject: string; fields: readonly string[] }[], write: Promise<unknown>, now = Date.now()): void {
    let r = this.byReader.get(reader);
    if (!r || r.until <= now) {
      if (r) this.forget(reader, r);
      r = { until: now + REMEMBER_MS, subjects: new Map() };
      this.byReader.set(reader, r);
    }
    const made: [string, Recorded][] = [];
    for (const n of notes) {
      const live = r.subjects.get(n.subject);
      if (!live) this.remembered++;
      const entry: Recorded = live ? { fields: new Set([...live.fields, ...n.fields]), durable: Promise.all([live.durable, write]) } : { fields: new Set(n.fields), durable: write };
      r.subjects.set(n.subject, entry);
      made.push([n.subject, entry]);
    }
    const reads = r;
    const drop = () => {
      for (const [subject, entry] of made) {
        if (reads.subjects.get(subject) === entry) {
          reads.subjects.delete(subject);
          this.remembered--;
        }
      }
    };
    write.catch(drop);
    // An entry merged with an earlier write fails with either (the earlier one's failure is handled by its own note).
    for (const [, entry] of made) if (entry.durable !== write) entry.durable.catch(drop);
    // Oldest readers first, never the one just noted.
    for (const [key, old] of this.byReader) {
      if (this.remembered <= MAX_REMEMBERED || old === reads) break;
      this.forget(key, old);
    }
  }

  private forget(key: string, r: ReaderReads): void {
    this.byReader.delete(key);
    this.remembered -= r.subjects.size;
  }
}
