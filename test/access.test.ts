/**
 * The role × field table holds: every role, with a real credential (a JWT; an API key for integrators),
 * asks for every field of docs/access.md through the gateway, for its own record and another citizen's.
 * Expectations come from the generated table, never from a copy written here.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEMO_CITIZEN_ID, generateCitizens } from '../adapters/population/standin/index.ts';
import { ensureDevKeys } from '../core/dev-keys.ts';
import { createPrincipalSigner, PRINCIPAL_HEADER, REQUEST_ID_HEADER, type Principal } from '../core/principal.ts';
import { maskResidentId, residentIdCheckDigit } from '../core/resident-id.ts';
import { API_KEY_HEADER, issueApiKey } from '../gateway/auth/index.ts';
import { ACCESS_TABLE_FILE, parseAccessTable, type SubgraphAccess } from '../scripts/lib/access-table.ts';
import {
  dig, expectation, GATEWAY_PROBES, MUTATION_PROBES, SUBGRAPH_PROBES, type Caller, type Probe,
} from './support/access.ts';
import { startTestCity, type GraphQLResponse, type TestCity } from './support/city.ts';

const table: SubgraphAccess[] = parseAccessTable(readFileSync(ACCESS_TABLE_FILE, 'utf8'));

/** Every role, and the scope and department variants its cells distinguish. */
const CALLERS: Array<Caller & { client?: string; sub: string | null }> = [
  { label: 'anonymous', role: 'anonymous', sub: null, scopes: [], department: null, own: null },
  { label: 'citizen', role: 'citizen', sub: DEMO_CITIZEN_ID, scopes: [], department: null, own: DEMO_CITIZEN_ID },
  { label: 'enterprise', role: 'enterprise', sub: '91210102MA0Y8D2Q44', scopes: [], department: null, own: null },
  { label: 'population staff', role: 'staff', sub: 'staff-pop-1', scopes: [], department: 'population', own: null },
  { label: 'medical insurance staff', role: 'staff', sub: 'staff-med-1', scopes: [], department: 'medicalInsurance', own: null },
  { label: 'app with every scope', role: 'app', sub: 'app-1', scopes: ['citizen:read', 'insurance:read', 'contact:write'], department: null, own: DEMO_CITIZEN_ID },
  { label: 'app with insurance:read', role: 'app', sub: 'app-2', scopes: ['insurance:read'], department: null, own: DEMO_CITIZEN_ID },
  { label: 'app without scopes', role: 'app', sub: 'app-3', scopes: [], department: null, own: DEMO_CITIZEN_ID },
  { label: 'hotel (identity:verify, citizen:basic)', role: 'integrator', sub: null, client: 'hotel', scopes: ['identity:verify', 'citizen:basic'], department: null, own: null },
  { label: 'hospital (insurance:verify)', role: 'integrator', sub: null, client: 'hospital', scopes: ['insurance:verify'], department: null, own: null },
  { label: 'registry partner (citizen:basic, citizen:id)', role: 'integrator', sub: null, client: 'partner', scopes: ['citizen:basic', 'citizen:id'], department: null, own: null },
  { label: 'auditor', role: 'auditor', sub: 'auditor-1', scopes: [], department: null, own: null },
  { label: 'admin', role: 'admin', sub: 'admin-1', scopes: [], department: null, own: null },
];

/** Below the gateway's limit of 20 aliases per operation. */
const PROBES_PER_QUERY = 12;

let t: TestCity;
const credentials = new Map<string, Record<string, string>>();
let sign: (p: Principal) => Promise<string>;
/** Another citizen with every field filled (Shenyang district, phone, insurance). */
let other: { id: string; name: string };
const demo = { id: DEMO_CITIZEN_ID, name: '王立军' };

beforeAll(async () => {
  t = await startTestCity();
  for (const c of CALLERS) {
    if (c.role === 'anonymous') credentials.set(c.label, {});
    else if (c.role === 'integrator') credentials.set(c.label, { [API_KEY_HEADER]: issueApiKey(join(t.dataDir, 'api-keys.json'), { client: c.client!, scopes: c.scopes, purpose: 'access test' }).key });
    else {
      const token = await t.token({ role: c.role, sub: c.sub!, scopes: c.scopes, ...(c.department ? { department: c.department } : {}), ...(c.role === 'app' ? { onBehalfOf: c.own! } : {}) });
      credentials.set(c.label, { authorization: `Bearer ${token}` });
    }
  }
  sign = await createPrincipalSigner({ privateKeyPem: ensureDevKeys(t.dataDir).principalPrivateKeyPem });
  const admin = credentials.get('admin')!;
  const candidates = generateCitizens(40).filter((r) => r.GMSFHM !== DEMO_CITIZEN_ID && r.LXDH !== '' && r.SSXQ.startsWith('2101'));
  const r = await ask(`query($ids: [ID!]!) { citizens(ids: $ids) { id name phone address { district } insurance { status } } }`, admin, { ids: candidates.map((c) => c.GMSFHM) });
  const found = r.body.data.citizens.find((c: any) => c?.phone && c.address?.district && c.insurance?.status);
  expect(found, 'a seeded citizen with every field filled').toBeTruthy();
  other = { id: found.id, name: found.name };
}, 90_000);
afterAll(() => t?.stop());

async function ask(query: string, headers: Record<string, string>, variables?: Record<string, unknown>): Promise<GraphQLResponse> {
  const r = await t.query(query, { headers, variables });
  expect(r.status, JSON.stringify(r.body)).toBe(200);
  return r;
}

/** Checks one probe's part of an answer against the table. */
function checkProbe(r: GraphQLResponse, alias: string, probe: Probe, caller: Caller, subject: { id: string }): void {
  const expected = expectation(table, probe, caller, subject.id);
  const value = dig(r.body.data?.[alias], probe.path);
  const errors = (r.body.errors ?? []).filter((e) => e.path?.[0] === alias);
  const what = `${caller.label} → ${probe.chain.at(-1)} of ${subject.id === DEMO_CITIZEN_ID ? 'own record' : 'another citizen'}`;
  if (expected.allowed) {
    expect(errors, `${what}: allowed, so no error`).toEqual([]);
    expect(value, `${what}: allowed, so data`).not.toBeNull();
    expect(value, `${what}: allowed, so data`).not.toBeUndefined();
    if (probe.chain.at(-1)!.endsWith('Citizen.id')) expect(value, what).toBe(expected.masked ? maskResidentId(subject.id) : subject.id);
  } else {
    expect(value ?? null, `${what}: denied, so null`).toBeNull();
    expect(errors.map((e) => e.extensions?.code), `${what}: denied, so FORBIDDEN`).toContain('FORBIDDEN');
  }
}

describe('the generated table', () => {
  it('has a probe for every field of the population and medical insurance subgraphs', () => {
    const probed = new Set([...GATEWAY_PROBES, ...MUTATION_PROBES, ...SUBGRAPH_PROBES].map((p) => p.chain.at(-1)));
    const rows = table.filter((s) => s.subgraph === 'population' || s.subgraph === 'medicalInsurance').flatMap((s) => s.rows.map((r) => `${s.subgraph}:${r.field}`));
    expect(rows.length).toBeGreaterThan(20);
    expect(rows.filter((r) => !probed.has(r))).toEqual([]);
  });
});

describe.each(CALLERS)('$label', (caller) => {
  it.each([
    ['own record', () => demo],
    ['another citizen', () => other],
  ])('sees exactly what the table allows of every field of the %s, the rest of the answer intact', async (_label, subjectOf) => {
    const subject = subjectOf();
    // Several probes per query (within the gateway's alias limit), so each denial must leave the others intact.
    for (let from = 0; from < GATEWAY_PROBES.length; from += PROBES_PER_QUERY) {
      const probes = GATEWAY_PROBES.slice(from, from + PROBES_PER_QUERY);
      const selections = probes.map((p, i) => `p${i}: ${p.selection}`).join('\n  ');
      // Only the variables the selections use: GraphQL refuses a declared but unused one.
      const vars = [['subject', 'ID!', subject.id], ['name', 'String!', subject.name]].filter(([v]) => selections.includes(`$${v}`));
      const declared = vars.length > 0 ? `(${vars.map(([v, type]) => `$${v}: ${type}`).join(', ')})` : '';
      const r = await ask(`query Probe${declared} {\n  __typename\n  ${selections}\n}`, credentials.get(caller.label)!, Object.fromEntries(vars.map(([v, , value]) => [v, value])));
      expect(r.body.data?.__typename).toBe('Query');
      probes.forEach((p, i) => checkProbe(r, `p${i}`, p, caller, subject));
    }
  });

  it.each([
    ['own record', () => demo],
    ['another citizen', () => other],
  ])('changes the contact phone of the %s exactly when the table allows, and nothing otherwise', async (_label, subjectOf) => {
    const subject = subjectOf();
    const admin = credentials.get('admin')!;
    const phoneOf = async () => (await ask('query($id: ID!) { citizen(id: $id) { phone } }', admin, { id: subject.id })).body.data.citizen.phone;
    for (const probe of MUTATION_PROBES) {
      const before = await phoneOf();
      const phone = `139${String(Math.floor(Math.random() * 1e8)).padStart(8, '0')}`;
      const r = await ask(`mutation Change($subject: ID!, $phone: String!) { m: ${probe.selection} }`, credentials.get(caller.label)!, { subject: subject.id, phone });
      checkProbe(r, 'm', probe, caller, subject);
      const allowed = expectation(table, { ...probe, chain: probe.chain.slice(0, 1) }, caller, subject.id).allowed;
      expect(await phoneOf()).toBe(allowed ? phone : before);
    }
  });

  it('gets the federation plumbing of every subgraph exactly as the table says, with the gateway\'s signed principal', async () => {
    const principal: Principal = {
      sub: caller.sub ?? (caller.role === 'integrator' ? 'apikey:000000000000' : null),
      role: caller.role,
      department: caller.department,
      scopes: caller.scopes,
      onBehalfOf: caller.role === 'app' ? caller.own : null,
      client: caller.client ?? null,
    };
    for (const probe of SUBGRAPH_PROBES) {
      const res = await fetch(t.city.services[`subgraph-${probe.subgraph}`]!.url, {
        method: 'POST',
        headers: { 'content-type': 'application/json', [PRINCIPAL_HEADER]: await sign(principal), [REQUEST_ID_HEADER]: 'access-test-0001' },
        body: JSON.stringify({ query: `{ p: ${probe.selection.replace('$subject', JSON.stringify(demo.id))} }` }),
      });
      checkProbe({ status: res.status, headers: res.headers, body: await res.json() }, 'p', probe, caller, demo);
    }
  });
});

describe('minimal disclosure for integrators', () => {
  const hotel = () => credentials.get('hotel (identity:verify, citizen:basic)')!;
  const VERIFY = 'query($id: ID!, $name: String!) { verifyIdentity(id: $id, name: $name) { match } }';

  it('answers match for the right name, however it is spaced or typed (full-width, around the ID check)', async () => {
    for (const name of [other.name, `  ${other.name} `, other.name.normalize('NFKC')]) {
      const r = await ask(VERIFY, hotel(), { id: other.id, name });
      expect(r.body).toEqual({ data: { verifyIdentity: { match: true } } });
    }
  });

  it('answers no match for a wrong name and for an unknown person alike, with nothing else to tell them apart', async () => {
    const unknown = `11010119900307001${residentIdCheckDigit('11010119900307001')}`;
    const wrong = await ask(VERIFY, hotel(), { id: other.id, name: '张三' });
    const nobody = await ask(VERIFY, hotel(), { id: unknown, name: other.name });
    expect(wrong.body).toEqual({ data: { verifyIdentity: { match: false } } });
    expect(nobody.body).toEqual(wrong.body);
  });

  it('checks a whole tour group in one registry call', async () => {
    const group = generateCitizens(6).slice(1);
    const query = `query { ${group.map((c, i) => `g${i}: verifyIdentity(id: "${c.GMSFHM}", name: "${c.XM}") { match }`).join(' ')} }`;
    await t.resetStats();
    const r = await ask(query, hotel());
    expect(Object.values(r.body.data)).toEqual(group.map(() => ({ match: true })));
    expect((await t.stats('population-standin')).requests).toBe(1);
  });

  it.each([
    ['a bad check digit', { id: `${DEMO_CITIZEN_ID.slice(0, 17)}0`, name: '王立军' }, 'checkDigit'],
    ['an empty name', { id: DEMO_CITIZEN_ID, name: '   ' }, 'nameLength'],
    ['a name of 65 characters', { id: DEMO_CITIZEN_ID, name: '王'.repeat(65) }, 'nameLength'],
  ])('refuses %s with BAD_USER_INPUT before the rules and the registry', async (_label, variables, rule) => {
    await t.resetStats();
    // The hospital may not verify identities at all: the input is still checked first.
    for (const caller of [hotel(), credentials.get('hospital (insurance:verify)')!]) {
      const r = await ask(VERIFY, caller, variables);
      expect(r.body.data.verifyIdentity).toBeNull();
      expect(r.body.errors?.[0]?.extensions).toMatchObject({ code: 'BAD_USER_INPUT', details: { rule } });
    }
    expect((await t.stats('population-standin')).requests).toBe(0);
  });

  it('gives an integrator without identity:verify null and FORBIDDEN, the rest of the answer intact', async () => {
    const r = await ask(`query($id: ID!, $name: String!) { verifyIdentity(id: $id, name: $name) { match } insuranceStatus(id: $id) }`, credentials.get('hospital (insurance:verify)')!, { id: other.id, name: other.name });
    expect(r.body.data).toEqual({ verifyIdentity: null, insuranceStatus: 'ACTIVE' });
    expect(r.body.errors?.map((e) => [e.path, e.extensions?.code])).toEqual([[['verifyIdentity'], 'FORBIDDEN']]);
  });

  it('shows an integrator the resident ID masked, and stops it at the department boundary with FORBIDDEN', async () => {
    const r = await ask('query($id: ID!) { citizen(id: $id) { id name insurance { status } } }', hotel(), { id: other.id });
    expect(r.body.data.citizen).toEqual({ id: maskResidentId(other.id), name: other.name, insurance: null });
    expect(r.body.errors?.map((e) => e.extensions?.code)).toEqual(['FORBIDDEN']);
    expect(JSON.stringify(r.body)).not.toContain(other.id);
  });
});
