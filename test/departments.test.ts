/**
 * Whole-system tests of the housing fund and the enterprise registry, on one real city shared by every
 * test of this file: the four-department dashboard costs one call per department, a withdrawal sent
 * twice at once with one key is one request recorded with its power items, the enterprise principal,
 * and bad input refused with codes before any legacy call.
 */
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { generateFund } from '../adapters/housingFund/standin/index.ts';
import { openSqliteFrontDb } from '../adapters/housingFund/sql.ts';
import { DEMO_CLOSED_USCC, DEMO_ENTERPRISE_USCC } from '../adapters/marketRegulation/standin/index.ts';
import { DEMO_CITIZEN_ID } from '../adapters/population/standin/index.ts';
import { API_KEY_HEADER, issueApiKey } from '../gateway/auth/index.ts';
import { ACCESS_TABLE_FILE, parseAccessTable } from '../scripts/lib/access-table.ts';
import { dig, expectation, type Caller, type Probe } from './support/access.ts';
import { startTestCity, type GraphQLResponse, type TestCity } from './support/city.ts';

const samples = generateFund().samples;
let t: TestCity;
let citizen: string;
let auditor: string;
let fundStaff: string;
let registryStaff: string;

const DASHBOARD = `query Dashboard($id: ID!) { citizen(id: $id) {
  name
  insurance { status type typeCode balance }
  housingFund { accountNo balance carriedOver depositedThisYear depositBase personalRate employerRate paidUpTo status openedOn
    withdrawals { requestNo reason amount status submittedAt } }
  representedEnterprises { uscc name status registeredCapital establishedOn legalRepresentative { name } operatingPeriod { from to } }
} }`;
const APPLY = `mutation Apply($input: HousingFundWithdrawalInput!) { applyHousingFundWithdrawal(input: $input) { requestNo reason amount status submittedAt } }`;
const REVIEW = `mutation Review($no: ID!, $ok: Boolean!, $note: String) { reviewHousingFundWithdrawal(requestNo: $no, approve: $ok, note: $note) { requestNo status reviewNote } }`;
const LOG = `query Log($filter: MutationLogFilter) { mutationLog(filter: $filter, first: 50) { totalCount
  edges { node { seq kind field powerItem outcome errorCode caseNumber intentSeq actor { role } subject { kind masked } args } } } }`;

const input = (over: Record<string, unknown> = {}) => ({
  citizenId: DEMO_CITIZEN_ID, reason: 'RENT', amount: '1500.00', bankAccount: '6222 0212 3456 7890 123', bankAccountName: '王立军',
  bankName: '中国工商银行沈阳和平支行', documentNo: 'ZL-2026-1201', idempotencyKey: `k-${Date.now()}-${Math.random().toString(36).slice(2, 8)}`, ...over,
});

function errorsOf(r: GraphQLResponse): Array<{ code?: string; rule?: string; department?: string; message: string; path?: unknown[] }> {
  return (r.body.errors ?? []).map((e) => ({ code: e.extensions?.code, rule: e.extensions?.details?.rule, department: e.extensions?.department, message: e.message, path: e.path }));
}

beforeAll(async () => {
  t = await startTestCity();
  citizen = await t.token({ role: 'citizen', sub: DEMO_CITIZEN_ID });
  auditor = await t.token({ role: 'auditor', sub: 'auditor-1' });
  fundStaff = await t.token({ role: 'staff', sub: 'gjj-clerk-1', department: 'housingFund' });
  registryStaff = await t.token({ role: 'staff', sub: 'scjg-clerk-1', department: 'marketRegulation' });
}, 120_000);
afterAll(() => t?.stop());
beforeEach(() => t.resetStats());

describe('a citizen\'s dashboard over four departments', () => {
  it('answers name, insurance, housing fund and represented enterprises with exactly one call per department', async () => {
    const r = await t.query(DASHBOARD, { token: citizen, variables: { id: DEMO_CITIZEN_ID } });
    expect(r.body.errors, JSON.stringify(r.body.errors)).toBeUndefined();
    const c = r.body.data.citizen;
    expect(c.name).toBe('王立军');
    expect(c.insurance).toEqual({ status: 'ACTIVE', type: 'EMPLOYEE', typeCode: '310', balance: '1523.40' });
    expect(c.housingFund).toMatchObject({
      accountNo: '210100000001', carriedOver: '80180.35', depositedThisYear: '6240.00', depositBase: '6500.00', personalRate: '0.12',
      employerRate: '0.12', paidUpTo: '2026-04', status: 'ACTIVE', openedOn: '2008-07-01',
    });
    expect(c.housingFund.withdrawals).toContainEqual({ requestNo: 'TQ2024052000000001', reason: 'RENT', amount: '12000.00', status: 'PAID', submittedAt: '2024-05-20T02:31:02.000Z' });
    const byCode = Object.fromEntries(c.representedEnterprises.map((e: { uscc: string }) => [e.uscc, e]));
    expect(byCode[DEMO_ENTERPRISE_USCC]).toEqual({
      uscc: DEMO_ENTERPRISE_USCC, name: '沈阳立军精密机床有限公司', status: 'ACTIVE', registeredCapital: '500', establishedOn: '2016-08-18',
      legalRepresentative: { name: '王立军' }, operatingPeriod: { from: '2016-08-18', to: null },
    });
    expect(byCode[DEMO_CLOSED_USCC]).toMatchObject({ status: 'DEREGISTERED', registeredCapital: '3.5' });
    const names = ['population-standin', 'medicalInsurance-standin', 'housingFund-standin', 'marketRegulation-standin'] as const;
    const stats = await Promise.all(names.map((s) => t.stats(s)));
    expect(stats.map((s) => s.requests)).toEqual([1, 1, 1, 1]);
    const fund = stats[2]!;
    // The fund's counter is the exchange log: one SELECT, with its IN (…) list.
    expect(fund.statements).toEqual({ SELECT: 1 });
  });

  it('keeps the rest of the answer when the fund locks its tables, and names the department', async () => {
    await t.fault('housingFund-standin', { mode: 'lock' });
    try {
      const r = await t.query(`{ citizen(id: "${DEMO_CITIZEN_ID}") { name housingFund { balance } representedEnterprises { uscc } } }`, { token: citizen });
      expect(r.body.data.citizen.name).toBe('王立军');
      expect(r.body.data.citizen.housingFund).toBeNull();
      expect(r.body.data.citizen.representedEnterprises.length).toBe(2);
      expect(errorsOf(r)).toEqual([expect.objectContaining({ code: 'ADAPTER_UNAVAILABLE', department: 'housingFund' })]);
      expect(JSON.stringify(r.body)).not.toMatch(/SELECT|sqlite|GRZHXX/i);
    } finally {
      await t.fault('housingFund-standin', { mode: null });
    }
    const again = await t.query(`{ citizen(id: "${DEMO_CITIZEN_ID}") { housingFund { balance } } }`, { token: citizen });
    expect(again.body.data.citizen.housingFund.balance).toMatch(/^\d+\.\d{2}$/);
  });

  it('answers ADAPTER_BAD_REPLY for an amount column holding text, without the text, and writes nothing', async () => {
    await t.fault('housingFund-standin', { mode: 'textInAmount' });
    try {
      const r = await t.query(`{ citizen(id: "${DEMO_CITIZEN_ID}") { name housingFund { balance } } }`, { token: citizen });
      expect(r.body.data.citizen).toEqual({ name: '王立军', housingFund: null });
      expect(errorsOf(r)[0]).toMatchObject({ code: 'ADAPTER_BAD_REPLY', department: 'housingFund' });
      expect(JSON.stringify(r.body)).not.toContain('壹万');
      const m = await t.query(APPLY, { token: citizen, variables: { input: input() } });
      expect(errorsOf(m)[0]).toMatchObject({ code: 'ADAPTER_BAD_REPLY' });
      expect((await t.stats('housingFund-standin')).statements?.INSERT).toBeUndefined();
    } finally {
      await t.fault('housingFund-standin', { mode: null });
    }
  });
});

describe('housing fund withdrawals', () => {
  it('leaves one request for a withdrawal applied twice at once with one key; both attempts and the review are in the supervision log with their power items', async () => {
    const key = 'dashboard-dup-0001';
    const body = input({ idempotencyKey: key, amount: '2000.00' });
    const [a, b] = await Promise.all([1, 2].map(() => t.query(APPLY, { token: citizen, variables: { input: body } })));
    expect(a!.body.errors).toBeUndefined();
    expect(b!.body.errors).toBeUndefined();
    const requestNo = a!.body.data.applyHousingFundWithdrawal.requestNo;
    expect(b!.body.data.applyHousingFundWithdrawal.requestNo).toBe(requestNo);
    expect(a!.body.data.applyHousingFundWithdrawal).toMatchObject({ reason: 'RENT', amount: '2000.00', status: 'PENDING_REVIEW' });
    const db = await openSqliteFrontDb(resolve(t.dataDir, 'housing-fund-frontdb.sqlite'));
    try {
      expect(await db.all('SELECT SQBH, YWZT FROM GRTQSQ WHERE WBLSH = ?', [key])).toEqual([{ SQBH: requestNo, YWZT: '02' }]);
    } finally {
      await db.close();
    }

    const reviewed = await t.query(REVIEW, { token: fundStaff, variables: { no: requestNo, ok: true, note: '材料齐全，同意' } });
    expect(reviewed.body.data.reviewHousingFundWithdrawal).toEqual({ requestNo, status: 'PENDING_PAYMENT', reviewNote: '材料齐全，同意' });
    // The citizen may not review their own request; an admin may not either (the fund's power alone).
    const admin = await t.token({ role: 'admin', sub: 'admin-1' });
    for (const token of [citizen, admin]) {
      const denied = await t.query(REVIEW, { token, variables: { no: requestNo, ok: true } });
      expect(errorsOf(denied)[0]?.code).toBe('FORBIDDEN');
    }

    const applies = await t.query(LOG, { token: auditor, variables: { filter: { department: 'housingFund', powerItem: 'GJJ-TQ-0101', subjectId: DEMO_CITIZEN_ID } } });
    const mine = applies.body.data.mutationLog.edges.map((e: any) => e.node).filter((n: any) => n.args?.includes(key));
    expect(mine.filter((n: any) => n.kind === 'INTENT')).toHaveLength(2);
    const intents = new Set(mine.filter((n: any) => n.kind === 'INTENT').map((n: any) => n.seq));
    const outcomes = applies.body.data.mutationLog.edges.map((e: any) => e.node).filter((n: any) => n.kind === 'OUTCOME' && intents.has(n.intentSeq));
    expect(outcomes.map((n: any) => n.outcome)).toEqual(['SUCCESS', 'SUCCESS']);
    for (const n of mine) {
      expect(n).toMatchObject({ field: 'Mutation.applyHousingFundWithdrawal', powerItem: 'GJJ-TQ-0101', actor: { role: 'citizen' }, subject: { kind: 'citizen', masked: '2101**********2318' } });
      // Bank account, holder name and document number are masked in the record.
      expect(n.args).not.toMatch(/6222021234567890123|王立军|ZL-2026-1201|210102198503152318/);
    }
    const reviews = await t.query(LOG, { token: auditor, variables: { filter: { department: 'housingFund', caseNumber: requestNo } } });
    const reviewNodes = reviews.body.data.mutationLog.edges.map((e: any) => e.node);
    expect(reviewNodes.filter((n: any) => n.powerItem === 'GJJ-TQ-0102' && n.actor.role === 'staff').map((n: any) => [n.kind, n.outcome])).toEqual(
      expect.arrayContaining([['INTENT', 'PENDING'], ['OUTCOME', 'SUCCESS']]),
    );
    // The refused attempts are recorded too: denied by the rules.
    expect(reviewNodes.filter((n: any) => n.outcome === 'DENIED').map((n: any) => n.actor.role).sort()).toEqual(['admin', 'citizen']);
  });

  it('refuses bad withdrawals with a coded error naming the rule, and writes nothing', async () => {
    const frozen = await t.token({ role: 'citizen', sub: samples.frozen });
    const frozenName = (await t.query(`{ citizen(id: "${samples.frozen}") { name } }`, { token: frozen })).body.data.citizen.name;
    const cases: Array<[string, Record<string, unknown>, string, string]> = [
      [citizen, { amount: '900000.00' }, 'BAD_USER_INPUT', 'amountExceedsBalance'],
      [citizen, { reason: 'HOME_PURCHASE', documentNo: null }, 'BAD_USER_INPUT', 'documentRequired'],
      [citizen, { bankAccount: '12ab' }, 'BAD_USER_INPUT', 'bankAccount'],
      [citizen, { bankAccountName: '李四' }, 'BAD_USER_INPUT', 'bankAccountName'],
      [citizen, { amount: '0.00' }, 'BAD_USER_INPUT', 'amount'],
      [citizen, { idempotencyKey: 'x' }, 'BAD_USER_INPUT', 'idempotencyKey'],
      [citizen, { citizenId: '210102198503152319' }, 'BAD_USER_INPUT', 'checkDigit'],
      [frozen, { citizenId: samples.frozen, bankAccountName: frozenName }, 'BAD_USER_INPUT', 'accountFrozen'],
    ];
    for (const [token, over, code, rule] of cases) {
      const r = await t.query(APPLY, { token, variables: { input: input(over) } });
      expect(r.body.data?.applyHousingFundWithdrawal ?? null, rule).toBeNull();
      expect(errorsOf(r)[0], rule).toMatchObject({ code, rule });
    }
    const notADecimal = await t.query(APPLY, { token: citizen, variables: { input: input({ amount: '12.345' }) } });
    expect(errorsOf(notADecimal)[0]).toMatchObject({ code: 'BAD_USER_INPUT', rule: 'amount' });
    expect((await t.stats('housingFund-standin')).statements?.INSERT).toBeUndefined();
    // Another citizen's account is not the caller's to draw on.
    const other = await t.query(APPLY, { token: citizen, variables: { input: input({ citizenId: samples.sealed }) } });
    expect(errorsOf(other)[0]?.code).toBe('FORBIDDEN');
  });
});

describe('the enterprise side', () => {
  const ENTERPRISE = `query($u: ID!) { enterprise(uscc: $u) { uscc name status registeredCapital type address businessScope registrationAuthority legalRepresentative { name } } }`;

  it('lets an enterprise token read its own record and nothing of another enterprise', async () => {
    const own = await t.token({ role: 'enterprise', sub: DEMO_ENTERPRISE_USCC });
    const r = await t.query(ENTERPRISE, { token: own, variables: { u: DEMO_ENTERPRISE_USCC } });
    expect(r.body.errors).toBeUndefined();
    expect(r.body.data.enterprise).toMatchObject({ uscc: DEMO_ENTERPRISE_USCC, name: '沈阳立军精密机床有限公司', status: 'ACTIVE', registeredCapital: '500', legalRepresentative: { name: '王立军' } });
    const other = await t.query(ENTERPRISE, { token: own, variables: { u: DEMO_CLOSED_USCC } });
    expect(other.body.data.enterprise).toBeNull();
    expect(errorsOf(other)[0]?.code).toBe('FORBIDDEN');
    // Nothing of a citizen's records either.
    const c = await t.query(`{ citizen(id: "${DEMO_CITIZEN_ID}") { name } }`, { token: own });
    expect(errorsOf(c)[0]?.code).toBe('FORBIDDEN');
  });

  it('lets registry staff read any enterprise, batched at most 20 codes a registry call', async () => {
    const { generateEnterprises } = await import('../adapters/marketRegulation/standin/index.ts');
    const codes = generateEnterprises(60).slice(0, 45).map((e) => e.UNISCID);
    const r = await t.query(`query($u: [ID!]!) { enterprises(usccs: $u) { uscc name } }`, { token: registryStaff, variables: { u: codes } });
    expect(r.body.errors).toBeUndefined();
    expect(r.body.data.enterprises.map((e: { uscc: string }) => e.uscc)).toEqual(codes);
    expect((await t.stats('marketRegulation-standin')).requests).toBe(3);
  });

  it('refuses a malformed code naming the rule before any registry call, and lets real listed companies\' codes through', async () => {
    const cases: Array<[string, string]> = [['91210102MA0Y8D2Q4', 'length'], ['91210102MA0Y8D2QI4', 'charset'], ['91210102MA0Y8D2Q4K', 'checkCharacter']];
    for (const [code, rule] of cases) {
      const r = await t.query(ENTERPRISE, { token: registryStaff, variables: { u: code } });
      expect(errorsOf(r)[0], code).toMatchObject({ code: 'BAD_USER_INPUT', rule });
    }
    const tooMany = await t.query(`query($u: [ID!]!) { enterprises(usccs: $u) { uscc } }`, { token: registryStaff, variables: { u: Array(101).fill(DEMO_ENTERPRISE_USCC) } });
    expect(errorsOf(tooMany)[0]).toMatchObject({ code: 'BAD_USER_INPUT', rule: 'maxIds' });
    const badSecond = await t.query(`query($u: [ID!]!) { enterprises(usccs: $u) { uscc } }`, { token: registryStaff, variables: { u: [DEMO_ENTERPRISE_USCC, 'abc'] } });
    expect(errorsOf(badSecond)[0]).toMatchObject({ code: 'BAD_USER_INPUT', rule: 'length' });
    expect(errorsOf(badSecond)[0]!.message).toMatch(/^usccs\[1\]/);
    expect((await t.stats('marketRegulation-standin')).requests).toBe(0);
    // Alibaba (China) and Tencent: valid codes, unknown to this city's registry: null, no error.
    const listed = await t.query(`{ a: enterprise(uscc: "91330100799655058B") { name } b: enterprise(uscc: "91440300708461136T") { name } }`, { token: registryStaff });
    expect(listed.body).toEqual({ data: { a: null, b: null } });
  });

  it('tells an integrator with enterprise:verify match or no match and 存续, nothing more', async () => {
    const key = issueApiKey(resolve(t.dataDir, 'api-keys.json'), { client: 'bank', scopes: ['enterprise:verify'], purpose: 'account opening' }).key;
    const ask = (q: string) => t.query(q, { headers: { [API_KEY_HEADER]: key } });
    const yes = await ask(`{ verifyEnterprise(uscc: "${DEMO_ENTERPRISE_USCC}", name: " 沈阳立军精密机床有限公司 ") { match active } }`);
    expect(yes.body).toEqual({ data: { verifyEnterprise: { match: true, active: true } } });
    const closed = await ask(`{ verifyEnterprise(uscc: "${DEMO_CLOSED_USCC}", name: "沈阳市和平区立军五金经营部") { match active } }`);
    expect(closed.body.data.verifyEnterprise).toEqual({ match: true, active: false });
    const no = await ask(`{ verifyEnterprise(uscc: "${DEMO_ENTERPRISE_USCC}", name: "沈阳某公司") { match active } }`);
    expect(no.body.data.verifyEnterprise).toEqual({ match: false, active: null });
    const record = await ask(`{ enterprise(uscc: "${DEMO_ENTERPRISE_USCC}") { name } }`);
    expect(errorsOf(record)[0]?.code).toBe('FORBIDDEN');
  });
});

describe('logs of the whole session above', () => {
  it('hold no resident ID, bank account, holder name or document number in plain text', () => {
    const secrets = [DEMO_CITIZEN_ID, samples.frozen, samples.sealed, '6222021234567890123', '王立军', 'ZL-2026-1201'];
    const leaks: string[] = [];
    for (const [name, service] of Object.entries(t.city.services)) {
      // The stand-ins play outside systems: their output is theirs, not ours.
      if (name.endsWith('-standin')) continue;
      for (const line of service.output) for (const s of secrets) if (line.includes(s)) leaks.push(`${name}: ${s}`);
    }
    expect(Object.values(t.city.services).some((s) => s.output.length > 0)).toBe(true);
    expect([...new Set(leaks)]).toEqual([]);
  });
});

describe('the generated access table for the new departments', () => {
  const table = parseAccessTable(readFileSync(ACCESS_TABLE_FILE, 'utf8'));
  const pop = (f: string) => `population:${f}`;
  const hf = (f: string) => `housingFund:${f}`;
  const mr = (f: string) => `marketRegulation:${f}`;
  const toFund = [pop('Query.citizen'), pop('Citizen.id'), hf('Query._entities'), hf('Citizen.housingFund')];
  const toRegistry = [pop('Query.citizen'), pop('Citizen.id'), mr('Query._entities'), mr('Citizen.representedEnterprises')];
  const ACCOUNT = ['accountNo', 'balance', 'carriedOver', 'depositedThisYear', 'depositBase', 'personalRate', 'employerRate', 'paidUpTo', 'status', 'openedOn'];
  const WITHDRAWAL = ['requestNo', 'reason', 'amount', 'status', 'submittedAt'];
  const ENTERPRISE = ['uscc', 'name', 'registeredCapital', 'establishedOn', 'approvedOn', 'registrationAuthority', 'type', 'status', 'address', 'businessScope'];
  /** Probes about the demo citizen (`$subject` a resident ID). */
  const CITIZEN_PROBES: Probe[] = [
    { chain: toFund, selection: 'citizen(id: $subject) { housingFund { __typename } }', path: ['housingFund'] },
    ...ACCOUNT.map((f) => ({ chain: [...toFund, hf(`HousingFundAccount.${f}`)], selection: `citizen(id: $subject) { housingFund { ${f} } }`, path: ['housingFund', f] })),
    { chain: [...toFund, hf('HousingFundAccount.withdrawals')], selection: 'citizen(id: $subject) { housingFund { withdrawals { __typename } } }', path: ['housingFund', 'withdrawals'] },
    ...WITHDRAWAL.map((f) => ({
      chain: [...toFund, hf('HousingFundAccount.withdrawals'), hf(`HousingFundWithdrawal.${f}`)],
      selection: `citizen(id: $subject) { housingFund { withdrawals { ${f} } } }`,
      path: ['housingFund', 'withdrawals', 0, f],
    })),
    { chain: toRegistry, selection: 'citizen(id: $subject) { representedEnterprises { __typename } }', path: ['representedEnterprises'] },
    ...ENTERPRISE.map((f) => ({ chain: [...toRegistry, mr(`Enterprise.${f}`)], selection: `citizen(id: $subject) { representedEnterprises { ${f} } }`, path: ['representedEnterprises', 0, f] })),
    {
      chain: [...toRegistry, mr('Enterprise.legalRepresentative'), mr('LegalRepresentative.name')],
      selection: 'citizen(id: $subject) { representedEnterprises { legalRepresentative { name } } }',
      path: ['representedEnterprises', 0, 'legalRepresentative', 'name'],
    },
  ];
  /** Probes about the demo enterprise (`$subject` its USCC). */
  const ENTERPRISE_PROBES: Probe[] = [
    { chain: [mr('Query.enterprise')], selection: 'enterprise(uscc: $subject) { __typename }', path: [] },
    { chain: [mr('Query.enterprises')], selection: 'enterprises(usccs: [$subject]) { __typename }', path: [] },
    ...ENTERPRISE.map((f) => ({ chain: [mr('Query.enterprise'), mr(`Enterprise.${f}`)], selection: `enterprise(uscc: $subject) { ${f} }`, path: [f] })),
    // `to` is null for the demo enterprise (长期), so only `from` can show data.
    { chain: [mr('Query.enterprise'), mr('Enterprise.operatingPeriod'), mr('OperatingPeriod.from')], selection: 'enterprise(uscc: $subject) { operatingPeriod { from } }', path: ['operatingPeriod', 'from'] },
    { chain: [mr('Query.enterprise'), mr('Enterprise.legalRepresentative'), mr('LegalRepresentative.citizen')], selection: 'enterprise(uscc: $subject) { legalRepresentative { citizen { __typename } } }', path: ['legalRepresentative', 'citizen'] },
    { chain: [mr('Query.verifyEnterprise'), mr('EnterpriseCheck.match')], selection: 'verifyEnterprise(uscc: $subject, name: "沈阳立军精密机床有限公司") { match }', path: ['match'] },
    { chain: [mr('Query.verifyEnterprise'), mr('EnterpriseCheck.active')], selection: 'verifyEnterprise(uscc: $subject, name: "沈阳立军精密机床有限公司") { active }', path: ['active'] },
  ];
  const CALLERS: Array<Caller & { sub: string | null; scopes: string[] }> = [
    { label: 'anonymous', role: 'anonymous', sub: null, scopes: [], department: null, own: null },
    { label: 'the demo citizen', role: 'citizen', sub: DEMO_CITIZEN_ID, scopes: [], department: null, own: DEMO_CITIZEN_ID },
    { label: 'another citizen', role: 'citizen', sub: samples.sealed, scopes: [], department: null, own: samples.sealed },
    { label: 'the demo enterprise', role: 'enterprise', sub: DEMO_ENTERPRISE_USCC, scopes: [], department: null, own: DEMO_ENTERPRISE_USCC },
    { label: 'another enterprise', role: 'enterprise', sub: DEMO_CLOSED_USCC, scopes: [], department: null, own: DEMO_CLOSED_USCC },
    { label: 'fund staff', role: 'staff', sub: 'gjj-1', scopes: [], department: 'housingFund', own: null },
    { label: 'registry staff', role: 'staff', sub: 'scjg-1', scopes: [], department: 'marketRegulation', own: null },
    { label: 'population staff', role: 'staff', sub: 'pop-1', scopes: [], department: 'population', own: null },
    { label: 'app with citizen:read, housingFund:read', role: 'app', sub: 'app-1', scopes: ['citizen:read', 'housingFund:read'], department: null, own: DEMO_CITIZEN_ID },
    { label: 'app with citizen:read only', role: 'app', sub: 'app-2', scopes: ['citizen:read'], department: null, own: DEMO_CITIZEN_ID },
    { label: 'bank (enterprise:verify)', role: 'integrator', sub: null, scopes: ['enterprise:verify'], department: null, own: null },
    { label: 'auditor', role: 'auditor', sub: 'auditor-1', scopes: [], department: null, own: null },
    { label: 'admin', role: 'admin', sub: 'admin-1', scopes: [], department: null, own: null },
  ];

  async function headersOf(c: (typeof CALLERS)[number]): Promise<Record<string, string>> {
    if (c.role === 'anonymous') return {};
    if (c.role === 'integrator') return { [API_KEY_HEADER]: issueApiKey(resolve(t.dataDir, 'api-keys.json'), { client: 'bank-matrix', scopes: c.scopes, purpose: 'access test' }).key };
    const token = await t.token({ role: c.role, sub: c.sub!, scopes: c.scopes, ...(c.department ? { department: c.department } : {}), ...(c.role === 'app' ? { onBehalfOf: c.own! } : {}) });
    return { authorization: `Bearer ${token}` };
  }

  it('holds field by field for every role, through the gateway, for the citizen and the enterprise side', async () => {
    const failures: string[] = [];
    for (const caller of CALLERS) {
      const headers = await headersOf(caller);
      for (const [probes, subject] of [[CITIZEN_PROBES, DEMO_CITIZEN_ID], [ENTERPRISE_PROBES, DEMO_ENTERPRISE_USCC]] as const) {
        for (let from = 0; from < probes.length; from += 12) {
          const batch = probes.slice(from, from + 12);
          const r = await t.query(`query Probe($subject: ID!) { ${batch.map((p, i) => `p${i}: ${p.selection}`).join(' ')} }`, { headers, variables: { subject } });
          batch.forEach((probe, i) => {
            const expected = expectation(table, probe, caller, subject);
            const value = dig(r.body.data?.[`p${i}`], probe.path);
            const codes = (r.body.errors ?? []).filter((e) => e.path?.[0] === `p${i}`).map((e) => e.extensions?.code);
            const ok = expected.allowed ? codes.length === 0 && value !== null && value !== undefined : (value ?? null) === null && codes.includes('FORBIDDEN');
            if (!ok) failures.push(`${caller.label} → ${probe.chain.at(-1)}: table says ${expected.allowed ? 'allowed' : 'denied'}, got ${JSON.stringify(value)} ${codes.join(',')}`);
          });
        }
      }
    }
    expect(failures).toEqual([]);
  });

  it('allows the withdrawal mutations exactly to the roles the table names', async () => {
    const failures: string[] = [];
    for (const caller of CALLERS.filter((c) => c.role !== 'integrator')) {
      const headers = await headersOf(caller);
      const apply = await t.query(APPLY, { headers, variables: { input: input({ amount: '1.00' }) } });
      const allowedApply = expectation(table, { chain: [hf('Mutation.applyHousingFundWithdrawal')], selection: '', path: [] }, caller, DEMO_CITIZEN_ID).allowed;
      const applied = apply.body.data?.applyHousingFundWithdrawal?.requestNo;
      if (allowedApply !== Boolean(applied)) failures.push(`${caller.label} apply: table says ${allowedApply}, got ${JSON.stringify(apply.body.errors?.[0]?.extensions)}`);
      const pending = await t.query(APPLY, { token: citizen, variables: { input: input({ amount: '1.00' }) } });
      const no = pending.body.data.applyHousingFundWithdrawal.requestNo;
      const review = await t.query(REVIEW, { headers, variables: { no, ok: false, note: 'matrix' } });
      const allowedReview = expectation(table, { chain: [hf('Mutation.reviewHousingFundWithdrawal')], selection: '', path: [] }, caller, DEMO_CITIZEN_ID).allowed;
      const reviewed = review.body.data?.reviewHousingFundWithdrawal?.status === 'REJECTED';
      if (allowedReview !== reviewed) failures.push(`${caller.label} review: table says ${allowedReview}, got ${JSON.stringify(review.body.errors?.[0]?.extensions)}`);
    }
    expect(failures).toEqual([]);
  });
});
