/**
 * Whole-system tests: the real stand-ins, subgraphs and gateway as separate processes on ephemeral
 * ports, queried over HTTP as an app would.
 */
import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { DEMO_CITIZEN_ID, listCitizenIds } from '../adapters/population/standin/index.ts';
import { residentIdCheckDigit } from '../core/resident-id.ts';
import { GATEWAY_ENV, GATEWAY_NODE_FLAGS } from '../scripts/lib/node-flags.ts';
import { startTestCity, type TestCity } from './support/city.ts';

let t: TestCity;
let citizenToken: string;
let adminToken: string;

beforeAll(async () => {
  t = await startTestCity({
    serviceEnv: { 'subgraph-medicalInsurance': { MEDICAL_INSURANCE_TIMEOUT_MS: '400' }, 'subgraph-population': { POPULATION_TIMEOUT_MS: '400' } },
  });
  citizenToken = await t.token({ role: 'citizen', sub: DEMO_CITIZEN_ID });
  adminToken = await t.token({ role: 'admin', sub: 'admin-test' });
}, 90_000);
afterAll(() => t?.stop());
beforeEach(async () => {
  await t.fault('population-standin', { mode: null });
  await t.fault('medicalInsurance-standin', { mode: null });
  await t.resetStats();
});

const DEMO_QUERY = `{ citizen(id: "${DEMO_CITIZEN_ID}") { name gender birthDate address { divisionCode } insurance { status balance } } }`;

describe('the runtime', () => {
  it('runs every process of the city on the same Node 24 as this test', () => {
    const versions = Object.fromEntries(Object.values(t.city.services).map((s) => [s.name, s.nodeVersion]));
    expect(Object.keys(versions).length).toBeGreaterThanOrEqual(6);
    for (const v of Object.values(versions)) expect(v).toBe(process.version);
    expect(process.version).toMatch(/^v24\./);
  });

  it('runs the gateway with its heap flags and malloc setting (scripts/lib/node-flags.ts), and the subgraphs with V8\'s and glibc\'s own sizing', () => {
    const args = (name: string) => readFileSync(`/proc/${t.city.services[name]!.child.pid}/cmdline`, 'utf8').split('\0');
    expect(GATEWAY_NODE_FLAGS.length).toBeGreaterThan(0);
    for (const flag of GATEWAY_NODE_FLAGS) expect(args('gateway')).toContain(flag);
    expect(args('subgraph-population').filter((a) => a.startsWith('--max-'))).toEqual([]);
    // …and its malloc setting in its environment, which glibc reads as the process starts.
    const environ = (name: string) => readFileSync(`/proc/${t.city.services[name]!.child.pid}/environ`, 'utf8').split('\0');
    expect(Object.keys(GATEWAY_ENV).length).toBeGreaterThan(0);
    for (const [k, v] of Object.entries(GATEWAY_ENV)) expect(environ('gateway')).toContain(`${k}=${v}`);
    expect(environ('subgraph-population').filter((e) => e.startsWith('MALLOC_'))).toEqual([]);
  });
});

describe('one graph over two departments', () => {
  it('answers every field of the demo query from both departments for the citizen themself', async () => {
    const r = await t.query(DEMO_QUERY, { token: citizenToken });
    expect(r.status).toBe(200);
    expect(r.body.errors).toBeUndefined();
    expect(r.body.data.citizen).toEqual({
      name: '王立军',
      gender: 'MALE',
      birthDate: '1985-03-15',
      address: { divisionCode: '210102' },
      insurance: { status: 'ACTIVE', balance: '1523.40' },
    });
  });

  it('answers two citizens asked at once with their IDs inline as it answers them asked with a variable', async () => {
    const ids = listCitizenIds(2);
    const fields = 'name gender birthDate address { divisionCode } insurance { status balance }';
    const inline = await Promise.all(ids.map((id) => t.query(`{ citizen(id: "${id}") { ${fields} } }`, { token: adminToken })));
    const byVariable = await Promise.all(ids.map((id) => t.query(`query ($id: ID!) { citizen(id: $id) { ${fields} } }`, { token: adminToken, variables: { id } })));
    expect(inline.map((r) => r.body)).toEqual(byVariable.map((r) => r.body));
    for (const r of inline) expect(r.body.errors).toBeUndefined();
    expect(inline[0]!.body).not.toEqual(inline[1]!.body);
  });

  it('costs exactly 1 population call and 40 insurance calls for 50 IDs of which 10 repeat', async () => {
    const distinct = listCitizenIds(41).filter((id) => id !== DEMO_CITIZEN_ID).slice(0, 40);
    const ids = [...distinct, ...distinct.slice(0, 10)];
    // This city's insurance timeout is 400 ms (for the fault tests): on a loaded machine a call can time
    // out and be tried again, which the subgraph counts; such retries are not calls for repeated IDs.
    const retries = async (name: string, department: string) => {
      const text = await (await fetch(new URL('/metrics', t.city.services[name]!.url))).text();
      return Number(new RegExp(`^citygraph_legacy_retries_total\\{[^}]*department="${department}"[^}]*\\} (\\d+)`, 'm').exec(text)?.[1] ?? 0);
    };
    const before = await retries('subgraph-medicalInsurance', 'medicalInsurance');
    const r = await t.query('query($ids: [ID!]!) { citizens(ids: $ids) { id name insurance { type } } }', { token: adminToken, variables: { ids } });
    expect(r.body.errors).toBeUndefined();
    expect(r.body.data.citizens).toHaveLength(50);
    expect(r.body.data.citizens.map((c: { id: string }) => c.id)).toEqual(ids);
    expect((await t.stats('population-standin')).requests).toBe(1);
    const again = (await retries('subgraph-medicalInsurance', 'medicalInsurance')) - before;
    expect((await t.stats('medicalInsurance-standin')).requests).toBe(40 + again);
  });

  it('refuses more than 100 IDs with BAD_USER_INPUT before any legacy call', async () => {
    const ids = listCitizenIds(101);
    const r = await t.query('query($ids: [ID!]!) { citizens(ids: $ids) { id } }', { token: adminToken, variables: { ids } });
    expect(r.body.errors?.[0]?.extensions?.code).toBe('BAD_USER_INPUT');
    expect(r.body.errors?.[0]?.extensions?.details?.rule).toBe('maxIds');
    expect((await t.stats('population-standin')).requests).toBe(0);
  });
});

describe('in-flight deduplication at the gateway', () => {
  const slow = async () => {
    await t.fault('population-standin', { mode: null, latencyMs: 300 });
    await t.resetStats();
  };
  afterAll(() => t.fault('population-standin', { mode: null, latencyMs: 0 }));

  it('sends identical queries of one citizen in flight to the registry once, each answered in full', async () => {
    await slow();
    const answers = await Promise.all(Array.from({ length: 5 }, () => t.query(DEMO_QUERY, { token: citizenToken })));
    for (const a of answers) expect(a.body.data.citizen.name).toBe('王立军');
    expect((await t.stats('population-standin')).requests).toBe(1);
    // Each request keeps its own request id, though they shared one execution.
    expect(new Set(answers.map((a) => a.headers.get('x-request-id'))).size).toBe(5);
  });

  it('never gives one citizen the answer of another asking the same query at the same moment', async () => {
    await slow();
    const other = await t.token({ role: 'citizen', sub: listCitizenIds(2).find((id) => id !== DEMO_CITIZEN_ID)! });
    const [mine, theirs] = await Promise.all([t.query(DEMO_QUERY, { token: citizenToken }), t.query(DEMO_QUERY, { token: other })]);
    expect(mine.body.data.citizen.name).toBe('王立军');
    expect(theirs.body.data?.citizen ?? null).toBeNull();
    expect(theirs.body.errors?.[0]?.extensions?.code).toBe('FORBIDDEN');
    expect(JSON.stringify(theirs.body)).not.toContain('王立军');
  });

  it('never shares a mutation, even of one citizen sending the same change twice at once', async () => {
    await slow();
    const change = `mutation { updateContactPhone(citizenId: "${DEMO_CITIZEN_ID}", phone: "13912340000", idempotencyKey: "dedup-mutation-test-1") { requestId } }`;
    const [a, b] = await Promise.all([t.query(change, { token: citizenToken }), t.query(change, { token: citizenToken })]);
    expect(a.body.data.updateContactPhone.requestId).not.toBe(b.body.data.updateContactPhone.requestId);
  });

  it('lets every read of a third party (staff, admin, apps, integrators) reach the department, to be recorded there', async () => {
    await slow();
    await Promise.all(Array.from({ length: 3 }, () => t.query(DEMO_QUERY, { token: adminToken })));
    expect((await t.stats('population-standin')).requests).toBe(3);
  });
});

describe('bad input', () => {
  it.each([
    ['21010219850315231', 'length'],
    ['210102198503152317', 'checkDigit'],
    ['210102198502302310', 'birthDate'],
    ['991102198503152311', 'province'],
  ])('rejects %s with BAD_USER_INPUT naming the %s rule, before any legacy call', async (id, rule) => {
    const r = await t.query(`{ citizen(id: "${id}") { name } }`, { token: adminToken });
    expect(r.body.data?.citizen ?? null).toBeNull();
    expect(r.body.errors?.[0]?.extensions?.code).toBe('BAD_USER_INPUT');
    expect(r.body.errors?.[0]?.extensions?.details?.rule).toBe(rule);
    // The inline ID reached the subgraph as a variable of the gateway's (gateway/literals.ts); no error names it.
    expect(JSON.stringify(r.body)).not.toContain('__cg');
    expect((await t.stats('population-standin')).requests).toBe(0);
  });

  it('accepts an ID issued in another province and one under a retired Shenyang code, and asks the registry', async () => {
    const beijing = `11010119900307001${residentIdCheckDigit('11010119900307001')}`;
    const liaozhong = `21012219800101001${residentIdCheckDigit('21012219800101001')}`;
    const r = await t.query(`{ a: citizen(id: "${beijing}") { name } b: citizen(id: "${liaozhong}") { name } }`, { token: adminToken });
    expect(r.body.errors).toBeUndefined();
    expect(r.body.data).toEqual({ a: null, b: null });
    expect((await t.stats('population-standin')).requests).toBe(1);
  });

  it('gives a citizen asking for another citizen null and FORBIDDEN', async () => {
    const other = listCitizenIds(3).find((id) => id !== DEMO_CITIZEN_ID)!;
    const r = await t.query(`{ citizen(id: "${other}") { name } }`, { token: citizenToken });
    expect(r.body.data.citizen).toBeNull();
    expect(r.body.errors?.[0]?.extensions?.code).toBe('FORBIDDEN');
  });
});

describe('one department failing', () => {
  const insuranceError = async () => {
    const r = await t.query(DEMO_QUERY, { token: citizenToken });
    expect(r.status).toBe(200);
    expect(r.body.data.citizen.name).toBe('王立军');
    expect(r.body.data.citizen.insurance).toBeNull();
    const e = r.body.errors?.[0];
    expect(e?.path).toEqual(['citizen', 'insurance']);
    expect(JSON.stringify(r.body)).not.toMatch(/127\.0\.0\.1|at .*\.ts|stack|infcode|err_msg/);
    return e;
  };

  it('gives partial data and ADAPTER_TIMEOUT naming medicalInsurance when the platform hangs', async () => {
    await t.fault('medicalInsurance-standin', { mode: 'timeout' });
    const e = await insuranceError();
    expect(e?.extensions).toMatchObject({ code: 'ADAPTER_TIMEOUT', department: 'medicalInsurance' });
  });

  it('gives LEGACY_ERROR for an infcode -1 reply', async () => {
    await t.fault('medicalInsurance-standin', { mode: 'infcodeError' });
    expect((await insuranceError())?.extensions).toMatchObject({ code: 'LEGACY_ERROR', department: 'medicalInsurance' });
  });

  it('gives ADAPTER_BAD_REPLY for a non-JSON reply', async () => {
    await t.fault('medicalInsurance-standin', { mode: 'notJson' });
    expect((await insuranceError())?.extensions).toMatchObject({ code: 'ADAPTER_BAD_REPLY', department: 'medicalInsurance' });
  });

  it.each([
    ['soapFault', 'LEGACY_ERROR'],
    ['badXml', 'ADAPTER_BAD_REPLY'],
    ['badEncoding', 'ADAPTER_BAD_REPLY'],
  ])('gives %s from the registry as %s on the citizen, and the gateway stays up', async (mode, code) => {
    await t.fault('population-standin', { mode });
    const r = await t.query(DEMO_QUERY, { token: citizenToken });
    expect(r.body.data?.citizen ?? null).toBeNull();
    expect(r.body.errors?.[0]?.extensions).toMatchObject({ code, department: 'population' });
    await t.fault('population-standin', { mode: null });
    expect((await t.query(DEMO_QUERY, { token: citizenToken })).body.data.citizen.name).toBe('王立军');
  });
});

describe('request ids', () => {
  it('echoes a client request id and reaches the legacy systems with it', async () => {
    const r = await t.query(DEMO_QUERY, { token: citizenToken, headers: { 'x-request-id': 'test-req-000123' } });
    expect(r.headers.get('x-request-id')).toBe('test-req-000123');
    const logged = t.city.services['subgraph-population']!.output.some((l) => l.includes('test-req-000123'));
    const gatewayLogged = t.city.services.gateway!.output.some((l) => l.includes('test-req-000123'));
    expect(gatewayLogged).toBe(true);
    expect(logged || gatewayLogged).toBe(true);
  });

  it('assigns a new id when the client sends none or an unsafe one', async () => {
    const r = await t.query(DEMO_QUERY, { token: citizenToken, headers: { 'x-request-id': '<script>' } });
    expect(r.headers.get('x-request-id')).toMatch(/^[0-9a-f-]{36}$/);
  });
});

describe('malformed requests', () => {
  const post = (body: string, headers: Record<string, string> = { 'content-type': 'application/json' }) =>
    fetch(t.city.gatewayUrl, { method: 'POST', headers, body }).then(async (r) => ({ status: r.status, type: r.headers.get('content-type'), text: await r.text() }));

  it('answers a body that is not JSON with 400 and a JSON error, never an HTML page or a stack', async () => {
    const r = await post('not json');
    expect(r.status).toBe(400);
    expect(r.type).toMatch(/application\/json/);
    expect(JSON.parse(r.text).errors[0].extensions.code).toBe('BAD_REQUEST');
    expect(r.text).not.toMatch(/at |node_modules|\/work\//);
  });

  it('refuses a non-JSON content type with 415 and a body over 1 MiB with 413 LIMIT_EXCEEDED', async () => {
    expect((await post('{}', { 'content-type': 'text/plain' })).status).toBe(415);
    const big = await post(JSON.stringify({ query: `{ __typename } # ${'x'.repeat(1_100_000)}` }));
    expect(big.status).toBe(413);
    expect(JSON.parse(big.text).errors[0].extensions.code).toBe('LIMIT_EXCEEDED');
  });

  it('refuses an operation over the alias limit before any subgraph is asked', async () => {
    const aliases = Array.from({ length: 25 }, (_, i) => `a${i}: citizen(id: "${DEMO_CITIZEN_ID}") { name }`).join(' ');
    const r = await t.query(`{ ${aliases} }`, { token: adminToken });
    expect(r.body.data).toBeUndefined();
    expect(r.status).toBe(400);
    expect(r.body.errors?.[0]?.extensions).toMatchObject({ code: 'LIMIT_EXCEEDED', details: { limit: 'maxAliases', max: 20, found: 25 } });
    expect((await t.stats('population-standin')).requests).toBe(0);
  });

  it('keeps answering after all of that', async () => {
    expect((await t.query(DEMO_QUERY, { token: citizenToken })).body.data.citizen.name).toBe('王立军');
  });
});

describe('a subgraph down', () => {
  it('answers the other departments\' fields and names the missing one, without its URL, then recovers when it is back', async () => {
    await t.city.services['subgraph-medicalInsurance']!.stop();
    const r = await t.query(DEMO_QUERY, { token: citizenToken });
    expect(r.status).toBe(200);
    expect(r.body.data.citizen.name).toBe('王立军');
    expect(r.body.data.citizen.insurance).toBeNull();
    expect(r.body.errors?.[0]?.extensions).toMatchObject({ code: 'SUBGRAPH_UNAVAILABLE', department: 'medicalInsurance' });
    expect(JSON.stringify(r.body)).not.toMatch(/127\.0\.0\.1|ECONNREFUSED|http:/);
    await t.city.crashAndRestart('subgraph-medicalInsurance');
    expect((await t.query(DEMO_QUERY, { token: citizenToken })).body.data.citizen.insurance.status).toBe('ACTIVE');
  });
});
