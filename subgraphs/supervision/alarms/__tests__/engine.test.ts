/**
 * The engine over a real store (SQLite and PostgreSQL, a fresh schema per run): an alarm is raised once
 * however often and by however many engines it looks, the cursor is persisted, an acknowledgement is won once.
 */
import { afterEach, describe, expect, it } from 'vitest';
import type { CaseRecord } from '../../../../adapters/serviceHall/index.ts';
import { openAlarmStore, type AlarmStore } from '../../../../supervision/alarms-store.ts';
import { BACKENDS, SUBJECT_KEY, type TestContext } from '../../../../supervision/__tests__/harness.ts';
import { pseudonymOf, type SupervisionStore } from '../../../../supervision/index.ts';
import { AlarmEngine, type AlarmSources } from '../engine.ts';

const APPLICANT = '210102198503152318';
const WIFE = '210102198708201523';
const limits = { warnWorkingDays: 2, burstCount: 3, burstWindowMs: 600_000, maxRecordsPerPass: 1000 };
const step = (stage: string, day: string) => ({ stage, at: `${day}T01:00:00.000Z`, day, actor: { role: 'staff', post: null, department: 'population' }, note: null, part: null }) as CaseRecord['history'][number];
const CASE: CaseRecord = {
  caseNumber: '2026101200000001', matterCode: 'GA0105', department: 'population', applicant: { kind: 'citizen', id: APPLICANT }, state: 'APPROVED',
  submittedAt: '2026-10-12T01:00:00.000Z', acceptedAt: '2026-10-12T01:00:00.000Z', endedAt: null, promisedWorkingDays: 1, documents: [],
  history: [step('SUBMITTED', '2026-10-12'), step('ACCEPTED', '2026-10-12'), step('APPROVED', '2026-10-12')],
};
const sources: AlarmSources = {
  cases: async (ns) => new Map(ns.map((n) => [n, n === CASE.caseNumber ? CASE : null])),
  matters: async () => [{ code: 'GA0105', name: '户籍证明开具', department: 'population', departmentName: '沈阳市公安局', kind: '公共服务', legalWorkingDays: 5, promisedWorkingDays: 1, minimumReviewWorkingDays: 0, zeroMaterial: true, documents: [] }],
  household: async (id) => (id === APPLICANT ? [APPLICANT, WIFE] : [id]),
};

/** A log with one interrupted change, one tampered certificate, and a case approved by the applicant's wife. */
async function seed(log: SupervisionStore): Promise<void> {
  const cut = await log.appendIntent({ department: 'population', actor: { role: 'citizen', sub: APPLICANT }, field: 'Mutation.updateContactPhone', powerItem: 'GA-BG-0103' });
  await log.recoverUnfinished();
  void cut;
  const use = await log.appendIntent({ department: 'documents', actor: { role: 'staff', department: 'population', sub: 'staff-ga-0201' }, field: 'Mutation.useDocument', caseNumber: CASE.caseNumber, args: { documentId: 'DZZZ-SFZ-X', certificateType: 'ID_CARD' } });
  await log.appendOutcome(use, { outcome: 'ERROR', errorCode: 'DOCUMENT_TAMPERED' });
  const filed = await log.appendIntent({ department: 'services', actor: { role: 'citizen', sub: APPLICANT }, field: 'Mutation.submitApplication', subject: { kind: 'citizen', id: APPLICANT } });
  await log.appendOutcome(filed, { outcome: 'SUCCESS', caseNumber: CASE.caseNumber });
  const approve = await log.appendIntent({ department: 'services', actor: { role: 'staff', department: 'population', sub: WIFE }, field: 'Mutation.approveApplication', caseNumber: CASE.caseNumber });
  await log.appendOutcome(approve, { outcome: 'SUCCESS' });
}

const open: Array<{ close(): Promise<void> }> = [];
let ctx: TestContext | null = null;
afterEach(async () => {
  for (const x of open.splice(0)) await x.close();
  await ctx?.cleanup();
  ctx = null;
});

function engine(log: SupervisionStore, alarms: AlarmStore) {
  return new AlarmEngine({ log, alarms, sources, limits, pseudonym: (id) => pseudonymOf(id, SUBJECT_KEY, 'sm3').hmac, clock: () => new Date('2026-10-12T04:00:00Z') });
}
/** The same tables, with the cursor held at 0: every pass re-examines the whole log. */
const fromStart = (a: AlarmStore): AlarmStore => Object.assign(Object.create(a) as AlarmStore, { cursor: async () => 0, advanceCursor: async () => undefined });

describe.each(BACKENDS)('the alarm engine on $name', ({ create }) => {
  it('raises each finding once, however often it looks, and persists its cursor', async () => {
    ctx = await create();
    const log = await ctx.open();
    open.push(log);
    await seed(log);
    const alarms = await openAlarmStore(ctx.db);
    open.push(alarms);
    expect(await engine(log, alarms).run()).toBe(3);
    const listed = (await alarms.list({}, 100, 0)).alarms;
    expect(listed.map((a) => a.rule).sort()).toEqual(['MATERIAL_TAMPERED', 'OUTCOME_UNKNOWN', 'RULE_RELATIVE_APPROVAL']);
    expect(await alarms.cursor()).toBe((await log.query({}, { first: 100 })).totalCount);
    // Again, and again with a new engine reading the whole log from the start: nothing new.
    expect(await engine(log, alarms).run()).toBe(0);
    expect(await engine(log, fromStart(alarms)).run()).toBe(0);
    expect((await alarms.list({}, 100, 0)).total).toBe(3);
  });

  it('raises each finding once when two engines with their own connections look at the same time', async () => {
    ctx = await create();
    const log = await ctx.open();
    open.push(log);
    await seed(log);
    const [a, b] = [await openAlarmStore(ctx.db), await openAlarmStore(ctx.db)];
    open.push(a, b);
    const raised = await Promise.all([engine(log, fromStart(a)).run(), engine(log, fromStart(b)).run(), engine(log, fromStart(a)).run()]);
    expect(raised.reduce((x, y) => x + y, 0)).toBe(3);
    const keys = (await a.list({}, 100, 0)).alarms.map((x) => x.key);
    expect(new Set(keys).size).toBe(keys.length);
    expect(keys).toHaveLength(3);
  });

  it('acknowledges an open alarm once: a second acknowledgement and an unknown id are told apart', async () => {
    ctx = await create();
    const alarms = await openAlarmStore(ctx.db);
    open.push(alarms);
    const raised = (await alarms.raise({ key: 'K1', kind: 'RULE', rule: 'RULE_SELF_APPROVAL', severity: 'CRITICAL', department: 'population', caseNumber: 'C', reason: 'r', evidence: [1] }, '2026-10-12T04:00:00.000Z'))!;
    expect(await alarms.raise({ key: 'K1', kind: 'RULE', rule: 'RULE_SELF_APPROVAL', severity: 'CRITICAL', department: 'population', caseNumber: 'C', reason: 'r', evidence: [1] }, '2026-10-12T05:00:00.000Z')).toBeNull();
    const actor = { role: 'auditor', department: null, client: null, sub: null, onBehalfOf: null };
    const both = await Promise.all([alarms.acknowledge(raised.id, { time: 't1', actor, note: 'a' }), alarms.acknowledge(raised.id, { time: 't2', actor, note: 'b' })]);
    expect(both.filter((x) => x === 'already')).toHaveLength(1);
    expect(both.find((x) => typeof x === 'object')).toMatchObject({ status: 'ACKNOWLEDGED' });
    expect(await alarms.acknowledge(raised.id + 99, { time: 't', actor, note: 'c' })).toBe('missing');
    expect((await alarms.list({ status: 'OPEN' }, 10, 0)).total).toBe(0);
    expect((await alarms.list({ status: 'ACKNOWLEDGED', kind: 'RULE', caseNumber: 'C', from: '2026-10-12T00:00:00.000Z', to: '2026-10-13T00:00:00.000Z' }, 10, 0)).total).toBe(1);
  });
});
