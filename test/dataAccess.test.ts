/**
 * Whole-system tests of 阳光示权: every read of a person's data by someone else leaves one access
 * record per request × subject × department, the person sees them in `dataAccesses`, their own reads
 * leave none, an integrator must declare a purpose, and a read that cannot be recorded shows nothing.
 */
import { DatabaseSync } from 'node:sqlite';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEMO_CITIZEN_ID, listCitizenIds } from '../adapters/population/standin/index.ts';
import { API_KEY_HEADER, issueApiKey } from '../gateway/auth/index.ts';
import { buildSubgraphSchema } from '@apollo/subgraph';
import { parse } from 'graphql';
import { checkDisclosureCoverage, citizenData, parentId, readSubgraphSdl, type SubgraphDefinition } from '../subgraphs/kit/index.ts';
import { SUBGRAPHS } from '../scripts/lib/subgraphs.ts';
import { ensureDevKeys, ensureDevSecret } from '../core/dev-keys.ts';
import { createPrincipalSigner, PRINCIPAL_HEADER, REQUEST_ID_HEADER, type Principal } from '../core/principal.ts';
import { openSupervisionStore } from '../supervision/index.ts';
import { startTestCity, type TestCity } from './support/city.ts';

let t: TestCity;
let citizen: string;
let staff: string;
let app: string;
let auditor: string;
let hotelKey: string;
let hospitalKey: string;
let anonymousHotelKey: string;

const ACCESSES = `query Mine($id: ID!) { citizen(id: $id) { dataAccesses(first: 20) { totalCount edges { node {
  seq department reader { role department client } onYourBehalf fields purpose outcome requestId } } } } }`;

beforeAll(async () => {
  t = await startTestCity();
  const keys = join(t.dataDir, 'api-keys.json');
  hotelKey = issueApiKey(keys, { client: 'hotel', scopes: ['identity:verify'], purpose: '旅馆住宿登记 hotel check-in' }).key;
  hospitalKey = issueApiKey(keys, { client: 'hospital', scopes: ['insurance:verify'], purpose: 'admission' }).key;
  anonymousHotelKey = issueApiKey(keys, { client: 'hotel-b', scopes: ['identity:verify'] }).key;
  citizen = await t.token({ role: 'citizen', sub: DEMO_CITIZEN_ID });
  staff = await t.token({ role: 'staff', sub: 'clerk-7', department: 'population' });
  app = await t.token({ role: 'app', sub: 'shengshitong', scopes: ['citizen:read'], onBehalfOf: DEMO_CITIZEN_ID, client: 'shengshitong' });
  auditor = await t.token({ role: 'auditor', sub: 'auditor-1' });
}, 120_000);

afterAll(async () => {
  await t?.stop();
});

async function accessesOf(id: string, token = citizen) {
  const r = await t.query(ACCESSES, { token, variables: { id } });
  expect(r.body.errors).toBeUndefined();
  return r.body.data.citizen.dataAccesses as { totalCount: number; edges: { node: any }[] };
}

describe('who read my data', () => {
  it("shows a hotel's verifyIdentity, a hospital's insuranceStatus, a staff citizen(id) and an app's read each exactly once, and none of the citizen's own reads", async () => {
    const own = await t.query(`query { citizen(id: "${DEMO_CITIZEN_ID}") { name phone insurance { status } } }`, { token: citizen });
    expect(own.body.data.citizen.name).toBe('王立军');
    expect((await accessesOf(DEMO_CITIZEN_ID)).totalCount).toBe(0);

    const hotel = await t.query(`query { verifyIdentity(id: "${DEMO_CITIZEN_ID}", name: "王立军") { match } }`, { headers: { [API_KEY_HEADER]: hotelKey } });
    expect(hotel.body.data.verifyIdentity.match).toBe(true);
    const hospital = await t.query(`query { insuranceStatus(id: "${DEMO_CITIZEN_ID}") }`, { headers: { [API_KEY_HEADER]: hospitalKey } });
    expect(hospital.body.errors).toBeUndefined();
    const clerk = await t.query(`query { citizen(id: "${DEMO_CITIZEN_ID}") { name gender } }`, { token: staff, headers: { 'x-purpose': encodeURIComponent('户籍窗口 counter enquiry') } });
    expect(clerk.body.data.citizen.name).toBe('王立军');
    const byApp = await t.query(`query { citizen(id: "${DEMO_CITIZEN_ID}") { name address { district } } }`, { token: app });
    expect(byApp.body.data.citizen.name).toBe('王立军');
    // The citizen reads again, and reads the list: still nothing of theirs is recorded.
    await t.query(`query { citizen(id: "${DEMO_CITIZEN_ID}") { gender birthDate } }`, { token: citizen });

    const list = await accessesOf(DEMO_CITIZEN_ID);
    const rows = list.edges.map((e) => e.node);
    expect(list.totalCount).toBe(4);
    expect(rows.map((r) => [r.department, r.reader.role, r.reader.client, r.fields, r.purpose, r.onYourBehalf, r.outcome])).toEqual([
      ['population', 'integrator', 'hotel', ['Query.verifyIdentity'], '旅馆住宿登记 hotel check-in', false, 'SUCCESS'],
      ['medicalInsurance', 'integrator', 'hospital', ['Query.insuranceStatus'], 'admission', false, 'SUCCESS'],
      ['population', 'staff', null, ['Citizen.gender', 'Citizen.name'], '户籍窗口 counter enquiry', false, 'SUCCESS'],
      ['population', 'app', 'shengshitong', ['Citizen.address', 'Citizen.name'], null, true, 'SUCCESS'],
    ]);
    expect(rows[2].reader.department).toBe('population');
    expect(rows.map((r) => r.requestId)).toEqual([hotel, hospital, clerk, byApp].map((r) => r.headers.get('x-request-id')));
  });

  it('writes one record per request and subject, naming every field read, and one per department', async () => {
    const [a, b] = listCitizenIds(10).filter((id) => id !== DEMO_CITIZEN_ID);
    const hospitalStaff = await t.token({ role: 'staff', sub: 'nurse-2', department: 'medicalInsurance' });
    const r = await t.query(`query { citizens(ids: ["${a}", "${b}"]) { name phone } }`, { token: staff });
    expect(r.body.errors).toBeUndefined();
    const j = await t.query(`query { citizen(id: "${a}") { insurance { status balance } } }`, { token: hospitalStaff });
    expect(j.body.errors).toBeUndefined();
    const admin = await t.token({ role: 'admin', sub: 'root' });
    const both = await t.query(`query { citizen(id: "${b}") { name insurance { status } } }`, { token: admin });
    expect(both.body.errors).toBeUndefined();
    const log = async (id: string) =>
      (await t.query(`query($id: ID!) { mutationLog(filter: { subjectId: $id, kind: ACCESS }, first: 50) { edges { node { department actor { role } args requestId } } } }`, { token: auditor, variables: { id } })).body.data
        .mutationLog.edges.map((e: any) => ({ department: e.node.department, role: e.node.actor.role, fields: JSON.parse(e.node.args).fields, requestId: e.node.requestId }));
    const id = (res: typeof r) => res.headers.get('x-request-id');
    expect(await log(a!)).toEqual([
      { department: 'population', role: 'staff', fields: ['Citizen.name', 'Citizen.phone'], requestId: id(r) },
      { department: 'medicalInsurance', role: 'staff', fields: ['Citizen.insurance'], requestId: id(j) },
    ]);
    expect(await log(b!)).toEqual([
      { department: 'population', role: 'staff', fields: ['Citizen.name', 'Citizen.phone'], requestId: id(r) },
      { department: 'population', role: 'admin', fields: ['Citizen.name'], requestId: id(both) },
      { department: 'medicalInsurance', role: 'admin', fields: ['Citizen.insurance'], requestId: id(both) },
    ]);
  });

  it('writes one record per request, subject and department when the gateway calls the same subgraph twice for one citizen', async () => {
    const admin = await t.token({ role: 'admin', sub: 'root-2' });
    const populationRecords = async (requestId: string | null) =>
      (await t.query(`query($id: ID!) { mutationLog(filter: { subjectId: $id, kind: ACCESS, department: "population" }, first: 100) { edges { node { requestId args } } } }`, { token: auditor, variables: { id: DEMO_CITIZEN_ID } }))
        .body.data.mutationLog.edges.filter((e: any) => e.node.requestId === requestId).map((e: any) => JSON.parse(e.node.args).fields);
    // population (name) → enterprise registry (the enterprises the citizen represents) → population again (their representative's name).
    const twice = (inner: string) => `query { citizen(id: "${DEMO_CITIZEN_ID}") { name representedEnterprises { legalRepresentative { citizen { ${inner} } } } } }`;
    await t.resetStats();
    const same = await t.query(twice('name'), { token: admin });
    expect(same.body.errors).toBeUndefined();
    expect(same.body.data.citizen.representedEnterprises[0].legalRepresentative.citizen.name).toBe('王立军');
    expect((await t.stats('population-standin')).requests).toBe(2); // the population subgraph really was called twice
    expect(await populationRecords(same.headers.get('x-request-id'))).toEqual([['Citizen.name']]);

    // The second call reads a field the first did not: its record names only that field.
    const more = await t.query(twice('name gender'), { token: admin });
    expect(more.body.errors).toBeUndefined();
    expect(await populationRecords(more.headers.get('x-request-id'))).toEqual([['Citizen.name'], ['Citizen.gender']]);

    // A client reusing its request id in a new request is a new execution: recorded again.
    const reused = same.headers.get('x-request-id')!;
    const again = await t.query(twice('name'), { token: admin, headers: { 'x-request-id': reused } });
    expect(again.headers.get('x-request-id')).toBe(reused);
    expect(await populationRecords(reused)).toEqual([['Citizen.name'], ['Citizen.name']]);
  });

  it('refuses an integrator that declares no purpose, records the refusal, and accepts the x-purpose header instead', async () => {
    const subject = listCitizenIds(10).filter((id) => id !== DEMO_CITIZEN_ID)[2]!;
    const q = `query { verifyIdentity(id: "${subject}", name: "某人") { match } }`;
    const refused = await t.query(q, { headers: { [API_KEY_HEADER]: anonymousHotelKey } });
    expect(refused.body.data.verifyIdentity).toBeNull();
    expect(refused.body.errors?.[0]?.extensions?.code).toBe('FORBIDDEN');
    expect(refused.body.errors?.[0]?.message).toMatch(/x-purpose/);
    const allowed = await t.query(q, { headers: { [API_KEY_HEADER]: anonymousHotelKey, 'x-purpose': 'check-in' } });
    expect(allowed.body.data.verifyIdentity).toEqual({ match: false });
    const bad = await t.query(q, { headers: { [API_KEY_HEADER]: anonymousHotelKey, 'x-purpose': 'a%07b' } });
    expect(bad.status).toBe(401);
    const rows = (await t.query(`query($id: ID!) { mutationLog(filter: { subjectId: $id, kind: ACCESS }, first: 10) { edges { node { outcome errorCode args } } } }`, { token: auditor, variables: { id: subject } }))
      .body.data.mutationLog.edges.map((e: any) => [e.node.outcome, e.node.errorCode, JSON.parse(e.node.args).purpose]);
    expect(rows).toEqual([
      ['DENIED', 'PURPOSE_REQUIRED', null],
      ['SUCCESS', null, 'check-in'],
    ]);
  });

  it('lets an app acting for the citizen read the list (recorded), and no one else', async () => {
    const seen = await accessesOf(DEMO_CITIZEN_ID, app);
    expect(seen.totalCount).toBeGreaterThanOrEqual(4);
    for (const token of [staff, auditor, await t.token({ role: 'citizen', sub: listCitizenIds(10)[1]! })]) {
      const r = await t.query(ACCESSES, { token, variables: { id: DEMO_CITIZEN_ID } });
      expect(r.body.data?.citizen?.dataAccesses ?? null).toBeNull();
      expect(r.body.errors?.map((e) => e.extensions?.code)).toContain('FORBIDDEN');
    }
    const after = await accessesOf(DEMO_CITIZEN_ID);
    expect(after.edges.at(-1)!.node).toMatchObject({ department: 'supervision', fields: ['Citizen.dataAccesses'], reader: { role: 'app' }, onYourBehalf: true });
  });

  it('returns no data when the read cannot be recorded (fail closed), and records again once the store is back', async () => {
    // Waits its turn: the subgraphs write too (instance lease heartbeats).
    const db = new DatabaseSync(join(t.dataDir, 'supervision.db'), { timeout: 5000 });
    db.exec('BEGIN EXCLUSIVE');
    let r;
    try {
      r = await t.query(`query { citizen(id: "${DEMO_CITIZEN_ID}") { name phone } }`, { token: staff });
    } finally {
      db.exec('ROLLBACK');
      db.close();
    }
    expect(r.body.data?.citizen ?? null).toBeNull();
    expect(JSON.stringify(r.body)).not.toContain('王立军');
    expect(r.body.errors?.map((e) => e.extensions?.code)).toContain('SUPERVISION_UNAVAILABLE');
    const again = await t.query(`query { citizen(id: "${DEMO_CITIZEN_ID}") { name } }`, { token: staff });
    expect(again.body.data.citizen.name).toBe('王立军');
  }, 30_000);
});

/** A valid unified social credit code (GB 32100 check character) from its first 17 characters. */
function uscc(body17: string): string {
  const CHARS = '0123456789ABCDEFGHJKLMNPQRTUWXY';
  const sum = [...body17].reduce((acc, c, i) => acc + CHARS.indexOf(c) * (3 ** i % 31), 0);
  return body17 + CHARS[(31 - (sum % 31)) % 31];
}

describe('an enterprise sees who read its data', () => {
  it('lists the access records about its own USCC through Enterprise.dataAccesses, and refuses another enterprise', async () => {
    const mine = uscc('91210102MA0P5J7LQ');
    // The enterprise registry's subgraph is not in this city yet: its read is written as that subgraph's kit would.
    const store = await openSupervisionStore({ dataDir: t.dataDir, subjectKey: ensureDevSecret(t.dataDir, 'subject-hmac'), checkpointEvery: 0, checkpointIntervalMs: 0 });
    await store.appendAccess({
      department: 'marketRegulation', actor: { role: 'integrator', client: 'bank', sub: 'apikey:000000000001' }, field: 'Enterprise.registeredCapital',
      subject: { kind: 'enterprise', id: mine }, args: { fields: ['Enterprise.registeredCapital'], purpose: 'loan review' }, requestId: 'enterprise-read-0001',
    });
    await store.close();
    const sign = await createPrincipalSigner({ privateKeyPem: ensureDevKeys(t.dataDir).principalPrivateKeyPem });
    const as = (sub: string): Principal => ({ sub, role: 'enterprise', department: null, scopes: [], onBehalfOf: null, client: null });
    const ask = async (p: Principal) => {
      const res = await fetch(t.city.services['subgraph-supervision']!.url, {
        method: 'POST',
        headers: { 'content-type': 'application/json', [PRINCIPAL_HEADER]: await sign(p), [REQUEST_ID_HEADER]: 'enterprise-test-0001' },
        body: JSON.stringify({
          query: 'query($r: [_Any!]!) { _entities(representations: $r) { ... on Enterprise { dataAccesses { totalCount edges { node { department reader { role client } fields purpose } } } } } }',
          variables: { r: [{ __typename: 'Enterprise', uscc: mine }] },
        }),
      });
      return (await res.json()) as { data?: any; errors?: { extensions?: { code?: string } }[] };
    };
    const own = await ask(as(mine));
    expect(own.errors).toBeUndefined();
    expect(own.data._entities[0].dataAccesses).toEqual({
      totalCount: 1,
      edges: [{ node: { department: 'marketRegulation', reader: { role: 'integrator', client: 'bank' }, fields: ['Enterprise.registeredCapital'], purpose: 'loan review' } }],
    });
    const other = await ask(as(uscc('91210100MA0Q1234X')));
    expect(other.data?._entities?.[0]?.dataAccesses ?? null).toBeNull();
    expect(other.errors?.map((e) => e.extensions?.code)).toContain('FORBIDDEN');
  });
});

describe('every field that discloses personal data has a recording declared', () => {
  const schemaOf = (sdl: string) => buildSubgraphSchema([{ typeDefs: parse(sdl) }]);

  for (const { name } of SUBGRAPHS) {
    it(`${name}: every personal field (non-key fields of Citizen/Enterprise, root fields taking a person's identifier) is declared in its permissions.ts`, async () => {
      const mod = (await import(`../subgraphs/${name}/index.ts`)) as Record<string, SubgraphDefinition>;
      const def = mod[name];
      expect(def?.name).toBe(name);
      const { missing, unknown } = checkDisclosureCoverage(schemaOf(readSubgraphSdl(name)), def!.disclosures ?? {});
      expect(missing, `declare these in subgraphs/${name}/permissions.ts \`disclosures\` (citizenData/enterpriseData/notPersonal)`).toEqual([]);
      expect(unknown).toEqual([]);
    });
  }

  it('names the fields a department forgot, and accepts notPersonal with a reason', async () => {
    const sdl = `extend schema @link(url: "https://specs.apollo.dev/federation/v2.3", import: ["@key"])
      type Citizen @key(fields: "id") { id: ID! fund: String }
      type Lot { free: Int }
      type Query { fundBalance(citizenId: ID!): String  lot(id: ID!): Lot  citizenByCard(id: ID!): Citizen }`;
    expect(checkDisclosureCoverage(schemaOf(sdl), {}).missing.sort()).toEqual(['Citizen.fund', 'Query.fundBalance', 'Query.lot']);
    const { notPersonal } = await import('../subgraphs/kit/index.ts');
    expect(checkDisclosureCoverage(schemaOf(sdl), { Citizen: { fund: citizenData(parentId) }, Query: { fundBalance: citizenData((_p, a) => a.citizenId as string), lot: notPersonal('a car park') } }).missing).toEqual([]);
  });
});
