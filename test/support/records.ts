/** Reading a supervision store's records in whole-system tests. */
import type { RecordFilter, SupervisionRecord, SupervisionStore } from '../../supervision/index.ts';

/** Every record matching `filter`, page by page through the store's cursors, in log order. */
export async function allRecords(store: SupervisionStore, filter: RecordFilter): Promise<SupervisionRecord[]> {
  const all: SupervisionRecord[] = [];
  let after: string | null = null;
  do {
    const page = await store.query(filter, { first: 100, after });
    all.push(...page.records);
    after = page.pageInfo.hasNextPage ? page.pageInfo.endCursor : null;
  } while (after);
  return all;
}
