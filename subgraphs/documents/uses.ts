/**
 * A holder's document uses (用证记录), read back from the supervision log where every use is a
 * recorded mutation (index.ts): the intent says who used which document for which case and why, its
 * outcome how the check ended.
 */
import type { SubjectInput, SupervisionRecord, SupervisionStore } from '../../supervision/index.ts';
import { DOCUMENT_USE } from './contract.ts';

/** One use as `DocumentUse` shows it. */
export interface DocumentUseView {
  documentId: string;
  certificateType: string | null;
  department: string | null;
  by: 'STAFF' | 'PLATFORM';
  matterCode: string | null;
  caseNumber: string | null;
  purpose: string | null;
  usedAt: string;
  outcome: string;
  errorCode: string | null;
  recordSeq: number;
}

/** Pages read at most (100 records each): a holder with more uses than this sees the newest of these. */
const MAX_PAGES = 20;

/** The newest `first` uses of `holder`'s documents, newest first. */
export async function documentUsesOf(store: SupervisionStore, holder: SubjectInput, first: number): Promise<DocumentUseView[]> {
  const records: SupervisionRecord[] = [];
  let after: string | null = null;
  for (let page = 0; page < MAX_PAGES; page++) {
    const result = await store.query({ department: DOCUMENT_USE.department, field: DOCUMENT_USE.field, subjectId: holder.id }, { first: 100, after, count: false });
    records.push(...result.records);
    if (!result.pageInfo.hasNextPage) break;
    after = result.pageInfo.endCursor;
  }
  const outcomes = new Map(records.filter((r) => r.kind === 'outcome' && r.intentSeq !== null).map((r) => [r.intentSeq!, r]));
  return records
    .filter((r) => r.kind === 'intent')
    .sort((a, b) => b.seq - a.seq)
    .slice(0, first)
    .map((intent) => {
      const args = (intent.args ?? {}) as Record<string, unknown>;
      const outcome = outcomes.get(intent.seq);
      const text = (v: unknown) => (typeof v === 'string' && v !== '' ? v : null);
      return {
        documentId: text(args.documentId) ?? '',
        certificateType: text(args.certificateType),
        department: text(args.department) ?? intent.actor.department,
        by: args.by === 'PLATFORM' ? 'PLATFORM' : 'STAFF',
        matterCode: text(args.matterCode),
        caseNumber: outcome?.caseNumber ?? intent.caseNumber,
        purpose: text(args.purpose),
        usedAt: intent.time,
        outcome: outcome?.outcome ?? intent.outcome,
        errorCode: outcome?.errorCode ?? intent.errorCode,
        recordSeq: intent.seq,
      };
    });
}
