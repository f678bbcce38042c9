import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { computeDeadline, chinaDay } from '../../../core/calendar/index.ts';
import { createServiceHallAdapter, type ServiceHallAdapter } from '../index.ts';
import { DEV_APP_ID, DEV_APP_SECRET, DEMO_APPLICANT, DEMO_ENTERPRISE, startServiceHallStandIn, type ServiceHallStandIn } from '../standin/index.ts';

const ctx = { requestId: 'test-req-1' };
const window = (department: string) => ({ department, post: '窗口受理人员', account: 'staff-test' });
let hall: ServiceHallStandIn;
let adapter: ServiceHallAdapter;
const control = (path: string, body?: unknown) => fetch(`${hall.url}${path}`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body ?? {}) });
const stats = async () => (await fetch(`${hall.url}/__stats`)).json() as Promise<{ tokens: number; expired: number }>;

beforeAll(async () => {
  hall = await startServiceHallStandIn({ now: () => new Date('2026-10-09T01:00:00Z') });
  adapter = createServiceHallAdapter({ url: hall.url, retries: 0, timeoutMs: 500 });
});
afterAll(() => hall.close());
beforeEach(async () => {
  await control('/__faults', { mode: null, latencyMs: 0 });
});

describe('service hall adapter against its stand-in', () => {
  it('uses the stand-in\'s development credentials by default', () => {
    expect([DEV_APP_ID, DEV_APP_SECRET]).toEqual(['citygraph', 'DEV-ONLY-not-a-secret-service-hall']);
  });

  it('reads a catalogue of at least 30 matters across five departments, with days and documents', async () => {
    const matters = await adapter.listMatters(null, ctx);
    expect(matters.length).toBeGreaterThanOrEqual(30);
    expect(new Set(matters.map((m) => m.department))).toEqual(new Set(['population', 'medicalInsurance', 'housingFund', 'marketRegulation', 'parking', 'services']));
    const birth = matters.find((m) => m.code === 'GA0101')!;
    expect(birth).toMatchObject({ name: '出生登记', department: 'population', legalWorkingDays: 20, promisedWorkingDays: 5, zeroMaterial: false });
    expect(birth.documents.map((d) => d.code)).toContain('CSYXZM');
    expect((await adapter.listMatters('medicalInsurance', ctx)).every((m) => m.department === 'medicalInsurance')).toBe(true);
  });

  it('holds seeded cases of the demo citizen and enterprise in every state, some of them overdue on the real calendar', async () => {
    const cases = [...(await adapter.casesOf(DEMO_APPLICANT, ctx)), ...(await adapter.casesOf(DEMO_ENTERPRISE, ctx))];
    expect(new Set(cases.map((c) => c.state))).toEqual(new Set(['SUBMITTED', 'PRE_REVIEWED', 'ACCEPTED', 'SUPPLEMENT_REQUESTED', 'APPROVED', 'COMPLETED', 'NOT_ACCEPTED', 'REJECTED']));
    const today = '2026-10-09';
    const overdue = cases.filter((c) => {
      if (!c.acceptedAt) return false;
      const decided = c.history.find((s) => s.stage === 'APPROVED' || s.stage === 'REJECTED');
      const pauses = c.history.filter((s) => s.stage === 'SUPPLEMENT_REQUESTED').map((s) => ({ from: s.day, to: null }));
      return computeDeadline({ workingDays: c.promisedWorkingDays, acceptedOn: chinaDay(new Date(c.acceptedAt)), pauses, endedOn: decided?.day ?? null, today }).overdue;
    });
    expect(overdue.length).toBeGreaterThan(0);
    // The mapper is a whitelist: the hall's staff names never come out.
    expect(JSON.stringify(cases)).not.toMatch(/张敏|李建国|staff-SY/);
  });

  it('keeps DataLoader\'s contract: same order, null for an unknown case number', async () => {
    const [known] = await adapter.casesOf(DEMO_APPLICANT, ctx);
    const got = await adapter.loadCases(['2101009999999999', known!.caseNumber, '2101009999999999'], ctx);
    expect(got[0]).toBeNull();
    expect((got[1] as { caseNumber: string }).caseNumber).toBe(known!.caseNumber);
    expect(got[2]).toBeNull();
  });

  it('moves a case through submit, accept, 补正, documents, approval and completion; a wrong step is CASE_STATE_CONFLICT', async () => {
    const doc = { material: 'SFZ', holderId: DEMO_APPLICANT, fileId: 'DZZZ-TEST-1' };
    const filed = await adapter.submit({ matterCode: 'YB0203', applicant: { kind: 'citizen', id: DEMO_APPLICANT }, idempotencyKey: 'adapter-test-1', documents: [doc, { ...doc, material: 'CBPZ' }] }, ctx);
    expect(filed.state).toBe('SUBMITTED');
    const again = await adapter.submit({ matterCode: 'YB0203', applicant: { kind: 'citizen', id: DEMO_APPLICANT }, idempotencyKey: 'adapter-test-1', documents: [doc, { ...doc, material: 'CBPZ' }] }, ctx);
    expect(again.caseNumber).toBe(filed.caseNumber);
    await expect(adapter.decide(filed.caseNumber, window('medicalInsurance'), true, '同意', ctx)).rejects.toMatchObject({ code: 'CASE_STATE_CONFLICT' });
    await expect(adapter.accept(filed.caseNumber, window('population'), ctx)).rejects.toMatchObject({ code: 'FORBIDDEN' });
    expect((await adapter.accept(filed.caseNumber, window('medicalInsurance'), ctx)).state).toBe('ACCEPTED');
    expect((await adapter.requestSupplement(filed.caseNumber, window('medicalInsurance'), '参保凭证不清晰', ctx)).state).toBe('SUPPLEMENT_REQUESTED');
    expect((await adapter.supplement(filed.caseNumber, DEMO_APPLICANT, [{ ...doc, material: 'CBPZ', fileId: 'DZZZ-TEST-2' }], ctx)).state).toBe('ACCEPTED');
    expect((await adapter.decide(filed.caseNumber, window('medicalInsurance'), true, '同意', ctx)).state).toBe('APPROVED');
    const done = await adapter.complete(filed.caseNumber, window('medicalInsurance'), ctx);
    expect(done.history.map((s) => s.stage)).toEqual(['SUBMITTED', 'ACCEPTED', 'SUPPLEMENT_REQUESTED', 'SUPPLEMENT_RECEIVED', 'APPROVED', 'COMPLETED']);
    expect(done.history[1]!.actor).toEqual({ role: 'staff', post: '窗口受理人员', department: 'medicalInsurance' });
  });

  it('fetches a new access token when the hall says the old one expired, and goes on', async () => {
    await adapter.listMatters(null, ctx);
    const before = await stats();
    await control('/__tokens/expire');
    expect((await adapter.listMatters('population', ctx)).length).toBeGreaterThan(0);
    const after = await stats();
    expect(after.tokens - before.tokens).toBe(1);
    expect(after.expired - before.expired).toBe(1);
  });

  it('refreshes a token that runs out by its lifetime before sending it', async () => {
    const shortHall = await startServiceHallStandIn({ tokenTtlMs: 60_000 });
    try {
      const a = createServiceHallAdapter({ url: shortHall.url, retries: 0 });
      await a.listMatters(null, ctx);
      await a.listMatters(null, ctx);
      // A 60 s token is inside the 60 s safety margin: each call takes a fresh one, none is refused.
      const s = (await (await fetch(`${shortHall.url}/__stats`)).json()) as Record<string, number>;
      expect(s).toMatchObject({ tokens: 2, expired: 0 });
    } finally {
      await shortHall.close();
    }
  });

  it('maps a non-200 STATUS, malformed XML, a proxy error and a timeout to codes without the hall\'s text', async () => {
    await control('/__faults', { mode: 'status500' });
    const e1 = await adapter.listMatters(null, ctx).catch((e: unknown) => e);
    expect(e1).toMatchObject({ code: 'LEGACY_ERROR', department: 'serviceHall' });
    expect((e1 as Error).message).not.toMatch(/系统异常/);
    await control('/__faults', { mode: 'badXml' });
    await expect(adapter.listMatters(null, ctx)).rejects.toMatchObject({ code: 'ADAPTER_BAD_REPLY' });
    await control('/__faults', { mode: 'httpError' });
    await expect(adapter.listMatters(null, ctx)).rejects.toMatchObject({ code: 'ADAPTER_UNAVAILABLE' });
    await control('/__faults', { mode: 'timeout' });
    await expect(adapter.loadCases(['2101009999999999'], ctx)).resolves.toEqual([expect.objectContaining({ code: 'ADAPTER_TIMEOUT' })]);
  });

  it('refuses a case with an unknown state code instead of passing it on', async () => {
    const { mapCase } = await import('../mapper.ts');
    const [c] = await adapter.casesOf(DEMO_APPLICANT, ctx);
    expect(c).toBeDefined();
    const raw = { SBLSH: '2101002501060001', SXBM: 'GA0101', SSBM: 'SYGAJ', SQRLX: '1', SQRZJHM: DEMO_APPLICANT, BJZT: '09', SQSJ: '2025-01-06 09:00:00', PROMISE_DAYS: '5' };
    expect(mapCase(raw)).toMatchObject({ code: 'ADAPTER_BAD_REPLY', details: { field: 'state' } });
  });
});
