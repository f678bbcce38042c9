/**
 * What the city code keeps, it keeps in the supervision store: credentials issued, devices revoked,
 * codes redeemed and scans uploaded are records of the `citycode` chain, found again by case number
 * (`DEV-<device id>` for a device, `USE-<code id>-<purpose>` for a use). No table of our own.
 */
import type { RecordFilter, SupervisionRecord, SupervisionStore } from '../../supervision/index.ts';

export const CHAIN = 'citycode';
export const FIELD = {
  issue: 'Mutation.issueCityCodeCredential',
  revoke: 'Mutation.revokeCityCodeDevice',
  redeem: 'Mutation.redeemCityCode',
  upload: 'Mutation.uploadCityCodeScans',
} as const;

/** Case number of everything about one device. */
export const deviceCase = (deviceId: string) => `DEV-${deviceId}`;
/** Case number of one use of a code for a purpose (a redemption, or an offline scan with `-SCAN`). */
export const useCase = (codeId: string, purpose: string, scan = false) => `USE-${codeId}-${purpose}${scan ? '-SCAN' : ''}`;

async function exists(store: SupervisionStore, filter: RecordFilter): Promise<boolean> {
  return (await store.query({ department: CHAIN, kind: 'outcome', outcome: 'SUCCESS', ...filter }, { first: 1, count: false })).records.length > 0;
}

/** True when the device has been revoked. */
export const isRevoked = (store: SupervisionStore, deviceId: string) => exists(store, { field: FIELD.revoke, caseNumber: deviceCase(deviceId) });
/** True when this use already succeeded once. */
export const alreadyUsed = (store: SupervisionStore, caseNumber: string) => exists(store, { caseNumber });
/** True when a credential for this device was issued to this citizen. */
export const issuedTo = (store: SupervisionStore, deviceId: string, citizenId: string) =>
  exists(store, { field: FIELD.issue, caseNumber: deviceCase(deviceId), subjectId: citizenId });

/** Every revoked device id, for the published list. */
export async function revokedDevices(store: SupervisionStore): Promise<string[]> {
  const out: string[] = [];
  let after: string | null = null;
  for (;;) {
    const page = await store.query({ department: CHAIN, field: FIELD.revoke, kind: 'outcome', outcome: 'SUCCESS' }, { first: 100, after, count: false });
    for (const r of page.records) if (r.caseNumber?.startsWith('DEV-')) out.push(r.caseNumber.slice(4));
    if (!page.pageInfo.hasNextPage) return [...new Set(out)];
    after = page.pageInfo.endCursor;
  }
}

/** A citizen's records in the chain, intents paired with their outcomes, newest first. */
export async function recordsOf(store: SupervisionStore, citizenId: string, limit: number): Promise<{ intent: SupervisionRecord; outcome: SupervisionRecord | null }[]> {
  const records: SupervisionRecord[] = [];
  let after: string | null = null;
  // The log is read in order; a citizen has a handful of uses a day, so a few pages suffice.
  for (let i = 0; i < 20; i++) {
    const page = await store.query({ department: CHAIN, subjectId: citizenId }, { first: 100, after, count: false });
    records.push(...page.records);
    if (!page.pageInfo.hasNextPage) break;
    after = page.pageInfo.endCursor;
  }
  const outcomes = new Map(records.filter((r) => r.kind === 'outcome').map((r) => [r.intentSeq, r]));
  return records
    .filter((r) => r.kind === 'intent')
    .reverse()
    .slice(0, limit)
    .map((intent) => ({ intent, outcome: intent.outcome === 'PENDING' ? (outcomes.get(intent.seq) ?? null) : null }));
}
