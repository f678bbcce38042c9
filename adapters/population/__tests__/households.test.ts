/**
 * Households over the registry's `householdQuery`: the demo citizen's household (wife and son), a
 * citizen heading a household of their own, a birth joining its parent's household, not-found and a
 * failed key in their own slots, and the mapper refusing a row that fails its check.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createBirthRegistration } from '../births.ts';
import { createHouseholdRegister, mapHouseholds } from '../households.ts';
import { createPopulationAdapter, type HouseholdRecord } from '../index.ts';
import {
  DEMO_CHILD_ID, DEMO_CITIZEN_ID, DEMO_HOUSEHOLD_NUMBER, DEMO_SPOUSE_ID, listCitizenIds, startPopulationStandIn, type PopulationStandIn,
} from '../standin/index.ts';

let standIn: PopulationStandIn;
const ABSENT = '11010519491231002X';
const ctx = { requestId: 'households-test' };

beforeAll(async () => {
  standIn = await startPopulationStandIn({ citizens: 100 });
});
afterAll(() => standIn.close());

describe('householdsOf against the stand-in', () => {
  it('answers the demo household for each of its members, the head first, with relationships and register page ids, in one call', async () => {
    await fetch(`${standIn.url}/__stats/reset`, { method: 'POST' });
    const adapter = createPopulationAdapter({ url: standIn.url });
    const [head, wife, son] = (await adapter.householdsOf([DEMO_CITIZEN_ID, DEMO_SPOUSE_ID, DEMO_CHILD_ID], ctx)) as HouseholdRecord[];
    expect((await (await fetch(`${standIn.url}/__stats`)).json()).requests).toBe(1);
    expect(head).toEqual({
      householdNumber: DEMO_HOUSEHOLD_NUMBER,
      headId: DEMO_CITIZEN_ID,
      members: [
        { id: DEMO_CITIZEN_ID, name: '王立军', relationship: { code: '02', name: '户主' }, householdRegisterId: `DZZZ-HKB-${DEMO_HOUSEHOLD_NUMBER}-01` },
        { id: DEMO_SPOUSE_ID, name: '李秀梅', relationship: { code: '12', name: '妻' }, householdRegisterId: `DZZZ-HKB-${DEMO_HOUSEHOLD_NUMBER}-02` },
        { id: DEMO_CHILD_ID, name: '王子轩', relationship: { code: '21', name: '独生子' }, householdRegisterId: `DZZZ-HKB-${DEMO_HOUSEHOLD_NUMBER}-03` },
      ],
    });
    expect(wife).toEqual(head);
    expect(son).toEqual(head);
  });

  it('gives someone else a household of their own, not the demo one', async () => {
    const other = listCitizenIds(5)[3]!;
    const [h] = (await createHouseholdRegister({ url: standIn.url }).householdsOf([other], ctx)) as HouseholdRecord[];
    expect(h!.householdNumber).toMatch(/^\d{9}$/);
    expect(h!.householdNumber).not.toBe(DEMO_HOUSEHOLD_NUMBER);
    expect(h!.members).toEqual([expect.objectContaining({ id: other, relationship: { code: '02', name: '户主' } })]);
  });

  it('keeps DataLoader\'s contract: null for an unknown person, an Error for a malformed key, order kept', async () => {
    const result = await createPopulationAdapter({ url: standIn.url }).householdsOf([ABSENT, 'not-an-id', DEMO_SPOUSE_ID], ctx);
    expect(result[0]).toBeNull();
    expect(result[1]).toMatchObject({ code: 'BAD_USER_INPUT' });
    expect((result[2] as HouseholdRecord).householdNumber).toBe(DEMO_HOUSEHOLD_NUMBER);
  });

  it('puts a newborn in the declaring parent\'s household as their child', async () => {
    const { childId } = await createBirthRegistration({ url: standIn.url }).registerBirth(
      { parentId: DEMO_SPOUSE_ID, childName: '王小满', childGender: 'FEMALE', birthDate: '2026-09-01', birthCertificate: 'Q210000111' },
      { requestId: 'r', idempotencyKey: 'household-birth-0001' },
    );
    const [h] = (await createPopulationAdapter({ url: standIn.url }).householdsOf([childId], ctx)) as HouseholdRecord[];
    expect(h!.householdNumber).toBe(DEMO_HOUSEHOLD_NUMBER);
    expect(h!.members.find((m) => m.id === childId)?.relationship).toEqual({ code: '30', name: '女' });
  });

  it('fails every key of a call the registry refuses, with the adapter\'s codes', async () => {
    await fetch(`${standIn.url}/__faults`, { method: 'POST', body: JSON.stringify({ mode: 'badXml' }) });
    try {
      const result = await createPopulationAdapter({ url: standIn.url, retries: 0 }).householdsOf([DEMO_CITIZEN_ID, DEMO_SPOUSE_ID], ctx);
      expect(result.map((r) => (r as { code?: string }).code)).toEqual(['ADAPTER_BAD_REPLY', 'ADAPTER_BAD_REPLY']);
    } finally {
      await fetch(`${standIn.url}/__faults`, { method: 'POST', body: JSON.stringify({ mode: null }) });
    }
  });
});

describe('mapHouseholds', () => {
  const row = { CXGMSFHM: DEMO_CITIZEN_ID, HH: '101350271', GMSFHM: DEMO_CITIZEN_ID, XM: '王立军', YHZGX: '02', DZZZBS: 'DZZZ-HKB-101350271-01' };

  it('refuses a household with a malformed member row or two household numbers for one person', () => {
    expect(mapHouseholds([row, { ...row, GMSFHM: '123' }]).get(DEMO_CITIZEN_ID)).toMatchObject({ code: 'ADAPTER_BAD_REPLY', details: { field: 'household' } });
    expect(mapHouseholds([row, { ...row, HH: '999999999', GMSFHM: DEMO_SPOUSE_ID }]).get(DEMO_CITIZEN_ID)).toMatchObject({ code: 'ADAPTER_BAD_REPLY' });
    expect(mapHouseholds([row]).get(DEMO_CITIZEN_ID)).toMatchObject({ householdNumber: '101350271', headId: DEMO_CITIZEN_ID });
  });
});
