/**
 * Government services (一网通办) through the whole city: cases filed, accepted, paused for 补正,
 * resumed, approved and completed, every step found in the supervision log under the case number in
 * order and agreeing with the case's own history; bad input refused with codes and recorded; the
 * newborn bundle end to end, and compensated when the insurance platform fails.
 * The city runs on a set clock: Friday 9 October 2026, the day before a make-up Saturday.
 */
import { join } from 'node:path';
import { DatabaseSync } from 'node:sqlite';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestCity, type TestCity } from './support/city.ts';

const CITIZEN = '210102198503152318';
const OTHER = '210103198706060022';
const ENTERPRISE = '91210102MA0XK3F205';
const CLOCK = '2026-10-09T09:00:00+08:00';
let t: TestCity;
let citizen: string;
let insuranceStaff: string;
let populationStaff: string;
let auditor: string;

const CASE_FIELDS = `caseNumber state paused deadline remainingWorkingDays overdue acceptedAt
  matter { code promisedWorkingDays department }
  history { stage at note actor { role post department } part { name outcome } }
  bundle { state parts { name department outcome note } }`;
const SUBMIT = `mutation Submit($code: ID!, $docs: [DocumentInput!]!, $key: ID!) { submitApplication(matterCode: $code, documents: $docs, idempotencyKey: $key) { ${CASE_FIELDS} } }`;
const step = (name: string, extra = '', vars = '') => `mutation Step($n: ID!${vars}) { ${name}(caseNumber: $n${extra}) { ${CASE_FIELDS} } }`;
const ACCEPT = step('acceptApplication');
const SUPPLEMENT_REQUEST = step('requestSupplement', ', reason: $reason', ', $reason: String!');
const SUPPLEMENT = step('supplementApplication', ', documents: $docs', ', $docs: [DocumentInput!]!');
const APPROVE = step('approveApplication', ', note: "同意"');
const COMPLETE = step('completeApplication');
const LOG = `query Log($n: String!) { mutationLog(filter: { caseNumber: $n, department: "services" }, first: 40) { edges { node { seq kind field powerItem outcome errorCode caseNumber } } } }`;
const USE = `mutation Use($n: ID!, $d: ID!) { useDocument(caseNumber: $n, documentId: $d, purpose: "审批前核验") { valid } }`;
const NEWBORN = `mutation Newborn($input: NewbornInput!, $key: ID!) { applyNewbornBundle(input: $input, idempotencyKey: $key) { ${CASE_FIELDS} } }`;

const docs = (holder = CITIZEN) => [
  { material: 'SFZ', holderId: holder, fileId: 'DZZZ-SFZ-0001' },
  { material: 'CBPZ', holderId: holder, fileId: 'DZZZ-CBPZ-0001' },
];
const log = async (caseNumber: string) => {
  const r = await t.query(LOG, { token: auditor, variables: { n: caseNumber } });
  return ok(r, 'mutationLog').edges.map((e: any) => e.node);
};
const ok = (r: Awaited<ReturnType<TestCity['query']>>, field: string) => {
  expect(r.body.errors, JSON.stringify(r.body.errors)).toBeUndefined();
  return r.body.data[field];
};

beforeAll(async () => {
  t = await startTestCity({ env: { LOG_LEVEL: 'warn', CITYGRAPH_CLOCK: CLOCK } });
  citizen = await t.token({ role: 'citizen', sub: CITIZEN });
  insuranceStaff = await t.token({ role: 'staff', sub: 'staff-yb-0153', department: 'medicalInsurance' });
  populationStaff = await t.token({ role: 'staff', sub: 'staff-ga-0201', department: 'population' });
  auditor = await t.token({ role: 'auditor', sub: 'auditor-cases' });
}, 60_000);
afterAll(() => t?.stop());

describe('a case through the service hall', () => {
  it('files, accepts, pauses, resumes, approves and completes a case; each step is in the log in order, as in the history', async () => {
    const filed = ok(await t.query(SUBMIT, { token: citizen, variables: { code: 'YB0203', docs: docs(), key: 'case-flow-0001' } }), 'submitApplication');
    expect(filed).toMatchObject({ state: 'SUBMITTED', deadline: null, overdue: null, paused: false });
    const n = filed.caseNumber;

    const accepted = ok(await t.query(ACCEPT, { token: insuranceStaff, variables: { n } }), 'acceptApplication');
    // Accepted Friday 9 Oct 2026, 15 working days: Saturday 10 Oct is a make-up working day and counts.
    expect(accepted).toMatchObject({ state: 'ACCEPTED', deadline: '2026-10-29', remainingWorkingDays: 15, overdue: false, paused: false });

    const paused = ok(await t.query(SUPPLEMENT_REQUEST, { token: insuranceStaff, variables: { n, reason: '参保凭证扫描件不清晰' } }), 'requestSupplement');
    expect(paused).toMatchObject({ state: 'SUPPLEMENT_REQUESTED', paused: true, deadline: null, remainingWorkingDays: 15 });

    const resumed = ok(await t.query(SUPPLEMENT, { token: citizen, variables: { n, docs: [docs()[1]] } }), 'supplementApplication');
    // Documents arrived the same Friday: the count goes on from Saturday, nothing lost or gained.
    expect(resumed).toMatchObject({ state: 'ACCEPTED', paused: false, deadline: '2026-10-29' });

    // Nothing is approved on an unchecked document: staff check each certificate the case refers to first (test/documents.test.ts).
    for (const d of ['DZZZ-SFZ-0001', 'DZZZ-CBPZ-0001']) expect(ok(await t.query(USE, { token: insuranceStaff, variables: { n, d } }), 'useDocument')).toEqual({ valid: true });
    ok(await t.query(APPROVE, { token: insuranceStaff, variables: { n } }), 'approveApplication');
    const done = ok(await t.query(COMPLETE, { token: insuranceStaff, variables: { n } }), 'completeApplication');
    expect(done.state).toBe('COMPLETED');
    expect(done.history.map((s: any) => s.stage)).toEqual(['SUBMITTED', 'ACCEPTED', 'SUPPLEMENT_REQUESTED', 'SUPPLEMENT_RECEIVED', 'APPROVED', 'COMPLETED']);
    expect(done.history[1].actor).toEqual({ role: 'STAFF', post: '窗口受理人员', department: 'medicalInsurance' });
    expect(done.history[3].actor).toEqual({ role: 'APPLICANT', post: null, department: null });

    const records = await log(n);
    expect(records.map((r: any) => [r.field, r.kind, r.outcome])).toEqual([
      // The hall assigns the number on filing, so the filing's outcome carries it (its intent, written before, cannot).
      ['Mutation.submitApplication', 'OUTCOME', 'SUCCESS'],
      ['Mutation.acceptApplication', 'INTENT', 'PENDING'],
      ['Mutation.acceptApplication', 'OUTCOME', 'SUCCESS'],
      ['Mutation.requestSupplement', 'INTENT', 'PENDING'],
      ['Mutation.requestSupplement', 'OUTCOME', 'SUCCESS'],
      ['Mutation.supplementApplication', 'INTENT', 'PENDING'],
      ['Mutation.supplementApplication', 'OUTCOME', 'SUCCESS'],
      ['Mutation.approveApplication', 'INTENT', 'PENDING'],
      ['Mutation.approveApplication', 'OUTCOME', 'SUCCESS'],
      ['Mutation.completeApplication', 'INTENT', 'PENDING'],
      ['Mutation.completeApplication', 'OUTCOME', 'SUCCESS'],
    ]);
    expect(records.map((r: any) => r.powerItem)).toEqual(['ZW-SQ-01', 'ZW-SL-02', 'ZW-SL-02', 'ZW-BZ-03', 'ZW-BZ-03', 'ZW-BZ-04', 'ZW-BZ-04', 'ZW-SP-05', 'ZW-SP-05', 'ZW-BJ-07', 'ZW-BJ-07']);
    // The log's steps and the history's steps are the same steps in the same order.
    const logged = records.filter((r: any) => r.kind === 'OUTCOME').map((r: any) => r.field.replace('Mutation.', ''));
    expect(logged).toEqual(['submitApplication', 'acceptApplication', 'requestSupplement', 'supplementApplication', 'approveApplication', 'completeApplication']);
    expect(records.every((r: any) => r.caseNumber === n)).toBe(true);
  });

  it('refuses bad input with coded errors, leaves the case unchanged and records every attempt', async () => {
    const unknown = await t.query(SUBMIT, { token: citizen, variables: { code: 'GA9999', docs: [], key: 'bad-matter-0001' } });
    expect(unknown.body.errors?.[0]?.extensions).toMatchObject({ code: 'BAD_USER_INPUT', details: { rule: 'matterCode' } });
    const missing = await t.query(SUBMIT, { token: citizen, variables: { code: 'YB0203', docs: [docs()[0]], key: 'bad-docs-00001' } });
    expect(missing.body.errors?.[0]).toMatchObject({ message: expect.stringContaining('CBPZ (参保凭证)'), extensions: { code: 'BAD_USER_INPUT', details: { rule: 'requiredDocument' } } });
    const foreign = await t.query(SUBMIT, { token: citizen, variables: { code: 'YB0203', docs: docs(OTHER), key: 'bad-docs-00002' } });
    expect(foreign.body.errors?.[0]?.extensions).toMatchObject({ code: 'BAD_USER_INPUT', details: { rule: 'documentHolder' } });

    const n = ok(await t.query(SUBMIT, { token: citizen, variables: { code: 'YB0203', docs: docs(), key: 'bad-steps-0001' } }), 'submitApplication').caseNumber;
    const early = await t.query(APPROVE, { token: insuranceStaff, variables: { n } });
    expect(early.body.errors?.[0]?.extensions?.code).toBe('CASE_STATE_CONFLICT');
    const wrongDept = await t.query(ACCEPT, { token: populationStaff, variables: { n } });
    expect(wrongDept.body.errors?.[0]?.extensions?.code).toBe('FORBIDDEN');
    const byApplicant = await t.query(ACCEPT, { token: citizen, variables: { n } });
    expect(byApplicant.body.errors?.[0]?.extensions?.code).toBe('FORBIDDEN');
    const badNumber = await t.query(ACCEPT, { token: insuranceStaff, variables: { n: '12345' } });
    expect(badNumber.body.errors?.[0]?.extensions).toMatchObject({ code: 'BAD_USER_INPUT', details: { rule: 'caseNumber' } });

    const after = ok(await t.query(`query($n: ID!) { application(caseNumber: $n) { state history { stage } } }`, { token: citizen, variables: { n } }), 'application');
    expect(after).toEqual({ state: 'SUBMITTED', history: [{ stage: 'SUBMITTED' }] });
    const outcomes = (await log(n)).filter((r: any) => r.kind === 'OUTCOME').map((r: any) => [r.field, r.outcome, r.errorCode]);
    expect(outcomes).toEqual([
      ['Mutation.submitApplication', 'SUCCESS', null],
      ['Mutation.approveApplication', 'ERROR', 'CASE_STATE_CONFLICT'],
      ['Mutation.acceptApplication', 'DENIED', 'FORBIDDEN'],
      ['Mutation.acceptApplication', 'DENIED', 'FORBIDDEN'],
    ]);
  });

  it("shows a citizen their seeded history across states, some overdue, and keeps staff of other departments out of a case's facts", async () => {
    const r = await t.query(`query($id: ID!) { citizen(id: $id) { applications { caseNumber state overdue deadline matter { department } } } }`, { token: citizen, variables: { id: CITIZEN } });
    const apps = ok(r, 'citizen').applications;
    expect(new Set(apps.map((a: any) => a.state)).size).toBeGreaterThanOrEqual(6);
    expect(apps.length).toBeGreaterThanOrEqual(10);
    expect(apps.some((a: any) => a.overdue === true)).toBe(true);
    const seeded = apps.find((a: any) => a.matter.department === 'medicalInsurance' && a.state === 'COMPLETED');
    const peek = await t.query(`query($n: ID!) { application(caseNumber: $n) { caseNumber state } }`, { token: populationStaff, variables: { n: seeded.caseNumber } });
    // Its non-null fields are denied, so the whole case is null: nothing of it shows.
    expect(peek.body.data.application).toBeNull();
    expect(peek.body.errors?.[0]?.extensions?.code).toBe('FORBIDDEN');
  });

  it("files for a citizen through an app holding services:apply, and shows an enterprise its own cases", async () => {
    const app = await t.token({ role: 'app', sub: 'shengshitong', onBehalfOf: CITIZEN, scopes: ['services:apply', 'services:read'] });
    const filed = ok(await t.query(SUBMIT, { token: app, variables: { code: 'GA0105', docs: [], key: 'app-files-0001' } }), 'submitApplication');
    expect(filed).toMatchObject({ state: 'SUBMITTED', matter: { code: 'GA0105', department: 'population' } });
    const noScope = await t.token({ role: 'app', sub: 'shengshitong', onBehalfOf: CITIZEN, scopes: ['services:read'] });
    expect((await t.query(SUBMIT, { token: noScope, variables: { code: 'GA0105', docs: [], key: 'app-files-0002' } })).body.errors?.[0]?.extensions?.code).toBe('FORBIDDEN');

    const enterprise = await t.token({ role: 'enterprise', sub: ENTERPRISE });
    const own = ok(await t.query(SUBMIT, { token: enterprise, variables: { code: 'SC0406', docs: [], key: 'ent-files-0001' } }), 'submitApplication');
    const r = await t.query(`query($n: ID!) { application(caseNumber: $n) { enterprise { uscc applications { caseNumber state } } } }`, { token: enterprise, variables: { n: own.caseNumber } });
    const mine = ok(r, 'application').enterprise;
    expect(mine.uscc).toBe(ENTERPRISE);
    expect(mine.applications.map((a: any) => a.caseNumber)).toContain(own.caseNumber);
    expect(mine.applications.length).toBeGreaterThan(1); // the seeded history of the demo enterprise too
  });

  it('reports malformed XML from the hall as ADAPTER_BAD_REPLY, the rest of the answer intact', async () => {
    await t.fault('serviceHall-standin', { mode: 'badXml' });
    try {
      const r = await t.query(`query($id: ID!) { citizen(id: $id) { name applications { caseNumber } } }`, { token: citizen, variables: { id: CITIZEN } });
      expect(r.body.data.citizen).toEqual({ name: '王立军', applications: null });
      expect(r.body.errors?.[0]?.extensions).toMatchObject({ code: 'ADAPTER_BAD_REPLY', department: 'serviceHall' });
    } finally {
      await t.fault('serviceHall-standin', { mode: null });
    }
  });

  it('gets a new hall token when the old one expired, and reports a non-200 STATUS as LEGACY_ERROR of serviceHall', async () => {
    const url = t.city.services['serviceHall-standin']!.url;
    await fetch(`${url}/__tokens/expire`, { method: 'POST' });
    const again = await t.query(`{ matter(code: "GA0101") { name promisedWorkingDays zeroMaterial } }`, { token: citizen });
    expect(ok(again, 'matter')).toEqual({ name: '出生登记', promisedWorkingDays: 5, zeroMaterial: false });
    await t.fault('serviceHall-standin', { mode: 'status500' });
    try {
      const r = await t.query(`{ matters(department: "population") { code } }`, { token: citizen });
      expect(r.body.errors?.[0]?.extensions).toMatchObject({ code: 'LEGACY_ERROR', department: 'serviceHall' });
      expect(JSON.stringify(r.body)).not.toMatch(/系统异常|127\.0\.0\.1/);
    } finally {
      await t.fault('serviceHall-standin', { mode: null });
    }
  });
});

describe('who read a case (阳光示权)', () => {
  it('records a staff member reading a case\'s state and matter as a read of the applicant\'s data, and not the applicant\'s own read', async () => {
    const filed = ok(await t.query(SUBMIT, { token: citizen, variables: { code: 'YB0203', docs: docs(), key: 'case-read-0001' } }), 'submitApplication');
    const accesses = `{ citizen(id: "${CITIZEN}") { dataAccesses(first: 100) { edges { node { department reader { role department } fields } } } } }`;
    const count = async () =>
      ok(await t.query(accesses, { token: citizen }), 'citizen').dataAccesses.edges.filter(
        (e: any) => e.node.department === 'services' && e.node.reader.role === 'staff' && e.node.fields.includes('Application.state'),
      ).length;
    const before = await count();
    ok(await t.query(`query($n: ID!) { application(caseNumber: $n) { state matter { code } } }`, { token: citizen, variables: { n: filed.caseNumber } }), 'application');
    expect(await count()).toBe(before);
    ok(await t.query(`query($n: ID!) { application(caseNumber: $n) { state matter { code } } }`, { token: insuranceStaff, variables: { n: filed.caseNumber } }), 'application');
    expect(await count()).toBe(before + 1);
  });
});

describe('the newborn bundle (新生儿出生一件事)', () => {
  const input = (certificate: string) => ({ childName: '王小雨', childGender: 'FEMALE', birthDate: '2026-09-30', birthCertificate: certificate });

  it('registers the birth, enrols the child in resident insurance, records the child on the parent\'s housing-fund account, and completes the case', async () => {
    const r = ok(await t.query(NEWBORN, { token: citizen, variables: { input: input('Q210000001'), key: 'newborn-ok-0001' } }), 'applyNewbornBundle');
    expect(r.state).toBe('COMPLETED');
    expect(r.bundle).toEqual({
      state: 'DONE',
      parts: [
        { name: 'population.registerBirth', department: 'population', outcome: 'DONE', note: expect.any(String) },
        { name: 'medicalInsurance.enrolResident', department: 'medicalInsurance', outcome: 'DONE', note: expect.any(String) },
        { name: 'housingFund.familyRecord', department: 'housingFund', outcome: 'DONE', note: "Family record added to the parent's housing-fund account." },
      ],
    });
    // The record is in the fund's own table, once, valid.
    const fund = new DatabaseSync(join(t.dataDir, 'housing-fund-frontdb.sqlite'), { readOnly: true });
    try {
      expect(fund.prepare("SELECT ZJHM, CYXM, YHZGX, ZT FROM GRJTCY WHERE CYXM = '王小雨'").all().map((r) => ({ ...r }))).toEqual([{ ZJHM: CITIZEN, CYXM: '王小雨', YHZGX: '20', ZT: '01' }]);
    } finally {
      fund.close();
    }
    const fields = (await log(r.caseNumber)).map((x: any) => `${x.field}:${x.kind}:${x.outcome}`);
    expect(fields).toEqual([
      'Bundle.newborn.services.accept:INTENT:PENDING', 'Bundle.newborn.services.accept:OUTCOME:SUCCESS',
      'Bundle.newborn.population.registerBirth:INTENT:PENDING', 'Bundle.newborn.population.registerBirth:OUTCOME:SUCCESS',
      'Bundle.newborn.medicalInsurance.enrolResident:INTENT:PENDING', 'Bundle.newborn.medicalInsurance.enrolResident:OUTCOME:SUCCESS',
      'Bundle.newborn.housingFund.familyRecord:INTENT:PENDING', 'Bundle.newborn.housingFund.familyRecord:OUTCOME:SUCCESS',
      'Bundle.newborn.services.approve:INTENT:PENDING', 'Bundle.newborn.services.approve:OUTCOME:SUCCESS',
      'Bundle.newborn.services.complete:INTENT:PENDING', 'Bundle.newborn.services.complete:OUTCOME:SUCCESS',
      'Mutation.applyNewbornBundle:OUTCOME:SUCCESS',
    ]);
    // A replay with the same key sends nothing again.
    const before = await t.stats('population-standin');
    const replay = ok(await t.query(NEWBORN, { token: citizen, variables: { input: input('Q210000001'), key: 'newborn-ok-0001' } }), 'applyNewbornBundle');
    expect(replay.caseNumber).toBe(r.caseNumber);
    expect((await t.stats('population-standin')).requests).toBe(before.requests);
  });

  it('with the housing fund\'s table locked, undoes the enrolment and the birth registration and ends COMPENSATED', async () => {
    await t.fault('housingFund-standin', { mode: 'lock' });
    let r;
    try {
      r = ok(await t.query(NEWBORN, { token: citizen, variables: { input: input('Q210000009'), key: 'newborn-fund-lock-01' } }), 'applyNewbornBundle');
    } finally {
      await t.fault('housingFund-standin', { mode: null });
    }
    expect(r.bundle.state).toBe('COMPENSATED');
    expect(r.bundle.parts.map((p: any) => [p.name, p.outcome])).toEqual([
      ['population.registerBirth', 'COMPENSATED'],
      ['medicalInsurance.enrolResident', 'COMPENSATED'],
      ['housingFund.familyRecord', 'FAILED'],
    ]);
  });

  it('with the insurance platform failing, undoes the birth registration and ends COMPENSATED, every step recorded', async () => {
    await t.fault('medicalInsurance-standin', { mode: 'infcodeError' });
    let r;
    try {
      r = ok(await t.query(NEWBORN, { token: citizen, variables: { input: input('Q210000002'), key: 'newborn-fail-01' } }), 'applyNewbornBundle');
    } finally {
      await t.fault('medicalInsurance-standin', { mode: null });
    }
    expect(r.state).toBe('ACCEPTED');
    expect(r.bundle.state).toBe('COMPENSATED');
    expect(r.bundle.parts.map((p: any) => [p.name, p.outcome])).toEqual([
      ['population.registerBirth', 'COMPENSATED'],
      ['medicalInsurance.enrolResident', 'FAILED'],
    ]);
    expect(r.bundle.parts[1].note).toMatch(/^LEGACY_ERROR: /);
    expect(r.history.filter((s: any) => s.part).map((s: any) => `${s.part.name}:${s.part.outcome}`)).toEqual([
      'population.registerBirth:DONE', 'medicalInsurance.enrolResident:FAILED', 'population.registerBirth:COMPENSATED',
    ]);
    const records = (await log(r.caseNumber)).map((x: any) => `${x.field}:${x.kind}:${x.outcome}${x.errorCode ? `:${x.errorCode}` : ''}`);
    expect(records).toEqual([
      'Bundle.newborn.services.accept:INTENT:PENDING', 'Bundle.newborn.services.accept:OUTCOME:SUCCESS',
      'Bundle.newborn.population.registerBirth:INTENT:PENDING', 'Bundle.newborn.population.registerBirth:OUTCOME:SUCCESS',
      'Bundle.newborn.medicalInsurance.enrolResident:INTENT:PENDING', 'Bundle.newborn.medicalInsurance.enrolResident:OUTCOME:ERROR:LEGACY_ERROR',
      'Bundle.newborn.population.registerBirth.compensate:INTENT:PENDING', 'Bundle.newborn.population.registerBirth.compensate:OUTCOME:SUCCESS',
      'Mutation.applyNewbornBundle:OUTCOME:SUCCESS',
    ]);
    // The same birth certificate can be registered again: the first registration really was revoked.
    const retry = ok(await t.query(NEWBORN, { token: citizen, variables: { input: input('Q210000002'), key: 'newborn-fail-02' } }), 'applyNewbornBundle');
    expect(retry.bundle.state).toBe('DONE');
  });

  it('flags the case for staff when the birth registration cannot be undone either, with the reason', async () => {
    // The insurance platform answers slowly and then refuses; meanwhile the registry starts failing too.
    await t.fault('medicalInsurance-standin', { mode: 'infcodeError', latencyMs: 1500 });
    const before = (await t.stats('population-standin')).requests;
    const pending = t.query(NEWBORN, { token: citizen, variables: { input: input('Q210000003'), key: 'newborn-flag-01' } });
    // Once the registry has seen the registration (and while the platform still holds the enrolment), it starts failing.
    while ((await t.stats('population-standin')).requests === before) await new Promise((r) => setTimeout(r, 20));
    await t.fault('population-standin', { mode: 'errflag' });
    let r;
    try {
      r = ok(await pending, 'applyNewbornBundle');
    } finally {
      await t.fault('medicalInsurance-standin', { mode: null, latencyMs: 0 });
      await t.fault('population-standin', { mode: null });
    }
    expect(r.bundle.state).toBe('FLAGGED_FOR_STAFF');
    expect(r.bundle.parts.map((p: any) => [p.name, p.outcome])).toEqual([['population.registerBirth', 'FLAGGED'], ['medicalInsurance.enrolResident', 'FAILED']]);
    expect(r.bundle.parts[0].note).toMatch(/^Undoing it failed \(LEGACY_ERROR: .*\): staff must reverse it by hand\.$/);
    const records = (await log(r.caseNumber)).map((x: any) => `${x.field}:${x.kind}:${x.outcome}`);
    expect(records.slice(-3)).toEqual([
      'Bundle.newborn.population.registerBirth.compensate:INTENT:PENDING', 'Bundle.newborn.population.registerBirth.compensate:OUTCOME:ERROR', 'Mutation.applyNewbornBundle:OUTCOME:SUCCESS',
    ]);
  });
});
