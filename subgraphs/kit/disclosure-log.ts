/** The per-request log of what was disclosed of whom (see disclosure.ts); no kit imports, so the context can hold it. */
import type { SubjectInput } from '../../supervision/index.ts';

/** What one request disclosed of each subject, gathered field by field. */
export class DisclosureLog {
  private readonly bySubject = new Map<string, { subject: SubjectInput; fields: Set<string>; refused: string | null }>();
  /** GraphQL operation name of the first disclosure. */
  operation: string | null = null;

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
